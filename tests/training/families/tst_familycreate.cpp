// `pairtune-cli create --arch` for every family, end to end: a small random model of each family is
// created from that family's tokenizer, embeds, trains, exports, and the export reloads to the same
// embeddings as the run's model. The tokenizer files written (created folder and export) carry the
// tokenizer class and special tokens Python's tokenizer of the family saves: compared with folders written
// the way Python writes them (tests/data/mpnet/tiny-mpnet from reference.py make-mpnet-folder,
// tests/data/text_bpe/{roberta,modernbert}: the tokenizer_config.json of roberta-base / ModernBERT-base),
// and with DistilBertTokenizer's defaults (transformers' tokenization_distilbert.py).

#include "../train/trainingclihelpers.h"

#include <QtTest/QtTest>

using namespace traintest;

namespace {

const QString kData = QStringLiteral(PAIRTUNE_TEST_DATA_DIR);

// special token key -> token, from a tokenizer_config.json or special_tokens_map.json (an AddedToken
// dict counts by its content).
QMap<QString, QString> specialTokens(const QJsonObject &object)
{
    QMap<QString, QString> out;
    for (const char *key :
        { "bos_token", "eos_token", "cls_token", "sep_token", "pad_token", "mask_token", "unk_token" }) {
        const QJsonValue value = object.value(QLatin1String(key));
        if (value.isString())
            out.insert(QLatin1String(key), value.toString());
        else if (value.isObject())
            out.insert(QLatin1String(key), value.toObject().value("content").toString());
    }
    return out;
}

std::vector<float> tensor(const QString &file, const std::string &name)
{
    const pairtune::SafetensorsFile f = pairtune::SafetensorsFile::open(file.toStdString());
    for (const pairtune::TensorInfo &info : f.tensors())
        if (info.name == name)
            return f.toFloat32(info);
    return {};
}

} // namespace

class TestFamilyCreate : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void createTrainExportReload_data();
    void createTrainExportReload();

private:
    // A folder holding only the given tokenizer.json: the family's tokenizer without a
    // tokenizer_config.json of its own, so the tokenizer files written come from Pairtune's conventions.
    QString bareTokenizer(const QString &name, const QString &tokenizerJson, const QJsonObject &config = {});
    void checkTokenizerFiles(const QString &folder, const QString &tokenizerClass,
        const QMap<QString, QString> &specials, const QString &what);

    QTemporaryDir m_dir;
    QString m_pairs;
};

void TestFamilyCreate::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY(QFileInfo(cliPath()).isExecutable());
    m_pairs = writePairs(m_dir.path(), QStringLiteral("pairs.tsv"), 64, 17);
    QVERIFY(!m_pairs.isEmpty());
}

QString TestFamilyCreate::bareTokenizer(
    const QString &name, const QString &tokenizerJson, const QJsonObject &config)
{
    const QString folder = m_dir.filePath(name);
    QDir().mkpath(folder);
    QFile::copy(tokenizerJson, folder + QStringLiteral("/tokenizer.json"));
    if (!config.isEmpty())
        writeFile(folder + QStringLiteral("/tokenizer_config.json"), QJsonDocument(config).toJson());
    return folder;
}

void TestFamilyCreate::checkTokenizerFiles(const QString &folder, const QString &tokenizerClass,
    const QMap<QString, QString> &specials, const QString &what)
{
    const QJsonObject config = readJsonObject(folder + QStringLiteral("/tokenizer_config.json"));
    QVERIFY2(config.value("tokenizer_class").toString() == tokenizerClass,
        qPrintable(what + QStringLiteral(": tokenizer_class ") + config.value("tokenizer_class").toString()));
    QVERIFY2(specialTokens(config) == specials, qPrintable(what + QStringLiteral(": tokenizer_config.json")));
    const QJsonObject map = readJsonObject(folder + QStringLiteral("/special_tokens_map.json"));
    QVERIFY2(specialTokens(map) == specials, qPrintable(what + QStringLiteral(": special_tokens_map.json")));
}

void TestFamilyCreate::createTrainExportReload_data()
{
    QTest::addColumn<QString>("arch");
    QTest::addColumn<QStringList>("tokenizerArgs");
    QTest::addColumn<QString>("tokenizerClass");
    QTest::addColumn<QJsonObject>("pythonTokenizerConfig"); // its *_token entries are the expected ones

    const QJsonObject distilBertDefaults { { "cls_token", "[CLS]" }, { "sep_token", "[SEP]" },
        { "pad_token", "[PAD]" }, { "mask_token", "[MASK]" }, { "unk_token", "[UNK]" } };
    QTest::newRow("distilbert sinusoidal")
        << QStringLiteral("distilbert")
        << QStringList { QStringLiteral("--vocab"), vocabPath(), QStringLiteral("--sinusoidal") }
        << QStringLiteral("DistilBertTokenizer") << distilBertDefaults;
    // MPNet: the fixture's own tokenizer files (all-mpnet-base-v2's layout), and its tokenizer.json with a
    // tokenizer_config.json naming only the padding token: BERT's [CLS] [SEP] [MASK], which an MPNet
    // vocabulary holds too, must not be written as MPNet's special tokens.
    const QString mpnet = kData + QStringLiteral("/mpnet/tiny-mpnet");
    const QJsonObject mpnetConfig = readJsonObject(mpnet + QStringLiteral("/tokenizer_config.json"));
    QTest::newRow("mpnet") << QStringLiteral("mpnet") << QStringList { QStringLiteral("--tokenizer"), mpnet }
                           << QStringLiteral("MPNetTokenizer") << mpnetConfig;
    QTest::newRow("mpnet pad-only config")
        << QStringLiteral("mpnet")
        << QStringList { QStringLiteral("--tokenizer"),
               bareTokenizer(QStringLiteral("tok-mpnet"), mpnet + QStringLiteral("/tokenizer.json"),
                   QJsonObject { { "pad_token", "<pad>" } }) }
        << QStringLiteral("MPNetTokenizer") << mpnetConfig;
    QTest::newRow("roberta bpe") << QStringLiteral("roberta")
                                 << QStringList { QStringLiteral("--tokenizer"),
                                        bareTokenizer(QStringLiteral("tok-roberta"),
                                            kData + QStringLiteral("/text_bpe/roberta/tokenizer.json")) }
                                 << QStringLiteral("RobertaTokenizer")
                                 << readJsonObject(
                                        kData + QStringLiteral("/text_bpe/roberta/tokenizer_config.json"));
    QTest::newRow("modernbert") << QStringLiteral("modernbert")
                                << QStringList { QStringLiteral("--tokenizer"),
                                       bareTokenizer(QStringLiteral("tok-modernbert"),
                                           kData + QStringLiteral("/text_bpe/modernbert/tokenizer.json")) }
                                << QStringLiteral("PreTrainedTokenizerFast")
                                << readJsonObject(
                                       kData + QStringLiteral("/text_bpe/modernbert/tokenizer_config.json"));
}

void TestFamilyCreate::createTrainExportReload()
{
    QFETCH(QString, arch);
    QFETCH(QStringList, tokenizerArgs);
    QFETCH(QString, tokenizerClass);
    QFETCH(QJsonObject, pythonTokenizerConfig);
    const QString tag
        = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    const QMap<QString, QString> specials = specialTokens(pythonTokenizerConfig);
    QVERIFY(specials.size() >= 5);

    const QString created = m_dir.filePath(QStringLiteral("created-") + tag);
    const CliResult made = runCli(
        QStringList { QStringLiteral("create"), QStringLiteral("--arch"), arch, QStringLiteral("--out"),
            created, QStringLiteral("--layers"), QStringLiteral("3"), QStringLiteral("--hidden"),
            QStringLiteral("32"), QStringLiteral("--heads"), QStringLiteral("4"),
            QStringLiteral("--intermediate"), QStringLiteral("64"), QStringLiteral("--max-positions"),
            QStringLiteral("64"), QStringLiteral("--max-seq-length"), QStringLiteral("24") }
        + tokenizerArgs);
    QVERIFY2(made.exitCode == 0 && !made.crashed, qPrintable(made.describe()));
    const QJsonObject config = readJsonObject(created + QStringLiteral("/config.json"));
    QCOMPARE(config.value("model_type").toString(), arch);
    checkTokenizerFiles(created, tokenizerClass, specials, QStringLiteral("created"));
    if (arch == QLatin1String("distilbert"))
        QCOMPARE(config.value("sinusoidal_pos_embds").toBool(), true);

    const QStringList texts { QStringLiteral("alpha bravo delta"),
        QStringLiteral("a longer text, with punctuation!"), QStringLiteral("x") };
    const EmbedOutput before = embed(created, texts, m_dir.path());
    QVERIFY2(allFinite(before.values) && before.rows == 3, qPrintable(before.cli.describe()));

    const QString run = m_dir.filePath(QStringLiteral("run-") + tag);
    const CliResult trained = runCli({ QStringLiteral("train"), QStringLiteral("--data"), m_pairs,
        QStringLiteral("--base"), created, QStringLiteral("--out"), run, QStringLiteral("--max-steps"),
        QStringLiteral("2"), QStringLiteral("--batch-size"), QStringLiteral("8"), QStringLiteral("--lr"),
        QStringLiteral("1e-3"), QStringLiteral("--warmup-steps"), QStringLiteral("0"),
        QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--quiet") });
    QVERIFY2(trained.exitCode == 0 && !trained.crashed, qPrintable(trained.describe()));
    const QString exported = m_dir.filePath(QStringLiteral("exported-") + tag);
    const CliResult out = runCli(
        { QStringLiteral("export"), QStringLiteral("--run"), run, QStringLiteral("--out"), exported });
    QVERIFY2(out.exitCode == 0 && !out.crashed, qPrintable(out.describe()));
    QCOMPARE(readJsonObject(exported + QStringLiteral("/config.json")).value("model_type").toString(), arch);
    checkTokenizerFiles(exported, tokenizerClass, specials, QStringLiteral("exported"));

    // The export reloads to exactly the run's final model; training moved it away from the created one.
    const EmbedOutput fromExport = embed(exported, texts, m_dir.path());
    const EmbedOutput fromRun = embed(run + QStringLiteral("/model"), texts, m_dir.path());
    QVERIFY2(allFinite(fromExport.values), qPrintable(fromExport.cli.describe()));
    QCOMPARE(maxAbsDifference(fromExport.values, fromRun.values), 0.0);
    const double moved = maxAbsDifference(fromExport.values, before.values);
    qInfo("%s: training moved the embeddings by up to %.3g", qPrintable(tag), moved);
    QVERIFY(moved > 1e-5);

    // DistilBERT's sinusoidal table is saved but never trained.
    if (arch == QLatin1String("distilbert")) {
        const std::string table = "embeddings.position_embeddings.weight";
        const std::vector<float> a = tensor(created + QStringLiteral("/model.safetensors"), table);
        const std::vector<float> b = tensor(exported + QStringLiteral("/model.safetensors"), table);
        QVERIFY(a.size() == 64u * 32u);
        QCOMPARE(maxAbsDifference(a, b), 0.0);
        // transformers' create_sinusoidal_embeddings: sin(pos / 10000^(2(j//2)/dim)) at even j, cos at odd.
        QCOMPARE(a[0 * 32 + 1], 1.0f);
        QVERIFY(std::abs(a[5 * 32 + 2] - std::sin(5.0 / std::pow(10000.0, 2.0 / 32.0))) < 1e-6);
        QVERIFY(std::abs(a[7 * 32 + 31] - std::cos(7.0 / std::pow(10000.0, 30.0 / 32.0))) < 1e-6);
    }
}

QTEST_GUILESS_MAIN(TestFamilyCreate)
#include "tst_familycreate.moc"
