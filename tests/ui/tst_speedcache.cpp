// Issue 17: the Settings page's run estimate uses this computer's measured speed, cached. A timing that
// SpeedProbe measured is written to the studio's settings, read back by a fresh SpeedProbe (a second
// start of the studio) without measuring, and shown there as measured on this computer with its time;
// a change of anything in the key (settings, model folder, CPU, version) measures again, and "Measure
// again" replaces the stored timing. A tiny model keeps the steps at milliseconds.
// SPEED_CACHE_PNG=path saves a picture of the Settings page showing the stored timing.

#include "data/pairdataset.h"
#include "recipe/trainingconfig.h"
#include "studiofixture.h"
#include "ui/loadedmodel.h"
#include "ui/settingspage.h"
#include "ui/speedcache.h"
#include "ui/speedprobe.h"

#include <QFile>
#include <QLabel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 60000;

// Until the probe has a timing for these inputs (measuring it if it must).
const MeasuredStepTiming *measure(SpeedProbe &probe, const std::string &model, const TrainingConfig &config,
    const std::shared_ptr<const PairDataset> &data)
{
    const MeasuredStepTiming *timing = nullptr;
    QTest::qWaitFor([&] { return (timing = probe.timing(model, config, data)) != nullptr; }, kWaitMs);
    return timing;
}

} // namespace

class TestSpeedCache : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
        m_model = m_dir.filePath(QStringLiteral("model")).toStdString();
        QCOMPARE(studiotest::createTinyModel(QString::fromStdString(m_model)), QString());
        const QString pairs = m_dir.filePath(QStringLiteral("pairs.tsv"));
        QVERIFY(studiotest::writePairFile(pairs, 40));
        m_data = std::make_shared<const PairDataset>(PairDataset::load(pairs.toStdString()));
        m_config = SettingsPage().config(); // what the page below asks for, at smaller sizes
        m_config.batchSize = 8;
        m_config.maxSeqLength = 32;
    }

    void init() { QSettings().remove(QStringLiteral("stepTimings")); }

    void timingIsStoredAndReadBackByAFreshProbe()
    {
        const QDateTime before = QDateTime::currentDateTimeUtc().addSecs(-1);
        MeasuredStepTiming first;
        {
            SpeedProbe probe;
            QVERIFY(!probe.timing(m_model, m_config, m_data));
            QVERIFY(probe.measuring());
            const MeasuredStepTiming *timing = measure(probe, m_model, m_config, m_data);
            QVERIFY(timing);
            first = *timing;
        }
        QVERIFY(first.timing.secondsPerStep > 0);
        QVERIFY(first.measuredAt >= before && first.measuredAt <= QDateTime::currentDateTimeUtc());

        // On disk under the key of these inputs, as measured.
        const std::string key = stepTimingKey(m_model, m_config, stepTimingSample(*m_data));
        const std::optional<MeasuredStepTiming> stored = loadStepTiming(key);
        QVERIFY(stored);
        QCOMPARE(stored->timing.secondsPerStep, first.timing.secondsPerStep);
        QCOMPARE(stored->timing.secondsPerEncodedText, first.timing.secondsPerEncodedText);
        QCOMPARE(stored->measuredAt, first.measuredAt);

        // A fresh probe (the studio started again) has it at once and measures nothing.
        SpeedProbe fresh;
        const MeasuredStepTiming *again = fresh.timing(m_model, m_config, m_data);
        QVERIFY(again);
        QVERIFY(!fresh.measuring());
        QCOMPARE(again->timing.secondsPerStep, first.timing.secondsPerStep);
        QCOMPARE(again->measuredAt, first.measuredAt);

        // So does a fresh Settings page: its estimate says so, with the time, and offers to measure again.
        SettingsPage page;
        page.setModel(LoadedModel::load(m_model));
        page.setData(m_data, DataReport {});
        page.setConfig(m_config);
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        auto *numbers = page.findChild<QLabel *>(QStringLiteral("runNumbers"));
        QVERIFY(numbers);
        QTRY_VERIFY_WITH_TIMEOUT(page.estimate().fromMeasuredSteps, 2000);
        const QString when = QLocale().toString(first.measuredAt.toLocalTime(), QLocale::ShortFormat);
        QVERIFY2(numbers->text().contains(QStringLiteral("timed on this computer on ") + when)
                && numbers->text().contains(QStringLiteral("Measure again")),
            qPrintable(numbers->text()));
        // From the stored timing, not a new measurement (which would have added a second entry).
        QSettings settings;
        settings.beginGroup(QStringLiteral("stepTimings"));
        QCOMPARE(settings.childKeys().size(), 1);
        if (qEnvironmentVariableIsSet("SPEED_CACHE_PNG")) {
            page.resize(1010, 700);
            QTest::qWait(200);
            QVERIFY(page.grab().save(qEnvironmentVariable("SPEED_CACHE_PNG")));
        }
    }

    void changedKeyMeasuresAgain()
    {
        SpeedProbe probe;
        QVERIFY(measure(probe, m_model, m_config, m_data));
        const std::string key = stepTimingKey(m_model, m_config, stepTimingSample(*m_data));
        QVERIFY(loadStepTiming(key));

        // Another batch size: another key, measured afresh (a fresh probe, so nothing in memory helps).
        TrainingConfig bigger = m_config;
        bigger.batchSize = 16;
        QVERIFY(stepTimingKey(m_model, bigger, stepTimingSample(*m_data)) != key);
        {
            SpeedProbe fresh;
            QVERIFY(!fresh.timing(m_model, bigger, m_data));
            QVERIFY(fresh.measuring());
        }
        // Another CPU, another Pairtune: not this timing.
        MachineIdentity other = thisMachine();
        other.cpuModel += " (another)";
        QVERIFY(!loadStepTiming(stepTimingKey(m_model, m_config, stepTimingSample(*m_data), other)));
        other = thisMachine();
        other.version += ".1";
        QVERIFY(!loadStepTiming(stepTimingKey(m_model, m_config, stepTimingSample(*m_data), other)));
        QVERIFY(loadStepTiming(stepTimingKey(m_model, m_config, stepTimingSample(*m_data), thisMachine())));

        // The model folder written again (a file added): the stored timing no longer applies.
        QFile extra(QString::fromStdString(m_model) + QStringLiteral("/notes.txt"));
        QVERIFY(extra.open(QIODevice::WriteOnly));
        extra.write("saved again\n");
        extra.close();
        QVERIFY(stepTimingKey(m_model, m_config, stepTimingSample(*m_data)) != key);
        SpeedProbe afterSave;
        QVERIFY(!afterSave.timing(m_model, m_config, m_data));
        QVERIFY(afterSave.measuring());
        QVERIFY(measure(afterSave, m_model, m_config, m_data));
        QVERIFY(QFile::remove(extra.fileName()));
    }

    void measureAgainReplacesTheStoredTiming()
    {
        SpeedProbe probe;
        const MeasuredStepTiming *first = measure(probe, m_model, m_config, m_data);
        QVERIFY(first);
        const QDateTime firstAt = first->measuredAt;
        QTest::qWait(20); // a later time stamp, at millisecond precision
        probe.measureAgain(m_model, m_config, m_data);
        QVERIFY(probe.measuring());
        QVERIFY(!probe.timing(m_model, m_config, m_data));
        const MeasuredStepTiming *second = measure(probe, m_model, m_config, m_data);
        QVERIFY(second);
        QVERIFY(second->measuredAt > firstAt);
        const std::optional<MeasuredStepTiming> stored
            = loadStepTiming(stepTimingKey(m_model, m_config, stepTimingSample(*m_data)));
        QVERIFY(stored);
        QCOMPARE(stored->measuredAt, second->measuredAt);
    }

private:
    QTemporaryDir m_dir;
    std::string m_model;
    std::shared_ptr<const PairDataset> m_data;
    TrainingConfig m_config;
};

QTEST_MAIN(TestSpeedCache)
#include "tst_speedcache.moc"
