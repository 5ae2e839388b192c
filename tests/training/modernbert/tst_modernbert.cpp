// ModernBERT end to end, as a user drives it: `pairtune-cli` reads a ModernBERT folder in
// gte-modernbert-base's layout (tests/data/modernbert/tiny-modernbert and variants written by
// tests/interop/reference.py make-modernbert-folder), embeds it as the independent reference does
// (reference.py's ModernBertEncoder, written from transformers' modeling_modernbert.py: rotary embeddings
// with two bases, global and sliding-window layers, GeGLU, pre-norm without biases), takes one training
// step as reference_train.py redoes it in float64, trains and evaluates a small run, and exports a folder
// that reloads to the same embeddings. The fixture's tokenizer is WordPiece: the encoder does not care.

#include "encoderreferencecheck.h"

#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace pairtune::encodercheck;

namespace {

const QString kFixture = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/modernbert/tiny-modernbert");

// Every text is framed by the model's cls_token_id ... sep_token_id.
Framing framing(const QString &model)
{
    const QJsonObject config = readJsonObject(model + QStringLiteral("/config.json"));
    return { config.value(QLatin1String("cls_token_id")).toInt(-1),
        config.value(QLatin1String("sep_token_id")).toInt(-1), QStringLiteral("[CLS] ... [SEP]") };
}

} // namespace

class TestModernBert : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void embeddingsAgree_data();
    void embeddingsAgree();
    void oneStepMatchesReference_data();
    void oneStepMatchesReference();
    void trainEvaluateExportReload();

private:
    QTemporaryDir m_scratch;
    QString m_texts; // interop sentences plus texts of 150 to 600 words (truncated at max_seq_length)
};

void TestModernBert::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    keepScratchIf(m_scratch, "PAIRTUNE_KEEP_MODERNBERT");
    const QString missing = torchMissing();
    if (!missing.isEmpty())
        QSKIP(qPrintable(missing));
    QVERIFY(QFileInfo::exists(kCli));
    QVERIFY(QFileInfo::exists(kFixture + QStringLiteral("/model.safetensors")));

    // Long texts (up to ~600 tokens, under the fixture's max_seq_length 8192) put most keys outside the
    // local layers' window of +-4 and take the rotary angles far round.
    m_texts = writeTextsAndPairs(m_scratch.path());
    QVERIFY(!m_texts.isEmpty());
}

void TestModernBert::embeddingsAgree_data()
{
    QTest::addColumn<QStringList>("makeArgs"); // empty: the committed fixture
    QTest::addColumn<int>("dim");
    QTest::addColumn<bool>("normalized");

    QTest::newRow("fixture mean normalize (gte-modernbert-base layout)") << QStringList() << 32 << true;
    // ModernBertForMaskedLM's "model." key prefix, F16 weights, every bias on (attention_bias, mlp_bias,
    // norm_bias), global attention every 2nd layer, a 16-token window, gelu_new.
    QTest::newRow("model.-prefix F16 cls biases every-2 window-16")
        << args("--prefix model. --dtype F16 --pooling cls --biases --layers 4 --global-every 2 "
                "--local-attention 16 --hidden-act gelu_new --max-seq-length 200 --seed 5")
        << 32 << false;
    QTest::newRow("6 heads other rope bases max")
        << args("--layers 3 --hidden 48 --heads 6 --intermediate 64 --global-rope-theta 10000 "
                "--local-rope-theta 500 --local-attention 6 --pooling max --max-seq-length 160 --seed 6")
        << 48 << false;
}

void TestModernBert::embeddingsAgree()
{
    QFETCH(QStringList, makeArgs);
    QFETCH(int, dim);
    QFETCH(bool, normalized);

    const QString tag = QString::fromLatin1(QTest::currentDataTag()).section(QLatin1Char(' '), 0, 0);
    QString model = kFixture;
    if (!makeArgs.isEmpty()) {
        model = m_scratch.filePath(QStringLiteral("made-") + tag);
        RUN_OK(python(),
            QStringList({ kReference, QStringLiteral("make-modernbert-folder"), QStringLiteral("--out"),
                model, QStringLiteral("--vocab-file"), kVocab, QStringLiteral("--words"),
                QStringLiteral("1000") })
                + makeArgs);
    }
    const auto [ours, reference] = embedBothSides(m_scratch.path(), m_texts, model, tag, framing(model));
    verifyEmbeddingsAgree(ours, reference, dim, normalized);
}

void TestModernBert::oneStepMatchesReference_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("mnrl cos 20") << args(
        "--loss mnrl --similarity cos --scale 20 --lr 2e-5 --weight-decay 0.01 --max-grad-norm 1");
    QTest::newRow("mnrl dot 1 lr 1e-3 clip 0.5")
        << args("--loss mnrl --similarity dot --scale 1 --lr 1e-3 --weight-decay 0.01 --max-grad-norm 0.5");
}

void TestModernBert::oneStepMatchesReference()
{
    QFETCH(QStringList, options);
    const QString tag
        = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    const QJsonObject r = runOneStep(m_scratch.path(), kFixture, tag, options);
    if (QTest::currentTestFailed())
        return;
    verifyOneStepReport(r, tag);
    if (QTest::currentTestFailed())
        return;
    // ModernBertModel has no pooler: every tensor gets a gradient on both sides.
    const QJsonArray untouched = r.value(QLatin1String("untouched")).toArray();
    QVERIFY2(untouched.isEmpty(), QJsonDocument(untouched).toJson(QJsonDocument::Compact).constData());
}

void TestModernBert::trainEvaluateExportReload()
{
    trainAndExport(m_scratch.path(), kFixture);
    if (QTest::currentTestFailed())
        return;

    // config.json as ModernBertConfig.save_pretrained writes it for a ModernBertModel.
    const QJsonObject config = readJsonObject(m_scratch.filePath(QStringLiteral("exported/config.json")));
    QCOMPARE(config.value(QLatin1String("model_type")).toString(), QStringLiteral("modernbert"));
    QCOMPARE(config.value(QLatin1String("architectures")).toArray(),
        QJsonArray({ QStringLiteral("ModernBertModel") }));
    QCOMPARE(config.value(QLatin1String("max_position_embeddings")).toInt(), 8192);
    QCOMPARE(config.value(QLatin1String("local_attention")).toInt(), 8);
    QCOMPARE(config.value(QLatin1String("global_attn_every_n_layers")).toInt(), 3);
    QCOMPARE(config.value(QLatin1String("global_rope_theta")).toDouble(), 160000.0);
    QCOMPARE(config.value(QLatin1String("local_rope_theta")).toDouble(), 10000.0);
    QCOMPARE(config.value(QLatin1String("norm_eps")).toDouble(), 1e-5);
    QCOMPARE(config.value(QLatin1String("norm_bias")).toBool(true), false);
    QCOMPARE(config.value(QLatin1String("hidden_activation")).toString(), QStringLiteral("gelu"));
    QVERIFY(!config.contains(QLatin1String("type_vocab_size")));
    QVERIFY(!config.contains(QLatin1String("hidden_act")));

    verifyExportReloads(m_scratch.path(), m_texts, framing(m_scratch.filePath(QStringLiteral("exported"))));
}

QTEST_GUILESS_MAIN(TestModernBert)
#include "tst_modernbert.moc"
