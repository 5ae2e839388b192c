// MPNet end to end, as a user drives it: `pairtune-cli` reads an MPNet folder in all-mpnet-base-v2's layout
// (tests/data/mpnet/tiny-mpnet and variants written by tests/interop/reference.py make-mpnet-folder),
// embeds it as the independent reference does (reference.py's MPNetEncoder, written from transformers'
// modeling_mpnet.py: relative position bias, padding_idx-1 positions, no token types), takes one
// training step as reference_train.py redoes it in float64, trains and evaluates a small run, and
// exports a folder that reloads to the same embeddings.

#include "encoderreferencecheck.h"

#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace pairtune::encodercheck;

namespace {

const QString kFixture = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/mpnet/tiny-mpnet");

// Every text is framed by MPNet's <s> (0) and </s> (2), as its TemplateProcessing post-processor says.
Framing framing(const QString &)
{
    return { 0, 2, QStringLiteral("<s> ... </s>") };
}

} // namespace

class TestMPNet : public QObject
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

void TestMPNet::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    keepScratchIf(m_scratch, "PAIRTUNE_KEEP_MPNET");
    const QString missing = torchMissing();
    if (!missing.isEmpty())
        QSKIP(qPrintable(missing));
    QVERIFY(QFileInfo::exists(kCli));
    QVERIFY(QFileInfo::exists(kFixture + QStringLiteral("/model.safetensors")));

    // Long texts take the relative position buckets through their logarithmic range and past
    // max_distance 128, where they clamp.
    m_texts = writeTextsAndPairs(m_scratch.path());
    QVERIFY(!m_texts.isEmpty());
}

void TestMPNet::embeddingsAgree_data()
{
    QTest::addColumn<QStringList>("makeArgs"); // empty: the committed fixture
    QTest::addColumn<int>("dim");
    QTest::addColumn<bool>("normalized");

    QTest::newRow("fixture mean normalize (all-mpnet-base-v2 layout)") << QStringList() << 32 << true;
    // MPNetForMaskedLM's "mpnet." key prefix, F16 weights, and a 64-row bias table of which MPNet still
    // looks up only the first 32 buckets (compute_position_bias' default num_buckets).
    QTest::newRow("mpnet.-prefix F16 cls 64-bucket table")
        << args("--prefix mpnet. --dtype F16 --pooling cls --buckets 64 --max-seq-length 200 --seed 5") << 32
        << false;
    QTest::newRow("3 layers 6 heads gelu_new max") << args(
        "--layers 3 --hidden 48 --heads 6 --intermediate 96 --hidden-act gelu_new --pooling max "
        "--max-seq-length 160 --seed 6") << 48 << false;
}

void TestMPNet::embeddingsAgree()
{
    QFETCH(QStringList, makeArgs);
    QFETCH(int, dim);
    QFETCH(bool, normalized);

    const QString tag = QString::fromLatin1(QTest::currentDataTag()).section(QLatin1Char(' '), 0, 0);
    QString model = kFixture;
    if (!makeArgs.isEmpty()) {
        model = m_scratch.filePath(QStringLiteral("made-") + tag);
        RUN_OK(python(),
            QStringList({ kReference, QStringLiteral("make-mpnet-folder"), QStringLiteral("--out"), model,
                QStringLiteral("--vocab-file"), kVocab, QStringLiteral("--words"), QStringLiteral("1000") })
                + makeArgs);
    }
    const auto [ours, reference] = embedBothSides(m_scratch.path(), m_texts, model, tag, framing(model));
    verifyEmbeddingsAgree(ours, reference, dim, normalized);
}

void TestMPNet::oneStepMatchesReference_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("mnrl cos 20") << args(
        "--loss mnrl --similarity cos --scale 20 --lr 2e-5 --weight-decay 0.01 --max-grad-norm 1");
    QTest::newRow("mnrl dot 1 lr 1e-3 clip 0.5")
        << args("--loss mnrl --similarity dot --scale 1 --lr 1e-3 --weight-decay 0.01 --max-grad-norm 0.5");
}

void TestMPNet::oneStepMatchesReference()
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
    // The relative position bias is trained: it has a gradient on both sides (not among the untouched).
    const QJsonArray untouched = r.value(QLatin1String("untouched")).toArray();
    QVERIFY(!untouched.contains(QStringLiteral("encoder.relative_attention_bias.weight")));
    QVERIFY(untouched.contains(QStringLiteral("pooler.dense.weight")));
}

void TestMPNet::trainEvaluateExportReload()
{
    trainAndExport(m_scratch.path(), kFixture);
    if (QTest::currentTestFailed())
        return;

    // config.json as MPNetConfig.save_pretrained writes it for an MPNetModel.
    const QJsonObject config = readJsonObject(m_scratch.filePath(QStringLiteral("exported/config.json")));
    QCOMPARE(config.value(QLatin1String("model_type")).toString(), QStringLiteral("mpnet"));
    QCOMPARE(
        config.value(QLatin1String("architectures")).toArray(), QJsonArray({ QStringLiteral("MPNetModel") }));
    QCOMPARE(config.value(QLatin1String("relative_attention_num_buckets")).toInt(), 32);
    QCOMPARE(config.value(QLatin1String("max_position_embeddings")).toInt(), 514);
    QCOMPARE(config.value(QLatin1String("pad_token_id")).toInt(), 1);
    QCOMPARE(config.value(QLatin1String("layer_norm_eps")).toDouble(), 1e-5);
    QVERIFY(!config.contains(QLatin1String("type_vocab_size")));
    QVERIFY(!config.contains(QLatin1String("position_embedding_type")));
    // The tokenizer files name MPNet's tokenizer class and special tokens, as the fixture (written the
    // way MPNetTokenizer saves them) does.
    for (const QString &file :
        { QStringLiteral("tokenizer_config.json"), QStringLiteral("special_tokens_map.json") }) {
        const QJsonObject written = readJsonObject(m_scratch.filePath(QStringLiteral("exported/") + file));
        const QJsonObject fixture = readJsonObject(kFixture + QLatin1Char('/') + file);
        for (const char *key :
            { "bos_token", "eos_token", "cls_token", "sep_token", "pad_token", "mask_token", "unk_token" })
            QVERIFY2(written.value(QLatin1String(key)) == fixture.value(QLatin1String(key)),
                qPrintable(file + QLatin1Char(' ') + QLatin1String(key)));
    }
    QCOMPARE(readJsonObject(m_scratch.filePath(QStringLiteral("exported/tokenizer_config.json")))
                 .value(QLatin1String("tokenizer_class"))
                 .toString(),
        QStringLiteral("MPNetTokenizer"));

    verifyExportReloads(m_scratch.path(), m_texts, framing(m_scratch.filePath(QStringLiteral("exported"))));
}

QTEST_GUILESS_MAIN(TestMPNet)
#include "tst_mpnet.moc"
