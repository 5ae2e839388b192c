// bf16 autocast training for every architecture (issue 13), on any CPU: a small random model of each
// family (pairtune-cli create) trains a few steps under bf16 autocast through the trainer's step
// (tests/common/bf16probe.h) and again in float32. Under bf16 every loss and gradient must be finite, the
// losses must track float32's, and the embeddings after training must stay within a loose bound of float32's
// (bf16 keeps 8 significant bits, about 0.4% per rounding): relative loss difference <= 1% per step,
// embedding max |difference| <= 0.01 (unit-length 32-dimensional embeddings). They must also differ from
// float32's: autocast really ran. ModernBERT's sliding window is narrowed to 8 tokens so that its local
// attention, rotary embeddings and GeGLU all run under autocast.

#include "../train/trainingclihelpers.h"
#include "bf16probe.h"

#include <QtTest/QtTest>

using namespace traintest;

namespace {

const QString kData = QStringLiteral(PAIRTUNE_TEST_DATA_DIR);
constexpr double kLossTolerance = 0.01; // relative, per step
constexpr double kEmbeddingTolerance = 0.01; // absolute, unit-length embeddings

std::vector<std::pair<std::string, std::string>> trainingPairs()
{
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const Pair &p : mappingPairs(8, 23))
        pairs.emplace_back(
            (p.anchor + QStringLiteral(" and then some more words to pass the window of eight"))
                .toStdString(),
            p.positive.toStdString());
    return pairs;
}

} // namespace

class TestFamilyBf16 : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void bf16TracksFloat32_data();
    void bf16TracksFloat32();

private:
    QTemporaryDir m_dir;
};

void TestFamilyBf16::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QFileInfo(cliPath()).isExecutable());
}

void TestFamilyBf16::bf16TracksFloat32_data()
{
    QTest::addColumn<QString>("arch");
    QTest::addColumn<QStringList>("tokenizerArgs");
    QTest::newRow("bert") << QStringLiteral("bert") << QStringList { QStringLiteral("--vocab"), vocabPath() };
    QTest::newRow("distilbert") << QStringLiteral("distilbert")
                                << QStringList { QStringLiteral("--vocab"), vocabPath() };
    QTest::newRow("roberta") << QStringLiteral("roberta")
                             << QStringList { QStringLiteral("--tokenizer"),
                                    kData + QStringLiteral("/text_bpe/roberta") };
    QTest::newRow("mpnet") << QStringLiteral("mpnet")
                           << QStringList { QStringLiteral("--tokenizer"),
                                  kData + QStringLiteral("/mpnet/tiny-mpnet") };
    QTest::newRow("modernbert") << QStringLiteral("modernbert")
                                << QStringList { QStringLiteral("--tokenizer"),
                                       kData + QStringLiteral("/text_bpe/modernbert") };
}

void TestFamilyBf16::bf16TracksFloat32()
{
    QFETCH(QString, arch);
    QFETCH(QStringList, tokenizerArgs);
    const QString folder = m_dir.filePath(arch);
    const CliResult made = runCli(
        QStringList { QStringLiteral("create"), QStringLiteral("--arch"), arch, QStringLiteral("--out"),
            folder, QStringLiteral("--layers"), QStringLiteral("3"), QStringLiteral("--hidden"),
            QStringLiteral("32"), QStringLiteral("--heads"), QStringLiteral("4"),
            QStringLiteral("--intermediate"), QStringLiteral("64"), QStringLiteral("--max-positions"),
            QStringLiteral("64"), QStringLiteral("--max-seq-length"), QStringLiteral("32") }
        + tokenizerArgs);
    QVERIFY2(made.exitCode == 0 && !made.crashed, qPrintable(made.describe()));
    if (arch == QLatin1String("modernbert")) { // layers 1 and 2 attend locally, within 4 tokens each side
        QJsonObject config = readJsonObject(folder + QStringLiteral("/config.json"));
        config.insert(QStringLiteral("local_attention"), 8);
        QVERIFY(writeFile(folder + QStringLiteral("/config.json"), QJsonDocument(config).toJson()));
    }

    const auto pairs = trainingPairs();
    pairtune::Bf16ProbeOptions options;
    options.bf16 = false;
    const pairtune::Bf16ProbeResult fp32 = pairtune::probeBf16Training(folder.toStdString(), pairs, options);
    options.bf16 = true;
    const pairtune::Bf16ProbeResult bf16 = pairtune::probeBf16Training(folder.toStdString(), pairs, options);

    QVERIFY(fp32.gradientsFinite);
    QVERIFY2(bf16.gradientsFinite, "a gradient under bf16 autocast is not finite");
    QCOMPARE(bf16.parametersWithGradient, fp32.parametersWithGradient);
    QVERIFY(bf16.parametersWithGradient > 10);
    QCOMPARE(bf16.losses.size(), fp32.losses.size());
    double worstLoss = 0.0;
    for (std::size_t i = 0; i < bf16.losses.size(); ++i) {
        QVERIFY2(std::isfinite(bf16.losses[i]), qPrintable(QString::number(bf16.losses[i])));
        worstLoss = std::max(worstLoss, std::abs(bf16.losses[i] - fp32.losses[i]) / fp32.losses[i]);
    }
    const double worstEmbedding = maxAbsDifference(bf16.embeddings, fp32.embeddings);
    qInfo(
        "%s: losses fp32 %.5f -> %.5f, bf16 %.5f -> %.5f; largest relative loss difference %.3g, embeddings "
        "after %zu steps max |bf16 - fp32| %.3g",
        qPrintable(arch), fp32.losses.front(), fp32.losses.back(), bf16.losses.front(), bf16.losses.back(),
        worstLoss, bf16.losses.size(), worstEmbedding);
    QVERIFY2(worstLoss <= kLossTolerance, qPrintable(QString::number(worstLoss)));
    QVERIFY2(worstEmbedding <= kEmbeddingTolerance, qPrintable(QString::number(worstEmbedding)));
    QVERIFY2(
        worstLoss > 0.0 || worstEmbedding > 0.0, "bf16 equals float32 bit for bit: autocast did not run");
    QVERIFY(fp32.losses.back() < fp32.losses.front()); // the steps learn something
}

QTEST_GUILESS_MAIN(TestFamilyBf16)
#include "tst_familybf16.moc"
