// Presets that know the model (issue 14, trap 7): the built-in model's folder carries its tested
// settings (pairtune_tuning.json); "Recommended" uses them and says so, and the Settings page warns in
// one line, before the run starts, when the settings are the ones that barely move this model.

#include "studiofixture.h"
#include "ui/loadedmodel.h"
#include "ui/messagebanner.h"
#include "ui/settingspage.h"

#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>

using namespace pairtune;
using namespace pairtune::ui;

class TestModelTuningPreset : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::shared_ptr<LoadedModel> m_builtin;
    std::shared_ptr<LoadedModel> m_plain; // a model folder without a tuning file

    static QPushButton *button(SettingsPage &page, const char *name)
    {
        auto *found = page.findChild<QPushButton *>(QString::fromLatin1(name));
        if (!found)
            qFatal("no button %s", name);
        return found;
    }
    static MessageBanner *note(SettingsPage &page)
    {
        return page.findChild<MessageBanner *>(QStringLiteral("tuningNote"));
    }

private Q_SLOTS:
    void initTestCase()
    {
        studiotest::isolateSettings();
        QVERIFY(m_dir.isValid());
        m_builtin = LoadedModel::load(PAIRTUNE_SOURCE_DIR "/resources/models/builtin");
        const QString plain = m_dir.filePath(QStringLiteral("tiny"));
        const QString error = studiotest::createTinyModel(plain);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        m_plain = LoadedModel::load(plain.toStdString());
    }

    void recipeDefaultsOnTheBuiltinModelWarnBeforeTheRun()
    {
        SettingsPage page;
        page.setModel(m_builtin);
        page.setConfig(TrainingConfig {}); // the recipe: lr 2e-5
        page.show();
        QVERIFY(QTest::qWaitForWindowExposed(&page));
        QVERIFY(page.modelTuning());
        const QString warning = page.slowSettingsWarning();
        QVERIFY2(warning.startsWith(QStringLiteral("lr 2e-05 barely moves this model")), qPrintable(warning));
        QVERIFY(!warning.contains(QLatin1Char('\n')));
        QVERIFY(note(page)->isVisible());
        QCOMPARE(note(page)->kind(), MessageBanner::Kind::Warning);
        // For looking at the page: PAIRTUNE_GRAB_DIR=folder saves it as an image.
        if (qEnvironmentVariableIsSet("PAIRTUNE_GRAB_DIR")) {
            page.resize(1100, 700);
            QTest::qWait(200);
            page.grab().save(
                qEnvironmentVariable("PAIRTUNE_GRAB_DIR") + QStringLiteral("/slow-settings.png"));
        }
        for (const char *flag :
            { "--epochs 4", "--lr 0.0003", "--warmup-steps 20", "--similarity cos", "--scale 20" })
            QVERIFY2(note(page)->text().contains(QLatin1String(flag)), flag);
        // The banner's button applies the tested settings, and the warning goes away.
        auto *use = note(page)->findChild<QPushButton *>();
        QVERIFY(use);
        QTest::mouseClick(use, Qt::LeftButton);
        QCOMPARE(page.config().lr, 3e-4);
        QVERIFY(page.slowSettingsWarning().isEmpty());
        QTRY_VERIFY(!note(page)->isVisible());
    }

    void recommendedUsesTheModelsTestedSettingsAndSaysSo()
    {
        SettingsPage page;
        page.setModel(m_builtin);
        QVERIFY2(
            button(page, "presetRecommended")
                ->toolTip()
                .startsWith(QStringLiteral("Recommended for this model: tested settings from its folder")),
            qPrintable(button(page, "presetRecommended")->toolTip()));
        QTest::mouseClick(button(page, "presetRecommended"), Qt::LeftButton);
        const TrainingConfig tuned = page.config();
        QCOMPARE(tuned.epochs, 4);
        QCOMPARE(tuned.lr, 3e-4);
        QCOMPARE(tuned.warmupSteps, std::int64_t(20));
        QCOMPARE(tuned.similarity, std::string("cos"));
        QCOMPARE(tuned.scale, 20.0);
        QVERIFY(page.slowSettingsWarning().isEmpty());
        // Back to the recipe: the warning returns.
        QTest::mouseClick(button(page, "presetRecipe"), Qt::LeftButton);
        QCOMPARE(page.config().lr, 2e-5);
        QVERIFY(!page.slowSettingsWarning().isEmpty());
    }

    void aModelWithoutTestedSettingsKeepsTheGeneralRecommendation()
    {
        SettingsPage page;
        page.setModel(m_plain);
        QVERIFY(!page.modelTuning());
        QVERIFY(!button(page, "presetRecommended")->toolTip().contains(QStringLiteral("for this model")));
        QTest::mouseClick(button(page, "presetRecommended"), Qt::LeftButton);
        QCOMPARE(page.config().lr, TrainingConfig {}.lr);
        QCOMPARE(page.config().epochs, 3);
        QCOMPARE(page.config().similarity, std::string("cos"));
        QVERIFY(page.slowSettingsWarning().isEmpty());
        QVERIFY(!note(page)->isVisibleTo(&page));
    }
};

QTEST_MAIN(TestModelTuningPreset)
#include "tst_modeltuningpreset.moc"
