// Reading a run back from disk (train/runrecord.h) and comparing runs (train/runcomparison.h), on two
// real tiny runs of `pairtune-cli train` that differ only in --lr. Expected values come from parsing
// the run's files here with Qt's JSON reader, not from the code under test.

#include "core/error.h"
#include "tinyruns.h"
#include "train/runcomparison.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

class TestRunRecord : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void readsFinishedRun();
    void lossesAndEvaluationsMatchMetricsFile();
    void diffNamesExactlyTheChangedSetting();
    void diffNamesChangedDataHash();
    void sameRunHasNoDifferences();
    void stoppedAndRunningElsewhere();
    void notARunFolder();
    void listsRunsOfAParent();

private:
    QString copyRun(const QString &from, const QString &name);
    QTemporaryDir m_dir;
    tinyruns::Runs m_runs;
};

namespace {

std::vector<QJsonObject> metricsEvents(const QString &run)
{
    QFile file(run + "/metrics.jsonl");
    std::vector<QJsonObject> events;
    if (!file.open(QIODevice::ReadOnly))
        return events;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            events.push_back(doc.object());
    }
    return events;
}

void rewriteMetrics(const QString &run, const std::vector<QJsonObject> &events)
{
    QFile file(run + "/metrics.jsonl");
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    for (const QJsonObject &event : events)
        file.write(QJsonDocument(event).toJson(QJsonDocument::Compact) + "\n");
}

} // namespace

void TestRunRecord::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_runs = tinyruns::makeRuns(m_dir.path());
    QVERIFY2(m_runs.error.isEmpty(), qPrintable(m_runs.error));
}

QString TestRunRecord::copyRun(const QString &from, const QString &name)
{
    const QString to = m_dir.filePath(name);
    std::filesystem::copy(from.toStdString(), to.toStdString(), std::filesystem::copy_options::recursive);
    return to;
}

void TestRunRecord::readsFinishedRun()
{
    const pairtune::RunRecord run = pairtune::readRunRecord(m_runs.runA.toStdString());
    QCOMPARE(QString::fromStdString(run.name), QString("run-lr-1e-3"));
    QCOMPARE(run.status, pairtune::RunStatus::Finished);
    QCOMPARE(run.lastStep, 3);
    QCOMPARE(run.totalSteps, 3);
    QCOMPARE(QString::fromStdString(run.baseModel), QFileInfo(m_runs.model).absoluteFilePath());
    QCOMPARE(run.dataFiles.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(run.dataFiles[0].path), QFileInfo(m_runs.data).absoluteFilePath());
    QFile data(m_runs.data);
    QVERIFY(data.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromStdString(run.dataFiles[0].sha256),
        QString::fromLatin1(QCryptographicHash::hash(data.readAll(), QCryptographicHash::Sha256).toHex()));
    QVERIFY2(
        QString::fromStdString(run.settingsSummary()).contains("lr 0.001"), run.settingsSummary().c_str());
    QVERIFY(run.resumeStep.has_value());
    QCOMPARE(*run.resumeStep, 3);
    const QDateTime started = QFileInfo(m_runs.runA + "/config.json").lastModified();
    QCOMPARE(run.startedUnix, started.toSecsSinceEpoch());
}

void TestRunRecord::lossesAndEvaluationsMatchMetricsFile()
{
    const pairtune::RunRecord run = pairtune::readRunRecord(m_runs.runA.toStdString());
    std::vector<QJsonObject> steps;
    std::vector<QJsonObject> evaluations;
    for (const QJsonObject &event : metricsEvents(m_runs.runA)) {
        if (event["type"].toString() == "step")
            steps.push_back(event);
        if (event["type"].toString() == "evaluation")
            evaluations.push_back(event);
    }
    QCOMPARE(run.losses.size(), steps.size());
    QCOMPARE(steps.size(), std::size_t(3));
    for (std::size_t i = 0; i < steps.size(); ++i) {
        QCOMPARE(run.losses[i].step, steps[i]["step"].toInteger());
        QCOMPARE(run.losses[i].loss, steps[i]["loss"].toDouble());
        QCOMPARE(run.losses[i].smoothedLoss, steps[i]["smoothed_loss"].toDouble());
    }
    QCOMPARE(run.evaluations.size(), evaluations.size());
    QVERIFY(evaluations.size() >= 3); // baseline, step 2 (--eval-every 2), the final step 3
    double best = -1;
    std::int64_t bestStep = -1;
    for (std::size_t i = 0; i < evaluations.size(); ++i) {
        const QJsonObject metrics = evaluations[i]["metrics"].toObject();
        QCOMPARE(run.evaluations[i].step, evaluations[i]["step"].toInteger());
        QCOMPARE(run.evaluations[i].metrics.size(), std::size_t(metrics.size()));
        QCOMPARE(run.evaluations[i].metrics.at("mrr@10"), metrics["mrr@10"].toDouble());
        if (evaluations[i]["step"].toInteger() > 0 && metrics["mrr@10"].toDouble() > best) {
            best = metrics["mrr@10"].toDouble();
            bestStep = evaluations[i]["step"].toInteger();
        }
    }
    QVERIFY(run.baseline() && run.baseline()->step == 0);
    QVERIFY(run.finalEvaluation() && run.finalEvaluation()->step == 3);
    QCOMPARE(QString::fromStdString(run.bestMetric), QString("mrr@10"));
    QVERIFY(run.bestValue.has_value());
    QCOMPARE(*run.bestValue, best);
    QCOMPARE(run.bestStep, bestStep);
}

void TestRunRecord::diffNamesExactlyTheChangedSetting()
{
    const pairtune::RunComparison comparison
        = pairtune::compareRuns({ pairtune::readRunRecord(m_runs.runA.toStdString()),
            pairtune::readRunRecord(m_runs.runB.toStdString()) });
    QCOMPARE(comparison.runs.size(), std::size_t(2));
    QCOMPARE(comparison.differences.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(comparison.differences[0].key), QString("training.lr"));
    QCOMPARE(comparison.differences[0].values, (std::vector<std::string> { "0.001", "0.005" }));
    // The two runs trained differently, and the comparison carries each one's own numbers.
    QVERIFY(comparison.runs[0].losses.back().loss != comparison.runs[1].losses.back().loss);
}

void TestRunRecord::diffNamesChangedDataHash()
{
    const QString copy = copyRun(m_runs.runA, "run-other-data");
    QFile configFile(copy + "/config.json");
    QVERIFY(configFile.open(QIODevice::ReadOnly));
    QJsonObject config = QJsonDocument::fromJson(configFile.readAll()).object();
    configFile.close();
    QJsonArray data = config["data"].toArray();
    QJsonObject file = data[0].toObject();
    file["sha256"] = QString(64, 'a');
    data[0] = file;
    config["data"] = data;
    QVERIFY(configFile.open(QIODevice::WriteOnly | QIODevice::Truncate));
    configFile.write(QJsonDocument(config).toJson());
    configFile.close();

    const pairtune::RunComparison comparison = pairtune::compareRuns(
        { pairtune::readRunRecord(m_runs.runA.toStdString()), pairtune::readRunRecord(copy.toStdString()) });
    QCOMPARE(comparison.differences.size(), std::size_t(1));
    QCOMPARE(QString::fromStdString(comparison.differences[0].key), QString("data[0].sha256"));
    QCOMPARE(QString::fromStdString(comparison.differences[0].values[1]), QString(64, 'a'));
}

void TestRunRecord::sameRunHasNoDifferences()
{
    // out_path and the compute line always differ between two folders; they are not settings.
    const QString copy = copyRun(m_runs.runA, "run-copy");
    const pairtune::RunComparison comparison = pairtune::compareRuns(
        { pairtune::readRunRecord(m_runs.runA.toStdString()), pairtune::readRunRecord(copy.toStdString()) });
    QVERIFY(comparison.differences.empty());
    const auto flat = pairtune::flattenRunSettings(comparison.runs[0].config);
    QCOMPARE(QString::fromStdString(flat.at("training.lr")), QString("0.001"));
    QCOMPARE(flat.count("training.out_path"), std::size_t(0));
}

void TestRunRecord::stoppedAndRunningElsewhere()
{
    // A run killed after step 3: metrics.jsonl without its "finished" line.
    const QString killed = copyRun(m_runs.runA, "run-killed");
    std::vector<QJsonObject> events = metricsEvents(killed);
    QCOMPARE(events.back()["type"].toString(), QString("finished"));
    events.pop_back();
    rewriteMetrics(killed, events);
    const std::int64_t written = QFileInfo(killed + "/metrics.jsonl").lastModified().toSecsSinceEpoch();

    const pairtune::RunRecord running = pairtune::readRunRecord(killed.toStdString(), written + 5);
    QCOMPARE(running.status, pairtune::RunStatus::Running);
    const pairtune::RunRecord stopped
        = pairtune::readRunRecord(killed.toStdString(), written + pairtune::kRunningWindowSeconds + 1);
    QCOMPARE(stopped.status, pairtune::RunStatus::Stopped);
    QCOMPARE(stopped.resumeStep.value_or(-1), 3);

    // A cancelled run ended: stopped however recent its last write.
    QJsonObject cancelled { { "type", "finished" }, { "step", 3 }, { "epoch", 0 },
        { "message", "cancelled; continue with resume" } };
    events.push_back(cancelled);
    rewriteMetrics(killed, events);
    QCOMPARE(pairtune::readRunRecord(killed.toStdString()).status, pairtune::RunStatus::Stopped);
}

void TestRunRecord::notARunFolder()
{
    const QString empty = m_dir.filePath("not-a-run");
    QVERIFY(QDir().mkpath(empty));
    try {
        pairtune::readRunRecord(empty.toStdString());
        QFAIL("an empty folder was read as a run");
    } catch (const pairtune::Error &e) {
        QVERIFY2(QString(e.what()).startsWith(empty + ": is not a Pairtune run folder"), e.what());
    }
    QVERIFY(!QDir(empty + "/checkpoints").exists()); // reading never writes
    QVERIFY_THROWS_EXCEPTION(pairtune::Error, pairtune::readRunRecord(m_runs.model.toStdString()));
}

void TestRunRecord::listsRunsOfAParent()
{
    const std::vector<pairtune::RunRecord> runs = pairtune::listRunRecords(m_dir.path().toStdString());
    QStringList names;
    for (const pairtune::RunRecord &run : runs)
        names << QString::fromStdString(run.name);
    QVERIFY2(names.contains("run-lr-1e-3") && names.contains("run-lr-5e-3"), qPrintable(names.join(",")));
    QVERIFY(!names.contains("model"));
    for (std::size_t i = 1; i < runs.size(); ++i)
        QVERIFY(runs[i - 1].startedUnix >= runs[i].startedUnix);
}

QTEST_GUILESS_MAIN(TestRunRecord)
#include "tst_runrecord.moc"
