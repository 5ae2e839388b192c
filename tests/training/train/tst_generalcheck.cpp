// The do-no-harm check of issue 21 (train/generalcheck.h), through `pairtune-cli train` and `eval`: a run
// that damages the built-in model (learning rate 1e-2, no warm-up) must be reported Worse on the shipped
// general-English pairs, with the same before/after MRR@10 that `pairtune-cli eval` (evaluate(), another
// code path) measures on the base and on the run's model; verdict.json, the model card, the CLI's summary
// and `eval --compare --general-check` carry it; --no-general-check leaves it out; config.json files
// from before the key load with the check on. Also the similarity threshold of the run's best/ folder
// (train/similaritythreshold.h): it is the one `eval --threshold f1` measures on the model in best/.

#include "recipe/trainingconfig.h"
#include "trainingclihelpers.h"

#include <QtCore/QFileInfo>
#include <QtTest/QtTest>

#include <nlohmann/json.hpp>

using namespace traintest;

namespace {

QString resource(const char *path)
{
    return QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/../../resources/") + QString::fromLatin1(path);
}

double headline(const QJsonObject &verdict, const char *side)
{
    return verdict.value("metrics").toObject().value("mrr@10").toObject().value(side).toDouble();
}

// mrr@10 of `pairtune-cli eval --model model --data data` (evaluate(): every anchor against every
// distinct positive of the file).
double evalMrr(const QString &model, const QString &data)
{
    const CliResult r = runCli({ "eval", "--model", model, "--data", data, "--threads", "1", "--json" });
    if (r.exitCode != 0)
        return -1.0;
    return parseJsonObject(r.out).value("metrics").toObject().value("mrr@10").toDouble(-1.0);
}

// The best-F1 threshold `pairtune-cli eval --threshold f1` measures for model on data.
QJsonObject measuredThreshold(const QString &model, const QString &data)
{
    const CliResult r = runCli(
        { "eval", "--model", model, "--data", data, "--threshold", "f1", "--threads", "1", "--json" });
    return r.exitCode == 0 ? parseJsonObject(r.out) : QJsonObject();
}

void compareThresholds(const QJsonObject &stored, const QJsonObject &measured)
{
    QVERIFY(!measured.isEmpty());
    for (const char *key : { "threshold", "precision", "recall", "f1" })
        QVERIFY2(std::abs(stored.value(key).toDouble() - measured.value(key).toDouble()) < 1e-6, key);
    QCOMPARE(stored.value("true_pairs").toInt(), measured.value("true_pairs").toInt());
}

} // namespace

class TestGeneralCheck : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // 500 pairs of the demo data: 400 to train on, 100 held out.
        QFile demo(resource("data/wordnet-demo-pairs.tsv"));
        QVERIFY(demo.open(QIODevice::ReadOnly));
        QByteArray head;
        for (int line = 0; line < 501 && !demo.atEnd(); ++line)
            head += demo.readLine();
        m_pairs = m_dir.filePath("demo500.tsv");
        QVERIFY(writeFile(m_pairs, head));
    }

    void damagingRunIsWorseOnTheGeneralSet()
    {
        const QString run = m_dir.filePath("damaged");
        const CliResult r
            = runCli({ "train", "--data", m_pairs, "--base", "builtin", "--out", run, "--max-steps", "10",
                "--lr", "1e-2", "--warmup-steps", "0", "--threads", "1", "--json", "--quiet" });
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QJsonObject summary = parseJsonObject(r.out);
        const QJsonObject general = readJsonObject(run + "/verdict.json").value("general_check").toObject();
        QCOMPARE(general.value("verdict").toString(), QString("Worse"));
        QCOMPARE(general.value("data").toString(), QString("general-check-pairs.tsv"));
        QCOMPARE(general.value("pairs").toInt(), 500);
        QVERIFY(headline(general, "high") < 0.0);
        QVERIFY(QFileInfo::exists(run + "/general-ranks-base.json"));
        QVERIFY(summary.value("general_check").toString().startsWith("Worse: mrr@10"));

        // The ranks agree with evaluate() on the shipped file under the base and under the run's model.
        const QString generalPairs = resource("data/general-check-pairs.tsv");
        QVERIFY(std::abs(headline(general, "before") - evalMrr("builtin", generalPairs)) < 1e-6);
        QVERIFY(std::abs(headline(general, "after") - evalMrr(run + "/model", generalPairs)) < 1e-6);

        const QString card = QString::fromUtf8(readFile(run + "/model/README.md"));
        const qsizetype section = card.indexOf("### General English (do-no-harm check)");
        QVERIFY(section > card.indexOf("## Evaluation: did fine-tuning help?"));
        QVERIFY(card.indexOf("**Worse** (mrr@10) on 500 general English pairs", section) > section);
        for (const QString &metric : general.value("metrics").toObject().keys())
            QVERIFY2(card.indexOf("| " + metric + " | ", section) > section, qPrintable(metric));

        // eval --compare --general-check gives the same verdict (same seed, same ranks).
        const CliResult compared = runCli({ "eval", "--compare", "builtin", run + "/model", "--data",
            run + "/eval-pairs.tsv", "--general-check", "--threads", "1", "--json" });
        QVERIFY2(compared.exitCode == 0, qPrintable(compared.describe()));
        const QJsonObject again = parseJsonObject(compared.out).value("general_check").toObject();
        QCOMPARE(again.value("metrics").toObject(), general.value("metrics").toObject());
        QCOMPARE(again.value("verdict").toString(), QString("Worse"));

        // best/ holds the step-10 state, like model/: its threshold is the one measured on it.
        QCOMPARE(summary.value("best_step").toInt(), 10);
        compareThresholds(readJsonObject(run + "/best/similarity_threshold.json"),
            measuredThreshold(run + "/best", run + "/eval-pairs.tsv"));
        QVERIFY(QString::fromUtf8(readFile(run + "/best/README.md")).contains("## Similarity threshold"));
    }

    // An earlier best: its threshold is measured on the best model, not copied from the final one.
    void bestFolderGetsItsOwnThreshold()
    {
        const QString run = m_dir.filePath("early-best");
        const CliResult r = runCli({ "train", "--data", m_pairs, "--base", "builtin", "--out", run,
            "--max-steps", "6", "--lr", "1e-2", "--warmup-steps", "0", "--eval-every", "1", "--threads", "1",
            "--no-general-check", "--json", "--quiet" });
        QVERIFY2(r.exitCode == 0, qPrintable(r.describe()));
        const QJsonObject summary = parseJsonObject(r.out);
        // The damage grows step by step, so the first evaluation after step 0 stays the best.
        QVERIFY2(summary.value("best_step").toInt() < summary.value("steps").toInt(),
            qPrintable(QString::number(summary.value("best_step").toInt())));
        const QJsonObject best = readJsonObject(run + "/best/similarity_threshold.json");
        compareThresholds(best, measuredThreshold(run + "/best", run + "/eval-pairs.tsv"));
        const QJsonObject final = readJsonObject(run + "/model/similarity_threshold.json");
        QVERIFY(best.value("threshold").toDouble() != final.value("threshold").toDouble());

        // --no-general-check: nothing of the check in the run.
        QVERIFY(!readJsonObject(run + "/verdict.json").contains("general_check"));
        QVERIFY(!QFileInfo::exists(run + "/general-ranks-base.json"));
        QVERIFY(summary.value("general_check").toString().isEmpty());
        QCOMPARE(readJsonObject(run + "/config.json")
                     .value("training")
                     .toObject()
                     .value("general_check")
                     .toBool(true),
            false);
    }

    void olderConfigFilesLoadWithTheCheckOn()
    {
        nlohmann::json stored = pairtune::toJson(pairtune::TrainingConfig {});
        QCOMPARE(stored.at("general_check").get<bool>(), true);
        stored.erase("general_check");
        QVERIFY(pairtune::trainingConfigFromJson(stored, "config.json").generalCheck);
        stored["general_check"] = false;
        QVERIFY(!pairtune::trainingConfigFromJson(stored, "config.json").generalCheck);
    }

    // The CLI's closing text names the check.
    void summaryTextNamesTheCheck()
    {
        const CliResult text = runCli({ "train", "--data", m_pairs, "--base", "builtin", "--out",
            m_dir.filePath("text"), "--max-steps", "2", "--lr", "1e-2", "--threads", "1", "--quiet" });
        QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
        QVERIFY(QString::fromUtf8(text.out).contains("\ndo-no-harm check: "));
    }

private:
    QTemporaryDir m_dir;
    QString m_pairs;
};

QTEST_GUILESS_MAIN(TestGeneralCheck)
#include "tst_generalcheck.moc"
