// `pairtune-cli embed --prompt-name/--prompt` against tests/interop/reference.py: folders made by the
// reference (every pooling mode, Pooling include_prompt false and true) embed prompt + text; the
// reference pools without the first prompt_length tokens, which it computes itself by
// sentence-transformers' rule from the ids of the prompt tokenized alone (less a final special token,
// judged from the folder's special_tokens_map.json). Both sides embed the same token ids.

#include "processrun.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

namespace {

constexpr double kTolerance = 5e-6;
const QString kSentences = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/interop/sentences.txt");
const QString kVocab = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/prompts/tiny-bert-prompts/vocab.txt");
const QString kFixture = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/prompts/tiny-bert-prompts");
const QString kReference = QStringLiteral(PAIRTUNE_INTEROP_REFERENCE);
const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);
const QString kPrompts = QStringLiteral(
    R"({"query": "query: ", "document": "passage: ", "instruct": "Represent this sentence for searching relevant passages: "})");

using pairtune::testrun::python;
using pairtune::testrun::run;
using pairtune::testrun::RunResult;

bool writeLines(const QString &path, const QString &prefix, const QStringList &lines)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    for (const QString &line : lines)
        file.write((prefix + line + QLatin1Char('\n')).toUtf8());
    return true;
}

// The largest absolute difference between two .npy files of the same shape (numpy does the reading).
double maxDiff(const QString &a, const QString &b, QString *error)
{
    const QStringList args { QStringLiteral("-c"),
        QStringLiteral("import numpy as n,sys; a=n.load(sys.argv[1]); b=n.load(sys.argv[2]); "
                       "print(abs(a-b).max() if a.shape==b.shape else 'shape')"),
        a, b };
    const RunResult r = run(python(), args);
    bool ok = false;
    const double value = QString::fromUtf8(r.out).trimmed().toDouble(&ok);
    if (r.code != 0 || !ok)
        *error = r.describe(python(), args) + QString::fromUtf8(r.out);
    return ok ? value : INFINITY;
}

} // namespace

class TestPromptsInterop : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString missing = pairtune::testrun::torchMissing();
        if (!missing.isEmpty())
            QSKIP(qPrintable(missing));
        QFile file(kSentences);
        QVERIFY(file.open(QIODevice::ReadOnly));
        m_texts = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(m_texts.size() > 20);
        QVERIFY(writeLines(m_dir.filePath(QStringLiteral("texts.txt")), QString(), m_texts));
    }

    void promptedEmbeddingsMatchReference_data()
    {
        QTest::addColumn<QString>("pooling");
        QTest::addColumn<bool>("excludePrompt");
        QTest::addColumn<QString>("promptName");
        QTest::addColumn<QString>("promptText");
        const QString instruct = QStringLiteral("Represent this sentence for searching relevant passages: ");
        for (const char *pooling :
            { "mean", "max", "mean_sqrt_len_tokens", "weightedmean", "lasttoken", "cls" })
            QTest::addRow("%s-excluded", pooling) << QString::fromLatin1(pooling) << true
                                                  << QStringLiteral("query") << QStringLiteral("query: ");
        QTest::addRow("mean-excluded-long")
            << QStringLiteral("mean") << true << QStringLiteral("instruct") << instruct;
        QTest::addRow("mean,max-excluded") << QStringLiteral("mean,max") << true << QStringLiteral("document")
                                           << QStringLiteral("passage: ");
        QTest::addRow("mean-included")
            << QStringLiteral("mean") << false << QStringLiteral("query") << QStringLiteral("query: ");
    }

    void promptedEmbeddingsMatchReference()
    {
        QFETCH(QString, pooling);
        QFETCH(bool, excludePrompt);
        QFETCH(QString, promptName);
        QFETCH(QString, promptText);
        const QString tag = QString::fromLatin1(QTest::currentDataTag());
        const QString folder = m_dir.filePath(tag);
        QStringList make { kReference, QStringLiteral("make-folder"), QStringLiteral("--out"), folder,
            QStringLiteral("--arch"), QStringLiteral("bert"), QStringLiteral("--vocab-file"), kVocab,
            QStringLiteral("--hidden"), QStringLiteral("16"), QStringLiteral("--heads"), QStringLiteral("2"),
            QStringLiteral("--intermediate"), QStringLiteral("32"), QStringLiteral("--max-positions"),
            QStringLiteral("64"), QStringLiteral("--max-seq-length"), QStringLiteral("48"),
            QStringLiteral("--pooling"), pooling, QStringLiteral("--normalize"), QStringLiteral("--prompts"),
            kPrompts, QStringLiteral("--seed"), QStringLiteral("3") };
        if (excludePrompt)
            make << QStringLiteral("--exclude-prompt");
        RUN_OK(python(), make);

        // The reference's input: prompt + text and the prompt alone, tokenized by the CLI.
        const QString prompted = folder + QStringLiteral("-prompted.txt");
        const QString promptOnly = folder + QStringLiteral("-prompt.txt");
        QVERIFY(writeLines(prompted, promptText, m_texts));
        QVERIFY(writeLines(promptOnly, QString(), { promptText }));
        const QString ids = folder + QStringLiteral("-ids.jsonl");
        const QString promptIds = folder + QStringLiteral("-prompt-ids.jsonl");
        RUN_OK(kCli,
            (QStringList { QStringLiteral("tokenize"), QStringLiteral("--model"), folder,
                QStringLiteral("--input"), prompted, QStringLiteral("--output"), ids }));
        RUN_OK(kCli,
            (QStringList { QStringLiteral("tokenize"), QStringLiteral("--model"), folder,
                QStringLiteral("--input"), promptOnly, QStringLiteral("--output"), promptIds }));
        const QString reference = folder + QStringLiteral("-reference.npy");
        RUN_OK(python(),
            (QStringList { kReference, QStringLiteral("embed"), QStringLiteral("--model"), folder,
                QStringLiteral("--ids"), ids, QStringLiteral("--prompt-ids"), promptIds,
                QStringLiteral("--batch-size"), QStringLiteral("5"), QStringLiteral("--output"),
                reference }));

        const QString ours = folder + QStringLiteral("-ours.npy");
        RUN_OK(kCli,
            (QStringList { QStringLiteral("embed"), QStringLiteral("--model"), folder,
                QStringLiteral("--input"), m_dir.filePath(QStringLiteral("texts.txt")),
                QStringLiteral("--prompt-name"), promptName, QStringLiteral("--batch-size"),
                QStringLiteral("7"), QStringLiteral("--output"), ours }));
        QString error;
        const double diff = maxDiff(ours, reference, &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        qInfo("%s: max abs diff %.3g", qPrintable(tag), diff);
        QVERIFY2(diff <= kTolerance, qPrintable(QStringLiteral("max abs diff %1").arg(diff)));

        // --prompt TEXT is the same as naming the prompt.
        const QString byText = folder + QStringLiteral("-bytext.npy");
        RUN_OK(kCli,
            (QStringList { QStringLiteral("embed"), QStringLiteral("--model"), folder,
                QStringLiteral("--input"), m_dir.filePath(QStringLiteral("texts.txt")),
                QStringLiteral("--prompt"), promptText, QStringLiteral("--batch-size"), QStringLiteral("7"),
                QStringLiteral("--output"), byText }));
        QCOMPARE(maxDiff(ours, byText, &error), 0.0);
    }

    void excludingThePromptMatters()
    {
        // The reference with the prompt left in would not pass as the excluded one: the check above can fail.
        const QString folder = m_dir.filePath(QStringLiteral("mean-excluded"));
        const QString ids = folder + QStringLiteral("-ids.jsonl");
        if (!QFile::exists(ids))
            QSKIP("runs after promptedEmbeddingsMatchReference");
        const QString withPrompt = folder + QStringLiteral("-with-prompt.npy");
        RUN_OK(python(),
            (QStringList { kReference, QStringLiteral("embed"), QStringLiteral("--model"), folder,
                QStringLiteral("--ids"), ids, QStringLiteral("--output"), withPrompt }));
        QString error;
        QVERIFY(maxDiff(folder + QStringLiteral("-ours.npy"), withPrompt, &error) > 100 * kTolerance);
    }

    void unknownPromptNameListsTheKnownOnes()
    {
        const QStringList args { QStringLiteral("embed"), QStringLiteral("--model"), kFixture,
            QStringLiteral("--input"), m_dir.filePath(QStringLiteral("texts.txt")),
            QStringLiteral("--prompt-name"), QStringLiteral("retrieval"), QStringLiteral("--output"),
            m_dir.filePath(QStringLiteral("never.npy")) };
        const RunResult r = run(kCli, args);
        QVERIFY2(r.code != 0, qPrintable(r.describe(kCli, args)));
        QVERIFY2(r.err.contains("\"retrieval\"") && r.err.contains("'query', 'document', 'classification'"),
            r.err.constData());
        QVERIFY(!QFile::exists(m_dir.filePath(QStringLiteral("never.npy"))));
    }

private:
    QTemporaryDir m_dir;
    QStringList m_texts;
};

QTEST_GUILESS_MAIN(TestPromptsInterop)
#include "tst_prompts_interop.moc"
