// Issue 20 in the studio: the Settings page's "Matryoshka sizes" switch reaches the run's config and comes
// back from it, and Try & Export's Sizes tab charts MRR@10 at every size the run evaluated (its dimD/mrr@10
// metrics) before and after, or says how to get sizes for a run without them.

#include "train/trainer.h"
#include "ui/chartwidget.h"
#include "ui/matryoshkapanel.h"
#include "ui/settingsform.h"

#include <QCheckBox>
#include <QtTest>

using pairtune::TrainingConfig;
using pairtune::TrainingResult;
using pairtune::ui::MatryoshkaPanel;
using pairtune::ui::SettingsForm;

class TestMatryoshkaPanel : public QObject
{
    Q_OBJECT

private slots:
    void settingsSwitchRoundTrips()
    {
        SettingsForm form;
        TrainingConfig config;
        config.matryoshkaDims = { 256, 64 }; // kept as set: the switch alone does not touch them
        form.setConfig(config);
        QVERIFY(!form.matryoshkaBox()->isChecked());
        QVERIFY(!form.config().matryoshka);
        QVERIFY(!form.matryoshkaBox()->toolTip().isEmpty());
        form.matryoshkaBox()->setChecked(true);
        QVERIFY(form.config().matryoshka);
        QCOMPARE(form.config().matryoshkaDims, (std::vector<int> { 256, 64 }));
        config.matryoshka = true;
        form.setConfig(config);
        QVERIFY(form.matryoshkaBox()->isChecked());
    }

    void chartsEverySizeBeforeAndAfter()
    {
        MatryoshkaPanel panel;
        TrainingConfig config;
        config.matryoshka = true; // sizes left to the run's start: the metrics name them
        TrainingResult result;
        result.evalBefore = { { "mrr@10", 0.5 }, { "dim128/mrr@10", 0.5 }, { "dim64/mrr@10", 0.4 },
            { "dim32/mrr@10", 0.25 }, { "dim32/accuracy@1", 0.1 } };
        result.evalAfter = { { "mrr@10", 0.7 }, { "dim128/mrr@10", 0.7 }, { "dim64/mrr@10", 0.65 },
            { "dim32/mrr@10", 0.55 } };
        panel.setRun(config, result);
        QCOMPARE(panel.chart()->pointCount(0), 3);
        QCOMPARE(panel.chart()->pointCount(1), 3);
        const QString text = panel.summaryText();
        QVERIFY2(text.contains("128, 64, 32"), qPrintable(text));
        QVERIFY2(text.contains("32: 0.250 → 0.550"), qPrintable(text));
        QVERIFY2(text.contains("128: 0.500 → 0.700"), qPrintable(text));
    }

    void runWithoutSizesSaysHowToGetThem()
    {
        MatryoshkaPanel panel;
        TrainingResult result;
        result.evalBefore = { { "mrr@10", 0.5 } };
        result.evalAfter = { { "mrr@10", 0.7 } };
        panel.setRun(TrainingConfig {}, result);
        QCOMPARE(panel.chart()->pointCount(0), 0);
        QVERIFY(panel.summaryText().contains("Matryoshka sizes"));
    }
};

QTEST_MAIN(TestMatryoshkaPanel)
#include "tst_matryoshkapanel.moc"
