// embed --int8 (SentenceModel::useInt8Inference): the encoder's dense layers in int8, dynamically
// quantised, give vectors within a cosine of 0.999 of float32 on the test texts (tests/data/interop's
// sentences and the suites' sample texts), are really computed in int8 (not bit-identical), and are
// refused for families without an int8 path. Speed is measured by bench/run.sh, not here.
#include "core/error.h"
#include "io/fileutil.h"
#include "modeltesthelpers.h"
#include "vectorcosine.h"

#include <QtTest>

#include <cmath>
#include <sstream>

using namespace pairtune;

namespace {

std::vector<std::string> testTexts()
{
    std::vector<std::string> texts = modeltest::sampleTexts();
    std::istringstream lines(readFileBytes(std::string(PAIRTUNE_TEST_DATA_DIR) + "/interop/sentences.txt"));
    for (std::string line; std::getline(lines, line);)
        texts.push_back(line);
    return texts;
}

} // namespace

class TestInt8Embedding : public QObject
{
    Q_OBJECT

private slots:
    void closeToFloat32_data();
    void closeToFloat32();
    void refusedWithoutInt8Path();
};

void TestInt8Embedding::closeToFloat32_data()
{
    QTest::addColumn<QString>("architecture");
    QTest::addColumn<int>("layers");
    QTest::addColumn<int>("hidden");
    QTest::addColumn<int>("heads");
    QTest::addColumn<int>("intermediate");
    QTest::addColumn<QString>("pooling");
    QTest::addColumn<int>("denseOut");
    QTest::newRow("MiniLM-L6 shape, mean, normalized") << "bert" << 6 << 384 << 12 << 1536 << "mean" << 0;
    QTest::newRow("12 layers, cls, Dense head") << "bert" << 12 << 256 << 8 << 1024 << "cls" << 128;
    QTest::newRow("DistilBERT, max pooling") << "distilbert" << 4 << 384 << 12 << 1536 << "max" << 0;
}

void TestInt8Embedding::closeToFloat32()
{
    QFETCH(QString, architecture);
    QFETCH(int, layers);
    QFETCH(int, hidden);
    QFETCH(int, heads);
    QFETCH(int, intermediate);
    QFETCH(QString, pooling);
    QFETCH(int, denseOut);
    CreateOptions options = modeltest::tinyBert(pooling.toStdString(), true, denseOut);
    options.architecture = architecture.toStdString();
    options.layers = layers;
    options.hidden = hidden;
    options.heads = heads;
    options.intermediate = intermediate;
    options.maxPositions = 512;
    options.maxSeqLength = 128;
    SentenceModel model = SentenceModel::create(options);
    const std::vector<std::string> texts = testTexts();
    const Embeddings float32 = model.encode(texts, 8);
    QVERIFY(!model.usesInt8Inference());
    QCOMPARE(model.int8Refusal(), std::string());
    model.useInt8Inference();
    QVERIFY(model.usesInt8Inference());
    const Embeddings int8 = model.encode(texts, 8);
    QCOMPARE(int8.rows, texts.size());
    QCOMPARE(int8.dim, float32.dim);
    double worst = 1;
    for (std::size_t i = 0; i < texts.size(); ++i)
        worst = std::min(worst, vectorCosine(int8.row(i), float32.row(i), float32.dim));
    qInfo("%zu texts: minimum cosine of int8 to float32 %.6f", texts.size(), worst);
    QVERIFY2(worst >= 0.999, qPrintable(QString("minimum cosine %1").arg(worst, 0, 'f', 6)));
    // int8 really ran: quantisation moves every vector a little.
    QVERIFY(modeltest::maxAbsDiff(int8, float32) > 1e-5f);
    // Order and batching as in float32: a second pass with another batch size gives the same vectors.
    QVERIFY(modeltest::maxAbsDiff(model.encode(texts, 64), int8) < 1e-2f);
    // Back to float32 (the studio's search switch turned off): the vectors as before int8, exactly.
    model.useFloat32Inference();
    QVERIFY(!model.usesInt8Inference());
    QVERIFY(modeltest::maxAbsDiff(model.encode(texts, 8), float32) == 0.0f);
}

void TestInt8Embedding::refusedWithoutInt8Path()
{
    SentenceModel model
        = SentenceModel::load(std::string(PAIRTUNE_TEST_DATA_DIR) + "/bpe_models/tiny-modernbert-bpe");
    try {
        model.useInt8Inference();
        QFAIL("ModernBERT has no int8 path and should be refused");
    } catch (const Error &e) {
        QVERIFY2(QString::fromStdString(e.what()).contains("modernbert"), e.what());
    }
    QVERIFY(!model.usesInt8Inference());
    // Said without trying (the studio disables its int8 switch with this text).
    QVERIFY2(QString::fromStdString(model.int8Refusal()).contains("modernbert"), model.int8Refusal().c_str());
}

QTEST_GUILESS_MAIN(TestInt8Embedding)
#include "tst_int8embedding.moc"
