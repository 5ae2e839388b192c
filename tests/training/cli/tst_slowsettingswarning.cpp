// `pairtune-cli train` says in one stderr line when the settings are ones the model's folder calls slow
// (pairtune_tuning.json, recipe/modeltuning.h) and names the tested flags; it stays quiet otherwise.
// The built-in model ships such a file: with the recipe's lr 2e-5 it barely moves.

#include "processrun.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);

bool writeText(const QString &path, const QByteArray &text)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(text) == text.size();
}

QList<QByteArray> warningLines(const QByteArray &err)
{
    QList<QByteArray> lines;
    for (const QByteArray &line : err.split('\n'))
        if (line.contains("warning:"))
            lines << line;
    return lines;
}

} // namespace

class TestSlowSettingsWarning : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_pairs;
    QString m_model; // a tiny model folder; the tests add and remove its tuning file

    pairtune::testrun::RunResult train(const QString &base, const QStringList &extra)
    {
        static int runs = 0;
        QStringList args { "train", "--data", m_pairs, "--base", base, "--out",
            m_dir.filePath(QStringLiteral("run%1").arg(++runs)), "--max-steps", "1", "--quiet",
            "--checkpoint-every", "0" };
        args << extra;
        const pairtune::testrun::RunResult result = pairtune::testrun::run(kCli, args, 300000);
        if (result.code != 0)
            qWarning("%s", qPrintable(result.describe(kCli, args)));
        return result;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_pairs = m_dir.filePath(QStringLiteral("pairs.tsv"));
        QByteArray pairs = "anchor\tpositive\n";
        for (int i = 0; i < 24; ++i)
            pairs += QByteArray("word number ") + QByteArray::number(i) + "\tthe meaning of word "
                + QByteArray::number(i) + " in a sentence\n";
        QVERIFY(writeText(m_pairs, pairs));
        m_model = m_dir.filePath(QStringLiteral("tiny"));
        RUN_OK(kCli,
            QStringList({ "create", "--out", m_model, "--vocab",
                QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt"), "--layers", "1",
                "--hidden", "32", "--heads", "2", "--intermediate", "64", "--max-seq-length", "16" }));
    }

    void builtinWithRecipeDefaultsWarnsInOneLine()
    {
        const auto result = train(QStringLiteral("builtin"), {});
        QCOMPARE(result.code, 0);
        const QList<QByteArray> lines = warningLines(result.err);
        QCOMPARE(lines.size(), 1);
        const QByteArray &line = lines.first();
        QVERIFY2(
            line.startsWith("pairtune-cli: warning: lr 2e-05 barely moves this model"), line.constData());
        for (const char *flag :
            { "--epochs 4", "--lr 0.0003", "--warmup-steps 20", "--similarity cos", "--scale 20" })
            QVERIFY2(line.contains(flag), line.constData());
        QVERIFY2(line.contains("pairtune_tuning.json"), line.constData());
    }

    void builtinWithItsTestedLearningRateIsQuiet()
    {
        const auto result = train(QStringLiteral("builtin"), { "--lr", "3e-4" });
        QCOMPARE(result.code, 0);
        QVERIFY2(warningLines(result.err).isEmpty(), result.err.constData());
    }

    void folderWithoutTuningFileIsQuietAndWithOneWarns()
    {
        const QString file = m_model + QStringLiteral("/pairtune_tuning.json");
        QFile::remove(file);
        auto result = train(m_model, {});
        QCOMPARE(result.code, 0);
        QVERIFY2(warningLines(result.err).isEmpty(), result.err.constData());

        QVERIFY(writeText(file,
            R"({"pairtune_tuning": 1, "settings": {"lr": 1e-3, "batch_size": 8},
                "slow_settings": {"lr": 2e-5, "epochs": 8}, "slow_result": "made up for this test"})"));
        result = train(m_model, {});
        QCOMPARE(result.code, 0);
        const QList<QByteArray> lines = warningLines(result.err);
        QCOMPARE(lines.size(), 1);
        QVERIFY2(lines.first().contains("epochs 8, lr 2e-05 barely moves this model (made up for this test)"),
            lines.first().constData());
        QVERIFY2(lines.first().contains("--batch-size 8 --lr 0.001"), lines.first().constData());
        // Every slow value must match: another epoch count is not the slow setting.
        result = train(m_model, { "--epochs", "2" });
        QCOMPARE(result.code, 0);
        QVERIFY2(warningLines(result.err).isEmpty(), result.err.constData());

        // A broken file stops the run with an error naming it, rather than being ignored.
        QVERIFY(writeText(file, R"({"pairtune_tuning": 1, "settings": {"lr": "fast"}})"));
        result = pairtune::testrun::run(kCli,
            { "train", "--data", m_pairs, "--base", m_model, "--out",
                m_dir.filePath(QStringLiteral("broken")), "--max-steps", "1", "--quiet" });
        QCOMPARE(result.code, 1);
        QVERIFY2(result.err.contains("pairtune_tuning.json"), result.err.constData());
        QVERIFY(!QDir(m_dir.filePath(QStringLiteral("broken"))).exists());
    }
};

QTEST_GUILESS_MAIN(TestSlowSettingsWarning)
#include "tst_slowsettingswarning.moc"
