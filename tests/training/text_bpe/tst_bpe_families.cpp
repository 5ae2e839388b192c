// RoBERTa and ModernBERT end to end through a real byte-level BPE tokenizer.json (issue 13): the fixtures
// of tests/data/bpe_models (random weights in RobertaModel's / ModernBertModel's layout from
// tests/interop/reference.py, tokenizers whose merges Hugging Face tokenizers 0.23.2 learned) driven with
// `pairtune-cli` as a user does. Token ids must equal Hugging Face tokenizers' (npm, hf_tokenize.js) on
// the repository's texts and long ones; embeddings of those ids must agree with the independent reference
// within 5e-6; one training step must match reference_train.py; a trained run exports a folder whose
// tokenizer tokenizes identically and whose embeddings reload identically. Links no engine library.

#include "encoderreferencecheck.h"

#include <QtCore/QFileInfo>
#include <QtCore/QStandardPaths>

using namespace pairtune::encodercheck;

namespace {

const QString kSourceDir = QStringLiteral(PAIRTUNE_SOURCE_DIR);
const QString kHfTokenize = kSourceDir + QStringLiteral("/tests/interop/hf_tokenize.js");
const QString kTrickyStrings = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/hf_tokenizers/tricky-strings.jsonl");

QString fixture(const QString &family)
{
    return QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bpe_models/tiny-%1-bpe").arg(family);
}

// RoBERTa frames a text as <s> ... </s> (bos/eos ids), ModernBERT as [CLS] ... [SEP].
Framing framing(const QString &model)
{
    const QJsonObject config = readJsonObject(model + QStringLiteral("/config.json"));
    if (config.value(QLatin1String("model_type")).toString() == QLatin1String("roberta"))
        return { config.value(QLatin1String("bos_token_id")).toInt(-1),
            config.value(QLatin1String("eos_token_id")).toInt(-1), QStringLiteral("<s> ... </s>") };
    return { config.value(QLatin1String("cls_token_id")).toInt(-1),
        config.value(QLatin1String("sep_token_id")).toInt(-1), QStringLiteral("[CLS] ... [SEP]") };
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

void addFamilies()
{
    QTest::addColumn<QString>("family");
    QTest::newRow("roberta") << QStringLiteral("roberta");
    QTest::newRow("modernbert") << QStringLiteral("modernbert");
}

} // namespace

class TestBpeFamilies : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void fixtureIsByteLevelBpe_data() { addFamilies(); }
    void fixtureIsByteLevelBpe();
    void idsEqualHuggingFace_data() { addFamilies(); }
    void idsEqualHuggingFace();
    void embeddingsAgree_data() { addFamilies(); }
    void embeddingsAgree();
    void oneStepMatchesReference_data() { addFamilies(); }
    void oneStepMatchesReference();
    void trainExportReload_data() { addFamilies(); }
    void trainExportReload();

private:
    QTemporaryDir m_scratch;
    QString m_node;
    QString m_texts; // per family folder: scratch/<family>/texts.txt (same content)

    QDir familyDir(const QString &family) const { return QDir(m_scratch.filePath(family)); }
    QString textsOf(const QString &family) const { return familyDir(family).filePath("texts.txt"); }
    void verifyIdsEqualHuggingFace(const QString &model, const QString &texts, const QString &tag);
};

void TestBpeFamilies::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    keepScratchIf(m_scratch, "PAIRTUNE_KEEP_BPE_FAMILIES");
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    QVERIFY2(!m_node.isEmpty(),
        "node is not installed: run scripts/setup.sh, then scripts/install_hf_tokenizers.sh");
    QVERIFY2(QFileInfo::exists(kSourceDir + QStringLiteral("/tests/hf-tokenizers/node_modules/tokenizers")),
        "Hugging Face tokenizers is not installed: run scripts/install_hf_tokenizers.sh");
    const QString missing = torchMissing();
    if (!missing.isEmpty())
        QSKIP(qPrintable(missing));
    QVERIFY(QFileInfo::exists(kCli));
    // Each family gets its own scratch folder (trainAndExport writes run/ and exported/ there): the
    // interop sentences, texts of 150 to 600 words and the tricky strings that fit on one line.
    const QByteArray tricky = readAll(kTrickyStrings);
    QVERIFY(!tricky.isEmpty());
    QByteArray extra;
    for (const QByteArray &line : tricky.split('\n')) {
        const QString text = QJsonDocument::fromJson(line).object().value(QLatin1String("text")).toString();
        if (!text.isEmpty() && !text.contains(QLatin1Char('\n')))
            extra += text.toUtf8() + '\n';
    }
    for (const QString &family : { QStringLiteral("roberta"), QStringLiteral("modernbert") }) {
        QVERIFY(QDir(m_scratch.path()).mkpath(family));
        QVERIFY(!writeTextsAndPairs(familyDir(family)).isEmpty());
        QFile texts(textsOf(family));
        QVERIFY(texts.open(QIODevice::Append));
        QCOMPARE(texts.write(extra), extra.size());
    }
}

// The fixtures are what the families ship: ByteLevel pre-tokenizer and decoder, BPE merges, the family's
// post-processor, and an embedding matrix with a row for every id the tokenizer can produce.
void TestBpeFamilies::fixtureIsByteLevelBpe()
{
    QFETCH(QString, family);
    const QJsonObject tokenizer = readJsonObject(fixture(family) + QStringLiteral("/tokenizer.json"));
    const QJsonObject config = readJsonObject(fixture(family) + QStringLiteral("/config.json"));
    QCOMPARE(
        tokenizer.value("pre_tokenizer").toObject().value("type").toString(), QStringLiteral("ByteLevel"));
    QCOMPARE(tokenizer.value("decoder").toObject().value("type").toString(), QStringLiteral("ByteLevel"));
    const QJsonObject model = tokenizer.value("model").toObject();
    QCOMPARE(model.value("type").toString(), QStringLiteral("BPE"));
    QVERIFY(model.value("merges").toArray().size() >= 1000);
    const QString processor = tokenizer.value("post_processor").toObject().value("type").toString();
    QCOMPARE(processor,
        family == QLatin1String("roberta") ? QStringLiteral("RobertaProcessing")
                                           : QStringLiteral("TemplateProcessing"));
    int largest = 0;
    for (const QJsonValue id : model.value("vocab").toObject())
        largest = std::max(largest, id.toInt());
    for (const QJsonValue token : tokenizer.value("added_tokens").toArray())
        largest = std::max(largest, token.toObject().value("id").toInt());
    QVERIFY(config.value("vocab_size").toInt() > largest);
    QCOMPARE(config.value("model_type").toString(), family);
}

// `pairtune-cli tokenize` and Hugging Face tokenizers write the same ids for every text.
void TestBpeFamilies::verifyIdsEqualHuggingFace(
    const QString &model, const QString &texts, const QString &tag)
{
    const QString ours = m_scratch.filePath(tag + QStringLiteral("-ours-ids.jsonl"));
    const QString theirs = m_scratch.filePath(tag + QStringLiteral("-hf-ids.jsonl"));
    RUN_OK(kCli,
        QStringList({ QStringLiteral("tokenize"), QStringLiteral("--model"), model, QStringLiteral("--input"),
            texts, QStringLiteral("--output"), ours }));
    RUN_OK(m_node,
        QStringList({ kHfTokenize, QStringLiteral("--model"), model, QStringLiteral("--input"), texts,
            QStringLiteral("--output"), theirs }));
    const QList<QByteArray> a = readAll(ours).trimmed().split('\n');
    const QList<QByteArray> b = readAll(theirs).trimmed().split('\n');
    const QList<QByteArray> lines = readAll(texts).split('\n');
    QCOMPARE(a.size(), b.size());
    QVERIFY(a.size() > 100);
    for (qsizetype i = 0; i < a.size(); ++i)
        QVERIFY2(a[i] == b[i],
            qPrintable(QStringLiteral("line %1 %2\n  Pairtune: %3\n  tokenizers: %4")
                           .arg(i + 1)
                           .arg(QString::fromUtf8(lines.value(i).left(120)),
                               QString::fromUtf8(a[i].left(300)), QString::fromUtf8(b[i].left(300)))));
    qInfo("%s: %lld texts, identical ids", qPrintable(tag), qlonglong(a.size()));
}

void TestBpeFamilies::idsEqualHuggingFace()
{
    QFETCH(QString, family);
    verifyIdsEqualHuggingFace(fixture(family), textsOf(family), family + QStringLiteral("-fixture"));
}

void TestBpeFamilies::embeddingsAgree()
{
    QFETCH(QString, family);
    const QString model = fixture(family);
    const int dim = readJsonObject(model + QStringLiteral("/config.json")).value("hidden_size").toInt();
    // The tag "fixture" is the name verifyExportReloads looks for to see that training changed the model.
    const auto [ours, reference] = embedBothSides(
        familyDir(family), textsOf(family), model, QStringLiteral("fixture"), framing(model));
    verifyEmbeddingsAgree(ours, reference, dim, true);
}

void TestBpeFamilies::oneStepMatchesReference()
{
    QFETCH(QString, family);
    const QJsonObject r = runOneStep(familyDir(family), fixture(family), QStringLiteral("mnrl"),
        args("--loss mnrl --similarity cos --scale 20 --lr 1e-3 --weight-decay 0.01 --max-grad-norm 1"));
    if (QTest::currentTestFailed())
        return;
    verifyOneStepReport(r, family);
}

void TestBpeFamilies::trainExportReload()
{
    QFETCH(QString, family);
    const QDir scratch = familyDir(family);
    trainAndExport(scratch, fixture(family));
    if (QTest::currentTestFailed())
        return;
    const QString exported = scratch.filePath(QStringLiteral("exported"));
    verifyExportReloads(scratch, textsOf(family), framing(exported));
    if (QTest::currentTestFailed())
        return;

    // The export keeps the byte-level BPE tokenizer: the same ids as the base folder, and as Hugging Face
    // tokenizers reading the exported tokenizer.json.
    verifyIdsEqualHuggingFace(exported, textsOf(family), family + QStringLiteral("-exported"));
    QCOMPARE(readAll(m_scratch.filePath(family + QStringLiteral("-exported-ours-ids.jsonl"))),
        readAll(m_scratch.filePath(family + QStringLiteral("-fixture-ours-ids.jsonl"))));
    const QJsonObject base = readJsonObject(fixture(family) + QStringLiteral("/config.json"));
    const QJsonObject config = readJsonObject(exported + QStringLiteral("/config.json"));
    for (const char *key : { "model_type", "vocab_size", "pad_token_id", "bos_token_id", "eos_token_id" })
        QVERIFY2(config.value(QLatin1String(key)) == base.value(QLatin1String(key)), key);
}

QTEST_GUILESS_MAIN(TestBpeFamilies)
#include "tst_bpe_families.moc"
