// The prepared-pairs writer (data/pairfilewriter.h): what it writes reads back as the same records,
// its bytes are the JSON Lines format the importer documents (docs/formats.md), and a failed write
// leaves neither the file nor a temporary behind.
#include "core/error.h"
#include "data/pairdataset.h"
#include "data/pairfilewriter.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;

class TestPairFileWriter : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsNegativesAndScores()
    {
        std::vector<PairRecord> records;
        records.push_back({ "tab\tand \"quotes\"", "ünïcödé ✓", { "neg one", "neg two" }, 0.25f, 0, 0 });
        records.push_back({ "second", "line\nbreak", { "n3", "n4" }, 1.0f, 0, 0 });
        const PairDataset dataset = PairDataset::fromRecords(records);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("sub/prepared.jsonl")).toStdString();
        writePairsJsonl(dataset, path);
        const PairDataset back = PairDataset::load(path);
        QCOMPARE(back.size(), std::size_t(2));
        QCOMPARE(back.negativesPerRecord(), std::size_t(2));
        QVERIFY(back.hasScores());
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(back.records()[i].anchor, records[i].anchor);
            QCOMPARE(back.records()[i].positive, records[i].positive);
            QCOMPARE(back.records()[i].negatives, records[i].negatives);
            QCOMPARE(*back.records()[i].score, *records[i].score);
        }
        // Only the file: the temporary it was staged under is gone.
        QCOMPARE(QDir(dir.filePath(QStringLiteral("sub"))).entryList(QDir::Files | QDir::Hidden),
            QStringList { QStringLiteral("prepared.jsonl") });
    }

    // The bytes, written out by hand: one compact JSON object a line, keys in sorted order, UTF-8 as
    // is (not \u-escaped), control characters escaped, no score key without scores.
    void writesCompactJsonLines()
    {
        const PairDataset dataset = PairDataset::fromRecords({
            { "wie spät?", "a\tb", {}, std::nullopt, 0, 0 },
            { "q \"2\"", "back\\slash", {}, std::nullopt, 0, 0 },
        });
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pairs.jsonl"));
        writePairsJsonl(dataset, path.toStdString());
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(),
            QByteArray("{\"anchor\":\"wie sp\xc3\xa4t?\",\"positive\":\"a\\tb\"}\n"
                       "{\"anchor\":\"q \\\"2\\\"\",\"positive\":\"back\\\\slash\"}\n"));
    }

    // Writing over an existing file replaces it whole; a folder that cannot be written names the path.
    void replacesAndReportsFailures()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("pairs.jsonl"));
        writePairsJsonl(PairDataset::fromRecords(
                            { { "a", "b", {}, std::nullopt, 0, 0 }, { "c", "d", {}, std::nullopt, 0, 0 } }),
            path.toStdString());
        writePairsJsonl(
            PairDataset::fromRecords({ { "e", "f", {}, std::nullopt, 0, 0 } }), path.toStdString());
        QCOMPARE(PairDataset::load(path.toStdString()).size(), std::size_t(1));

        const QString blocked = dir.filePath(QStringLiteral("file-not-folder"));
        QFile plain(blocked);
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.close();
        const std::string inside = (blocked + QStringLiteral("/pairs.jsonl")).toStdString();
        try {
            writePairsJsonl(PairDataset::fromRecords({ { "a", "b", {}, std::nullopt, 0, 0 } }), inside);
            QFAIL("writing into a file as if it were a folder succeeded");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), Error::Kind::Io);
            QVERIFY2(QString::fromUtf8(error.what()).contains(QString::fromStdString(inside)), error.what());
        }
    }

    // Progress arrives every kPairWriteChunk pairs and ends at the total; a cancel asked for mid-write
    // throws Cancelled and leaves neither the file nor its temporary behind, and one asked only after
    // the last pair (just before the rename) still publishes nothing.
    void reportsProgressAndCancels()
    {
        std::vector<PairRecord> records;
        const std::size_t n = 3 * kPairWriteChunk + 5;
        for (std::size_t i = 0; i < n; ++i)
            records.push_back({ "q" + std::to_string(i), "a" + std::to_string(i), {}, std::nullopt, 0, 0 });
        const PairDataset dataset = PairDataset::fromRecords(records);
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("pairs.jsonl")).toStdString();

        std::vector<std::size_t> seen;
        PairWriteCallbacks follow;
        follow.onProgress = [&](std::size_t written, std::size_t total) {
            QCOMPARE(total, n);
            seen.push_back(written);
        };
        writePairsJsonl(dataset, path, follow);
        const std::vector<std::size_t> expected
            = { 0, kPairWriteChunk, 2 * kPairWriteChunk, 3 * kPairWriteChunk, n };
        QCOMPARE(seen, expected);
        QCOMPARE(PairDataset::load(path).size(), n);
        QVERIFY(QFile::remove(QString::fromStdString(path)));

        for (const std::size_t stopAt : { std::size_t(2), expected.size() }) {
            std::size_t asked = 0;
            PairWriteCallbacks stop;
            stop.cancelRequested = [&] { return ++asked >= stopAt; };
            try {
                writePairsJsonl(dataset, path, stop);
                QFAIL("a cancelled write returned");
            } catch (const Error &error) {
                QCOMPARE(error.kind(), Error::Kind::Cancelled);
                QVERIFY2(
                    QString::fromUtf8(error.what()).contains(QString::fromStdString(path)), error.what());
            }
            QCOMPARE(asked, stopAt);
            QCOMPARE(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden), QStringList());
        }
    }

    void pairsToWriteWritesOnlyWhenSet()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("prepared.jsonl")).toStdString();
        PairsToWrite none { nullptr, path };
        QVERIFY(!none);
        none.write();
        QVERIFY(!QFileInfo::exists(QString::fromStdString(path)));
        const PairsToWrite some {
            std::make_shared<const PairDataset>(PairDataset::fromRecords(
                { { "a", "b", {}, std::nullopt, 0, 0 }, { "c", "d", {}, std::nullopt, 0, 0 } })),
            path
        };
        QVERIFY(bool(some));
        some.write();
        QCOMPARE(PairDataset::load(path).size(), std::size_t(2));
    }
};

QTEST_APPLESS_MAIN(TestPairFileWriter)
#include "tst_pairfilewriter.moc"
