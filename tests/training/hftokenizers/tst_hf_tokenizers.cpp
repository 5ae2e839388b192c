// Token ids: `pairtune-cli tokenize` against Hugging Face's own tokenizers library (the npm package
// `tokenizers` 0.23.2, the Node binding of the Rust library transformers uses), run by
// tests/interop/hf_tokenize.js. Every model folder in the repository that carries a tokenizer.json is found
// at run time (tests/data/**, resources/models/**; a tokenizer without a model around it, like the
// byte-level BPE ones of tests/data/text_bpe, is put into a tiny BERT from `create`), plus folders
// generated here with Pairtune's own `create` (a cased BERT, an XLM-R with a Unigram tokenizer.json, an
// MPNet-style WordPiece, BPE with added tokens or left truncation, ...) so that each tokenizer type is
// covered; each is fed the repository's tricky strings and the ids must be identical line for line.
// Both sides truncate at the folder's max_seq_length (hf_tokenize.js reads it as sentence-transformers
// does), so long texts compare like with like. A missing node or npm install fails the suite.

#include "processrun.h"
#include "tokenizervariants.h"

#include <QtCore/QDir>
#include <QtCore/QDirIterator>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QMap>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <vector>

namespace {

const QString kSourceDir = QStringLiteral(PAIRTUNE_SOURCE_DIR);
const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);
const QString kScript = kSourceDir + QStringLiteral("/tests/interop/hf_tokenize.js");
const QString kPackageDir = kSourceDir + QStringLiteral("/tests/hf-tokenizers");
const QString kExcludeList = kSourceDir + QStringLiteral("/tests/interop/hf-tokenizers-exclude.txt");
const QString kData = QStringLiteral(PAIRTUNE_TEST_DATA_DIR);
const QStringList kFixtureRoots = { QStringLiteral("tests/data"), QStringLiteral("resources/models") };

using pairtune::testrun::run;
using pairtune::testrun::RunResult;

struct Text
{
    QString text;
    QString origin; // file:line, for the failure message
};

QJsonObject readJsonObject(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// A text as JSON writes it: control characters and quotes visible in the failure message.
QString quoted(const QString &text)
{
    const QByteArray json = QJsonDocument(QJsonArray { text }).toJson(QJsonDocument::Compact);
    return QString::fromUtf8(json.mid(1, json.size() - 2));
}

QString idList(const QJsonArray &ids)
{
    return QString::fromUtf8(QJsonDocument(ids).toJson(QJsonDocument::Compact));
}

// Texts that fit on one line: an input line cannot hold a line feed, so texts with one are left out
// (counted). A carriage return inside a line stays: both readers drop only a trailing one.
void addText(std::vector<Text> &texts, int &withNewline, const QString &text, const QString &origin)
{
    if (text.contains(QLatin1Char('\n')))
        ++withNewline;
    else
        texts.push_back({ text, origin });
}

QString readJsonlTexts(const QString &path, std::vector<Text> &texts, int &withNewline)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return path + QStringLiteral(": cannot open");
    int lineNumber = 0;
    while (!file.atEnd()) {
        const QByteArray line = file.readLine().trimmed();
        ++lineNumber;
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonObject object = QJsonDocument::fromJson(line, &error).object();
        if (error.error != QJsonParseError::NoError || !object.value(QLatin1String("text")).isString())
            return QStringLiteral("%1:%2: expected {\"text\": ...}").arg(path).arg(lineNumber);
        addText(texts, withNewline, object.value(QLatin1String("text")).toString(),
            QStringLiteral("%1:%2").arg(QFileInfo(path).fileName()).arg(lineNumber));
    }
    return {};
}

QString readPlainTexts(const QString &path, std::vector<Text> &texts, int &withNewline)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return path + QStringLiteral(": cannot open");
    const QList<QByteArray> lines = file.readAll().split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i)
        if (i + 1 < lines.size() || !lines[i].isEmpty())
            addText(texts, withNewline, QString::fromUtf8(lines[i]),
                QStringLiteral("%1:%2").arg(QFileInfo(path).fileName()).arg(i + 1));
    return {};
}

// One {"input_ids": [...]} per line, as both pairtune-cli tokenize and hf_tokenize.js write them.
QList<QJsonArray> readIds(const QString &path, QString *error)
{
    QList<QJsonArray> ids;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = path + QStringLiteral(": cannot open");
        return ids;
    }
    while (!file.atEnd()) {
        const QByteArray line = file.readLine();
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (!object.value(QLatin1String("input_ids")).isArray()) {
            *error = QStringLiteral("%1:%2: no input_ids in %3")
                         .arg(path)
                         .arg(ids.size() + 1)
                         .arg(QString::fromUtf8(line.left(200)));
            return ids;
        }
        ids.push_back(object.value(QLatin1String("input_ids")).toArray());
    }
    return ids;
}

// Folders Pairtune is meant to refuse (a fixture of a layout it rejects) are listed, with the reason, in
// tests/interop/hf-tokenizers-exclude.txt: one path relative to the repository per line, # comments.
QStringList excludedFolders()
{
    QStringList excluded;
    QFile file(kExcludeList);
    if (!file.open(QIODevice::ReadOnly))
        return excluded;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).section(QLatin1Char('#'), 0, 0).trimmed();
        if (!line.isEmpty())
            excluded << QDir::cleanPath(line);
    }
    return excluded;
}

// The model folder pairtune-cli is given for a tokenizer.json: its own folder, or the folder above
// when the tokenizer lives in a module subfolder (sentence-transformers 2.x's 0_Transformer/).
QString modelFolderOf(const QString &tokenizerFolder)
{
    if (QFileInfo::exists(tokenizerFolder + QStringLiteral("/modules.json")))
        return tokenizerFolder;
    const QString parent = QFileInfo(tokenizerFolder).absolutePath();
    return QFileInfo::exists(parent + QStringLiteral("/modules.json")) ? parent : tokenizerFolder;
}

} // namespace

class TestHfTokenizers : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_scratch;
    QString m_node;
    QString m_input;
    std::vector<Text> m_texts;
    QStringList m_fixtures; // folders holding a tokenizer.json, relative to the repository or generated
    QStringList m_generated;
    QMap<QString, QString> m_wrapped; // a tokenizer-only fixture -> the generated model folder holding it
    int m_withNewline = 0;

    void checkReferenceInstalled();
    void writeInput();
    void findFixtures();
    void generateFixtures();

private slots:
    void initTestCase();
    void sameIds_data();
    void sameIds();
};

void TestHfTokenizers::checkReferenceInstalled()
{
    m_node = QStandardPaths::findExecutable(QStringLiteral("node"));
    QVERIFY2(!m_node.isEmpty(),
        "node is not installed: run scripts/setup.sh (Debian: apt-get install nodejs npm), then "
        "scripts/install_hf_tokenizers.sh");
    const QString pinned = readJsonObject(kPackageDir + QStringLiteral("/package.json"))
                               .value(QLatin1String("dependencies"))
                               .toObject()
                               .value(QLatin1String("tokenizers"))
                               .toString();
    QVERIFY2(!pinned.isEmpty(), qPrintable(kPackageDir + QStringLiteral("/package.json: no tokenizers pin")));
    const QString installed
        = readJsonObject(kPackageDir + QStringLiteral("/node_modules/tokenizers/package.json"))
              .value(QLatin1String("version"))
              .toString();
    QVERIFY2(installed == pinned,
        qPrintable(QStringLiteral("Hugging Face tokenizers %1 is not installed in %2/node_modules (found "
                                  "\"%3\"): run scripts/install_hf_tokenizers.sh (scripts/test.sh does)")
                       .arg(pinned, kPackageDir, installed)));
    // The native binary must load under this node too (a wrong platform or node version fails here).
    const QStringList loadArgs
        = { QStringLiteral("-e"), QStringLiteral("require(process.argv[1]).Tokenizer.fromFile"),
              kPackageDir + QStringLiteral("/node_modules/tokenizers") };
    const RunResult load = run(m_node, loadArgs, 60000);
    QVERIFY2(load.code == 0,
        qPrintable(load.describe(m_node, loadArgs)
            + QStringLiteral(
                "\nHugging Face tokenizers does not load: run scripts/install_hf_tokenizers.sh")));
}

void TestHfTokenizers::writeInput()
{
    QString error = readJsonlTexts(
        kData + QStringLiteral("/hf_tokenizers/tricky-strings.jsonl"), m_texts, m_withNewline);
    if (error.isEmpty())
        error = readJsonlTexts(
            kData + QStringLiteral("/text_wordpiece/hf-wordpiece-cases.jsonl"), m_texts, m_withNewline);
    if (error.isEmpty())
        error = readPlainTexts(kData + QStringLiteral("/interop/sentences.txt"), m_texts, m_withNewline);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QByteArray bytes;
    for (const Text &t : m_texts)
        bytes += t.text.toUtf8() + '\n';
    m_input = m_scratch.filePath(QStringLiteral("texts.txt"));
    QFile file(m_input);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(bytes), bytes.size());
}

void TestHfTokenizers::findFixtures()
{
    const QStringList excluded = excludedFolders();
    const QDir source(kSourceDir);
    for (const QString &root : kFixtureRoots) {
        QDirIterator it(source.filePath(root), { QStringLiteral("tokenizer.json") }, QDir::Files,
            QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString folder = source.relativeFilePath(QFileInfo(it.next()).absolutePath());
            if (!excluded.contains(folder))
                m_fixtures << folder;
        }
    }
    m_fixtures.sort();
    QVERIFY2(!m_fixtures.isEmpty(), "no tokenizer.json found under tests/data or resources/models");
    // RoBERTa and ModernBERT model folders with their own byte-level BPE tokenizer (not wrapped in a BERT):
    // the ids their config.json and max_seq_length frame and cut must match too.
    for (const QString &family : { QStringLiteral("roberta"), QStringLiteral("modernbert") }) {
        const QString folder = QStringLiteral("tests/data/bpe_models/tiny-%1-bpe").arg(family);
        QVERIFY2(m_fixtures.contains(folder), qPrintable(folder + QStringLiteral(" was not found")));
    }
}

// Tokenizer types no committed fixture has yet: a cased WordPiece (no lower-casing, accents kept) and
// the Unigram tokenizer.json Pairtune writes for an XLM-R from a sentencepiece model trained on the texts.
void TestHfTokenizers::generateFixtures()
{
    // The hand-written texts only: the 1,500 random ones hold more distinct characters than a small
    // vocabulary can (sentencepiece refuses), and unseen characters then exercise <unk>.
    QByteArray corpus;
    for (const Text &t : m_texts)
        if (!t.origin.startsWith(QLatin1String("hf-wordpiece-cases")))
            corpus += t.text.toUtf8() + '\n';
    const QString corpusPath = m_scratch.filePath(QStringLiteral("spm-corpus.txt"));
    QFile corpusFile(corpusPath);
    QVERIFY(corpusFile.open(QIODevice::WriteOnly) && corpusFile.write(corpus) == corpus.size());
    corpusFile.close();
    const QString spm = m_scratch.filePath(QStringLiteral("unigram.model"));
    RUN_OK(kCli,
        QStringList({ QStringLiteral("train-spm"), QStringLiteral("--input"), corpusPath,
            QStringLiteral("--output"), spm, QStringLiteral("--vocab-size"), QStringLiteral("800") }));

    const QString vocab = kData + QStringLiteral("/bert-base-uncased-vocab.txt");
    struct Variant
    {
        const char *name;
        QStringList createArgs;
        std::function<QString(const QString &folder)> edit;
    };
    const std::vector<Variant> variants = {
        { "bert-cased", { "--arch", "bert", "--vocab", vocab, "--cased" }, nullptr },
        { "xlmr-unigram", { "--arch", "xlm-roberta", "--spm", spm }, nullptr },
        { "bert-added-tokens", { "--arch", "bert", "--vocab", vocab },
            [](const QString &f) { return hftokenizers::addAddedTokens(f + "/tokenizer.json"); } },
        { "bert-cased-st-lowercase", { "--arch", "bert", "--vocab", vocab, "--cased" },
            [](const QString &f) {
                return hftokenizers::lowerCaseBeforeTokenizing(f + "/sentence_bert_config.json");
            } },
        { "bert-cased-lowercase-sequence", { "--arch", "bert", "--vocab", vocab, "--cased" },
            [](const QString &f) {
                return hftokenizers::lowercaseNormalizerSequence(f + "/tokenizer.json", false, true);
            } },
        { "bert-uncased-lowercase-sequence", { "--arch", "bert", "--vocab", vocab },
            [](const QString &f) {
                return hftokenizers::lowercaseNormalizerSequence(f + "/tokenizer.json", true, true);
            } },
        { "bert-cased-sequence-lowercase-last", { "--arch", "bert", "--vocab", vocab, "--cased" },
            [](const QString &f) {
                return hftokenizers::lowercaseNormalizerSequence(f + "/tokenizer.json", false, false);
            } },
        { "bert-truncation-left", { "--arch", "bert", "--vocab", vocab },
            [](const QString &f) { return hftokenizers::truncateOnTheLeft(f + "/tokenizer_config.json"); } },
        { "mpnet-wordpiece", { "--arch", "bert", "--vocab", vocab }, hftokenizers::mpnetStyle },
        { "bpe-modernbert-truncation-left", { "--arch", "bert", "--vocab", vocab },
            [](const QString &f) {
                const QString error = hftokenizers::useTokenizerFilesOf(
                    f, kSourceDir + QStringLiteral("/tests/data/text_bpe/modernbert"));
                return error.isEmpty() ? hftokenizers::truncateOnTheLeft(f + "/tokenizer_config.json")
                                       : error;
            } },
        { "bpe-roberta-added-tokens", { "--arch", "bert", "--vocab", vocab },
            [](const QString &f) {
                const QString error = hftokenizers::useTokenizerFilesOf(
                    f, kSourceDir + QStringLiteral("/tests/data/text_bpe/roberta"));
                return error.isEmpty() ? hftokenizers::addAddedTokens(f + "/tokenizer.json") : error;
            } },
    };
    const QStringList tiny = { "--layers", "1", "--hidden", "32", "--heads", "2", "--intermediate", "64" };
    for (const Variant &variant : variants) {
        const QString folder = m_scratch.filePath(QStringLiteral("generated/") + QLatin1String(variant.name));
        RUN_OK(kCli, QStringList({ "create", "--out", folder }) + variant.createArgs + tiny);
        if (variant.edit) {
            const QString error = variant.edit(folder);
            QVERIFY2(error.isEmpty(), qPrintable(error));
        }
        QVERIFY2(QFileInfo::exists(folder + QStringLiteral("/tokenizer.json")),
            qPrintable(folder + QStringLiteral(": pairtune-cli create wrote no tokenizer.json")));
        m_generated << folder;
    }

    // Committed tokenizers without a model around them get one.
    for (const QString &fixture : std::as_const(m_fixtures)) {
        const QString absolute = QDir(kSourceDir).filePath(fixture);
        if (QFileInfo::exists(modelFolderOf(absolute) + QStringLiteral("/config.json")))
            continue;
        const QString folder
            = m_scratch.filePath(QStringLiteral("wrapped/") + QString(fixture).replace('/', '_'));
        RUN_OK(kCli, QStringList({ "create", "--out", folder, "--arch", "bert", "--vocab", vocab }) + tiny);
        const QString error = hftokenizers::useTokenizerFilesOf(folder, absolute);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_wrapped.insert(fixture, folder);
    }
}

void TestHfTokenizers::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    checkReferenceInstalled();
    if (QTest::currentTestFailed())
        return;
    writeInput();
    if (QTest::currentTestFailed())
        return;
    findFixtures();
    if (QTest::currentTestFailed())
        return;
    generateFixtures();
    qInfo("%zu texts (%d with a line feed left out), %lld committed + %lld generated tokenizer folders",
        m_texts.size(), m_withNewline, static_cast<long long>(m_fixtures.size()),
        static_cast<long long>(m_generated.size()));
}

void TestHfTokenizers::sameIds_data()
{
    QTest::addColumn<QString>("tokenizerFolder");
    for (const QString &folder : m_fixtures)
        QTest::newRow(qPrintable(folder)) << m_wrapped.value(folder, QDir(kSourceDir).filePath(folder));
    for (const QString &folder : m_generated)
        QTest::newRow(qPrintable(QStringLiteral("generated/") + QFileInfo(folder).fileName())) << folder;
}

void TestHfTokenizers::sameIds()
{
    QFETCH(QString, tokenizerFolder);
    const QString tag
        = QString::fromUtf8(QTest::currentDataTag()).replace(QLatin1Char('/'), QLatin1Char('_'));
    const QString ours = m_scratch.filePath(tag + QStringLiteral(".pairtune.jsonl"));
    const QString theirs = m_scratch.filePath(tag + QStringLiteral(".hf.jsonl"));

    const QStringList cliArgs
        = { QStringLiteral("tokenize"), QStringLiteral("--model"), modelFolderOf(tokenizerFolder),
              QStringLiteral("--input"), m_input, QStringLiteral("--output"), ours };
    const RunResult cli = run(kCli, cliArgs);
    QVERIFY2(cli.code == 0,
        qPrintable(cli.describe(kCli, cliArgs)
            + QStringLiteral("\nIf Pairtune is meant to refuse this folder, list it with the reason in ")
            + kExcludeList));
    const QStringList hfArgs = { kScript, QStringLiteral("--model"), tokenizerFolder,
        QStringLiteral("--input"), m_input, QStringLiteral("--output"), theirs };
    const RunResult hf = run(m_node, hfArgs);
    QVERIFY2(hf.code == 0, qPrintable(hf.describe(m_node, hfArgs)));

    QString error;
    const QList<QJsonArray> ourIds = readIds(ours, &error);
    const QList<QJsonArray> theirIds = readIds(theirs, &error);
    QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(ourIds.size(), qsizetype(m_texts.size()));
    QCOMPARE(theirIds.size(), qsizetype(m_texts.size()));

    int differing = 0;
    qsizetype first = -1;
    qsizetype longest = 0;
    for (qsizetype i = 0; i < ourIds.size(); ++i) {
        longest = std::max(longest, theirIds[i].size());
        if (ourIds[i] != theirIds[i] && differing++ == 0)
            first = i;
    }
    QString difference;
    if (differing > 0) {
        const Text &t = m_texts[std::size_t(first)];
        difference = QStringLiteral("%1: %2 of %3 texts tokenize differently; the first is line %4 (%5): "
                                    "%6\n  Pairtune:              %7\n  Hugging Face tokenizers: %8")
                         .arg(tokenizerFolder)
                         .arg(differing)
                         .arg(m_texts.size())
                         .arg(first + 1)
                         .arg(t.origin, quoted(t.text), idList(ourIds[first]), idList(theirIds[first]));
    }
    QVERIFY2(differing == 0, qPrintable(difference));
    qInfo("%s: %lld texts, identical ids (longest %lld tokens)", qPrintable(tokenizerFolder),
        static_cast<long long>(ourIds.size()), static_cast<long long>(longest));
}

QTEST_GUILESS_MAIN(TestHfTokenizers)
#include "tst_hf_tokenizers.moc"
