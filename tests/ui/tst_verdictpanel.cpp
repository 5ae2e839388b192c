// Try & Export's verdict panel (issue 21, ui/verdictpanel.h) on a real tiny run made by pairtune-cli:
// it shows the run's verdict.json (the verdict, one row per metric, one per listed gain and loss), a
// click on a row puts its query into the before/after search and runs it, and a run without a verdict
// says so and computes one on request that agrees with the one the run wrote.

#include "studiofixture.h"
#include "train/trainer.h"
#include "ui/comparepanel.h"
#include "ui/tryexportpage.h"
#include "ui/verdictpanel.h"

#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>
#include <QtWidgets/QLabel>
#include <QtWidgets/QLineEdit>
#include <QtWidgets/QPushButton>
#include <QtWidgets/QTableWidget>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestVerdictPanel : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath("tiny");
        const QString created = studiotest::createTinyModel(m_model);
        QVERIFY2(created.isEmpty(), qPrintable(created));
        m_data = m_dir.filePath("pairs.tsv");
        QVERIFY(studiotest::writePairFile(m_data, 120));
        m_run = m_dir.filePath("run");
        QProcess cli;
        cli.start(QStringLiteral(PAIRTUNE_CLI_PATH),
            { "train", "--data", m_data, "--base", m_model, "--out", m_run, "--epochs", "2", "--batch-size",
                "16", "--lr", "1e-3", "--warmup-steps", "2", "--threads", "1", "--quiet" });
        QVERIFY(cli.waitForFinished(300000));
        QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
        m_verdict = readJson(m_run + "/verdict.json");
        QVERIFY(!m_verdict.value("metrics").toObject().isEmpty());
    }

    void showsTheVerdictAndAClickSearchesTheRow()
    {
        TryExportPage page;
        page.resize(1200, 900);
        page.show();
        QSignalSpy loaded(page.verdictPanel(), &VerdictPanel::loaded);
        QSignalSpy ready(page.comparePanel(), &ComparePanel::readyChanged);
        page.setRun(config(), result(), nullptr);
        QVERIFY(loaded.wait(30000) || loaded.count() > 0);
        VerdictPanel *panel = page.verdictPanel();
        QCOMPARE(panel->verdictText(), m_verdict.value("verdict").toString());
        QVERIFY(panel->headline()->text().contains(m_verdict.value("verdict").toString()));
        QCOMPARE(panel->metricsTable()->rowCount(), m_verdict.value("metrics").toObject().size());
        // The do-no-harm line, from verdict.json's general_check.
        const QJsonObject general = m_verdict.value("general_check").toObject();
        QVERIFY(!general.isEmpty());
        QVERIFY(panel->generalCheck()->isVisible());
        const QString generalLine = panel->generalCheck()->text();
        QVERIFY2(generalLine.contains("General English (do-no-harm): " + general.value("verdict").toString()),
            qPrintable(generalLine));
        const QJsonObject generalMrr = general.value("metrics").toObject().value("mrr@10").toObject();
        QVERIFY2(generalLine.contains(QString::number(generalMrr.value("before").toDouble(), 'f', 4) + " → "
                     + QString::number(generalMrr.value("after").toDouble(), 'f', 4)),
            qPrintable(generalLine));
        const QJsonArray gains = m_verdict.value("gains").toArray();
        const QJsonArray losses = m_verdict.value("losses").toArray();
        QCOMPARE(panel->changesTable()->rowCount(), gains.size() + losses.size());
        QVERIFY2(panel->changesTable()->rowCount() > 0, "the tiny run moved no true positive");
        QVERIFY(!panel->computeButton()->isVisible());

        QTRY_VERIFY_WITH_TIMEOUT(page.comparePanel()->isReady(), 120000);
        const QJsonObject first = (gains.isEmpty() ? losses : gains).first().toObject();
        QTableWidget *changes = panel->changesTable();
        const QRect rect = changes->visualItemRect(changes->item(0, 2));
        QSignalSpy searched(page.comparePanel(), &ComparePanel::searchFinished);
        QTest::mouseClick(changes->viewport(), Qt::LeftButton, {}, rect.center());
        QCOMPARE(page.comparePanel()->queryEdit()->text(), first.value("query").toString());
        QVERIFY(searched.wait(60000));
        QVERIFY(page.comparePanel()->baseResults()->rowCount() > 0);
        // For docs/screenshots (the panel and the search it filled): PAIRTUNE_VERDICT_SCREENSHOT=file.png.
        const QString shot = qEnvironmentVariable("PAIRTUNE_VERDICT_SCREENSHOT");
        if (!shot.isEmpty())
            QVERIFY(page.grab().save(shot));
    }

    void aRunWithoutVerdictComputesOne()
    {
        const QString copy = m_dir.filePath("older-run");
        QVERIFY(QDir().mkpath(copy));
        // An older run: no verdict.json and no base ranks (the button ranks under both models).
        for (const char *name : { "config.json", "eval-pairs.tsv" })
            QVERIFY(QFile::copy(m_run + "/" + name, copy + "/" + QLatin1String(name)));
        QVERIFY(QDir().mkpath(copy + "/model"));
        for (const QFileInfo &file : QDir(m_run + "/model").entryInfoList(QDir::Files))
            QVERIFY(QFile::copy(file.filePath(), copy + "/model/" + file.fileName()));
        for (const QFileInfo &dir : QDir(m_run + "/model").entryInfoList(QDir::Dirs | QDir::NoDotAndDotDot)) {
            QVERIFY(QDir().mkpath(copy + "/model/" + dir.fileName()));
            for (const QFileInfo &file : QDir(dir.filePath()).entryInfoList(QDir::Files))
                QVERIFY(
                    QFile::copy(file.filePath(), copy + "/model/" + dir.fileName() + "/" + file.fileName()));
        }

        VerdictPanel panel;
        panel.resize(1000, 400);
        panel.show();
        QSignalSpy loaded(&panel, &VerdictPanel::loaded);
        panel.setRun(copy);
        QVERIFY(loaded.wait(30000));
        QVERIFY(panel.verdictText().isEmpty());
        QVERIFY(panel.computeButton()->isVisible());
        QVERIFY(panel.headline()->text().contains("none"));
        QVERIFY(!panel.generalCheck()->isVisible());

        panel.computeButton()->click();
        QVERIFY(panel.isBusy());
        QTRY_VERIFY_WITH_TIMEOUT(!panel.isBusy(), 120000);
        QCOMPARE(panel.verdictText(), m_verdict.value("verdict").toString());
        const QJsonObject computed = readJson(copy + "/verdict.json");
        QVERIFY(QFile::exists(copy + "/eval-ranks-base.json"));
        // The general check too, its base ranks made from the base model as the run made them.
        QVERIFY(QFile::exists(copy + "/general-ranks-base.json"));
        QCOMPARE(readFile(copy + "/general-ranks-base.json"), readFile(m_run + "/general-ranks-base.json"));
        QCOMPARE(computed.value("general_check").toObject().value("metrics").toObject(),
            m_verdict.value("general_check").toObject().value("metrics").toObject());
        QVERIFY(panel.generalCheck()->isVisible());
        // The same ranks from the run folder's files as the run had from memory: the same verdict.
        const QJsonObject metrics = computed.value("metrics").toObject();
        const QJsonObject expected = m_verdict.value("metrics").toObject();
        QCOMPARE(metrics.keys(), expected.keys());
        for (const QString &key : expected.keys())
            for (const char *side : { "before", "after", "low", "high" })
                QVERIFY2(std::abs(metrics.value(key).toObject().value(side).toDouble()
                             - expected.value(key).toObject().value(side).toDouble())
                        < 1e-6,
                    qPrintable(key + " " + side));
    }

private:
    TrainingConfig config() const
    {
        TrainingConfig c;
        c.dataPaths = { m_data.toStdString() };
        c.basePath = m_model.toStdString();
        c.outPath = m_run.toStdString();
        return c;
    }
    TrainingResult result() const
    {
        TrainingResult r;
        r.runPath = m_run.toStdString();
        r.modelPath = (m_run + "/model").toStdString();
        r.steps = 12;
        return r;
    }

    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
    QString m_run;
    QJsonObject m_verdict;
};

QTEST_MAIN(TestVerdictPanel)
#include "tst_verdictpanel.moc"
