#include "core/error.h"
#include "io/fileutil.h"
#include "io/npy.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>

using namespace pairtune;

class TestNpy : public QObject
{
    Q_OBJECT

private slots:
    void roundTrip()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("emb.npy").toStdString();
        std::vector<float> data(5 * 7);
        for (std::size_t i = 0; i < data.size(); ++i)
            data[i] = std::sin(static_cast<float>(i)) * 100.0f;
        data[3] = -0.0f;
        data[4] = std::numeric_limits<float>::infinity();
        writeNpyFloat32(path, 5, 7, data.data());

        std::size_t rows = 0, cols = 0;
        const std::vector<float> back = readNpyFloat32(path, rows, cols);
        QCOMPARE(rows, 5u);
        QCOMPARE(cols, 7u);
        QCOMPARE(back.size(), data.size());
        QVERIFY(std::memcmp(back.data(), data.data(), data.size() * sizeof(float)) == 0);
        QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList { "emb.npy" });
    }

    void headerLayout()
    {
        QTemporaryDir dir;
        for (std::size_t rows : { 0, 1, 12345 }) {
            const std::string path = dir.filePath("h.npy").toStdString();
            std::vector<float> data(rows * 384, 0.5f);
            writeNpyFloat32(path, rows, 384, data.data());
            const std::string bytes = readFileBytes(path);
            QCOMPARE(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
            const std::size_t headerLen = static_cast<unsigned char>(bytes[8])
                | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
            const std::size_t dataStart = 10 + headerLen;
            QCOMPARE(dataStart % 64, 0u);
            const std::string header = bytes.substr(10, headerLen);
            QCOMPARE(header.back(), '\n');
            QVERIFY(header.rfind("{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows)
                            + ", 384), }",
                        0)
                == 0);
            QCOMPARE(bytes.size(), dataStart + rows * 384 * 4);
        }
    }

    void rejectsOtherFiles()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("x.npy").toStdString();
        std::size_t r, c;
        writeFileAtomic(path, "not numpy at all");
        QVERIFY_THROWS_EXCEPTION(Error, readNpyFloat32(path, r, c));
        std::string header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 1), }";
        header.append((64 - (11 + header.size()) % 64) % 64, ' ');
        header += '\n';
        writeFileAtomic(path,
            std::string("\x93NUMPY\x01\x00", 8) + char(header.size()) + '\0' + header + std::string(8, '\0'));
        try {
            readNpyFloat32(path, r, c);
            QFAIL("accepted float64");
        } catch (const Error &e) {
            QVERIFY(QString(e.what()).contains("'<f8'"));
        }
    }

    void numpyReadsOurFile()
    {
        QProcess probe;
        probe.start("/usr/bin/python3", { "-c", "import numpy" });
        if (!probe.waitForFinished(60000) || probe.exitStatus() != QProcess::NormalExit
            || probe.exitCode() != 0)
            QSKIP("/usr/bin/python3 with numpy is not available");

        QTemporaryDir dir;
        const std::string path = dir.filePath("emb.npy").toStdString();
        const std::vector<float> data = { 1.5f, -2.0f, 3.25f, 0.0f, 1e-3f, 7.0f };
        writeNpyFloat32(path, 2, 3, data.data());
        QProcess py;
        py.start("/usr/bin/python3",
            { "-c",
                "import sys, numpy as np\n"
                "a = np.load(sys.argv[1])\n"
                "assert a.dtype == np.float32 and a.shape == (2, 3) and a.flags['C_CONTIGUOUS']\n"
                "print(' '.join(repr(float(x)) for x in a.ravel()))\n"
                "np.save(sys.argv[2], (a * 2).astype('<f4'))\n",
                QString::fromStdString(path), dir.filePath("twice.npy") });
        QVERIFY(py.waitForFinished(60000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());
        QCOMPARE(QString::fromUtf8(py.readAllStandardOutput()).trimmed(),
            QString("1.5 -2.0 3.25 0.0 0.0010000000474974513 7.0"));

        // And we read what numpy writes.
        std::size_t rows = 0, cols = 0;
        const auto twice = readNpyFloat32(dir.filePath("twice.npy").toStdString(), rows, cols);
        QCOMPARE(rows, 2u);
        QCOMPARE(cols, 3u);
        for (std::size_t i = 0; i < data.size(); ++i)
            QCOMPARE(twice[i], data[i] * 2);
    }
};

QTEST_MAIN(TestNpy)
#include "tst_npy.moc"
