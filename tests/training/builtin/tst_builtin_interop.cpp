// The shipped built-in model as an independent reader sees it: tests/interop/reference.py (a PyTorch
// implementation of what SentenceTransformer(path).encode() computes, written from the format spec)
// embeds the token ids of pairtune-cli tokenize, and the vectors must match pairtune-cli embed. This is
// the closest check of "Python sentence-transformers loads it like any other folder" that runs without
// sentence-transformers installed.

#include "builtinpaths.h"

#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <cstring>
#include <vector>

using namespace builtin;
using pairtune::testrun::python;

namespace {

// Rows × cols of a C-order little-endian float32 .npy; empty on any surprise.
std::vector<float> readNpy(const QString &path, qsizetype &rows, qsizetype &cols)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    const QByteArray data = file.readAll();
    if (!data.startsWith("\x93NUMPY") || data.size() < 12)
        return {};
    const bool v1 = data[6] == 1;
    const auto byte = [&](int i) { return quint32(static_cast<unsigned char>(data[i])); };
    const qsizetype headerLength = v1 ? (byte(8) | byte(9) << 8) : (byte(8) | byte(9) << 8 | byte(10) << 16);
    const qsizetype start = v1 ? 10 : 12;
    const QString header = QString::fromLatin1(data.mid(start, headerLength));
    const QRegularExpressionMatch shape
        = QRegularExpression(QStringLiteral("'shape': \\((\\d+), (\\d+)\\)")).match(header);
    if (!header.contains("'<f4'") || !shape.hasMatch())
        return {};
    rows = shape.captured(1).toLongLong();
    cols = shape.captured(2).toLongLong();
    std::vector<float> values(std::size_t(rows * cols));
    if (data.size() - start - headerLength != qsizetype(values.size() * sizeof(float)))
        return {};
    std::memcpy(values.data(), data.constData() + start + headerLength, values.size() * sizeof(float));
    return values;
}

} // namespace

class TestBuiltinInterop : public QObject
{
    Q_OBJECT

private slots:
    void embeddingsMatchTheIndependentReference()
    {
        const QString reference = repoRoot() + "/tests/interop/reference.py";
        const QString sentences = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/interop/sentences.txt");
        QVERIFY(QFileInfo::exists(reference));
        QVERIFY(QFileInfo(modelFolder()).isDir());
        const QString missing = pairtune::testrun::torchMissing();
        if (!missing.isEmpty())
            QSKIP(qPrintable(missing));

        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString ids = dir.filePath("ids.jsonl");
        const QString ours = dir.filePath("ours.npy");
        const QString theirs = dir.filePath("reference.npy");
        BUILTIN_RUN_OK(tokenize, cli(),
            (QStringList { "tokenize", "--model", modelFolder(), "--input", sentences, "--output", ids }));
        BUILTIN_RUN_OK(embed, cli(),
            (QStringList { "embed", "--model", modelFolder(), "--input", sentences, "--output", ours }));
        BUILTIN_RUN_OK(referenceEmbed, python(),
            (QStringList { reference, "embed", "--model", modelFolder(), "--ids", ids, "--output", theirs }));

        qsizetype rowsA = 0, colsA = 0, rowsB = 0, colsB = 0;
        const std::vector<float> a = readNpy(ours, rowsA, colsA);
        const std::vector<float> b = readNpy(theirs, rowsB, colsB);
        QVERIFY(!a.empty() && !b.empty());
        QCOMPARE(rowsA, rowsB);
        QVERIFY(rowsA >= 10);
        QCOMPARE(colsA, qsizetype(kEmbeddingDimension));
        QCOMPARE(colsB, qsizetype(kEmbeddingDimension));
        double maxDiff = 0;
        for (std::size_t i = 0; i < a.size(); ++i)
            maxDiff = std::max(maxDiff, double(std::abs(a[i] - b[i])));
        qInfo("max |difference| %.3g over %lld vectors", maxDiff, static_cast<long long>(rowsA));
        // Unit vectors in float32 against a float64 reference: F16 weights are read exactly by both.
        QVERIFY2(maxDiff < 1e-5, qPrintable(QStringLiteral("max |difference| %1").arg(maxDiff)));
    }
};

QTEST_GUILESS_MAIN(TestBuiltinInterop)
#include "tst_builtin_interop.moc"
