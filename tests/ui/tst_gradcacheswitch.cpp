// The Settings page's grad-cache switch (issue 20 part 2): it round-trips TrainingConfig::gradCache,
// leaves mini_batch_size as set, explains when it helps and what it costs, and is off for the losses
// without in-batch negatives (validate() would refuse grad_cache there).

#include "recipe/trainingconfig.h"
#include "ui/settingsform.h"

#include <QCheckBox>
#include <QtTest>

using pairtune::TrainingConfig;
using pairtune::ui::SettingsForm;

class TestGradCacheSwitch : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsForMnrl()
    {
        SettingsForm form;
        TrainingConfig config;
        config.miniBatchSize = 24;
        form.setConfig(config);
        auto *box = form.findChild<QCheckBox *>(QStringLiteral("gradCache"));
        QVERIFY(box);
        QVERIFY(box->isEnabled());
        QVERIFY(!box->isChecked());
        QVERIFY(!form.config().gradCache);
        QVERIFY(box->toolTip().contains("When it helps") && box->toolTip().contains("costs"));
        box->setChecked(true);
        QVERIFY(form.config().gradCache);
        QCOMPARE(form.config().miniBatchSize, 24);
        config.gradCache = true;
        config.loss = "mnrl_symmetric";
        form.setConfig(config);
        QVERIFY(box->isChecked());
        QVERIFY(form.config().gradCache);
    }

    void offForLossesWithoutNegatives()
    {
        SettingsForm form;
        TrainingConfig config;
        config.gradCache = true;
        config.loss = "cosent";
        form.setConfig(config);
        auto *box = form.findChild<QCheckBox *>(QStringLiteral("gradCache"));
        QVERIFY(box);
        QVERIFY(!box->isEnabled());
        QVERIFY(!form.config().gradCache);
    }
};

QTEST_MAIN(TestGradCacheSwitch)
#include "tst_gradcacheswitch.moc"
