// The Model page names the encoder family (BERT, DistilBERT, RoBERTa, XLM-R, MPNet, ModernBERT) with its
// transformers class and the max sequence length against the position table, and warns in one line when
// the model reads long inputs (more than 512 tokens, e.g. ModernBERT's 8192): memory per training batch
// and a shorter length to set. Real folders: tests/data/bpe_models (RoBERTa with 512 positions,
// ModernBERT with 8192) and a tiny BERT from pairtune-cli create. PAIRTUNE_SCREENSHOT_DIR, when set,
// receives a picture of the page with the warning (scripts/screenshots.sh's docs/screenshots).

#include "studiofixture.h"
#include "ui/modelpage.h"

#include <QGroupBox>
#include <QLabel>
#include <QLocale>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>

using namespace pairtune::ui;

namespace {

constexpr int kWaitMs = 60000;

// The summary's label/value rows as "Label: value" lines.
QString summaryText(const ModelPage &page)
{
    QStringList lines;
    for (const QGroupBox *candidate : page.findChildren<QGroupBox *>())
        if (!candidate->isHidden())
            for (const QLabel *label : candidate->findChildren<QLabel *>())
                lines << label->text();
    return lines.join(QLatin1Char('\n'));
}

QString bpeModel(const char *family)
{
    return QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bpe_models/tiny-%1-bpe").arg(QLatin1String(family));
}

} // namespace

class TestModelArchitecture : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { studiotest::isolateSettings(); }

    void modernBertShowsItsAttentionAndWarnsAboutLongInputs()
    {
        ModelPage page;
        page.resize(1100, 700);
        page.show();
        page.chooseFolder(bpeModel("modernbert"));
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        const QString summary = summaryText(page);
        const QLocale locale;
        QVERIFY2(summary.contains(QStringLiteral("ModernBERT (ModernBertModel)")), qPrintable(summary));
        QVERIFY2(
            summary.contains(QStringLiteral("%1 tokens (position table: %1)").arg(locale.toString(8192))),
            qPrintable(summary));
        // The fixture's config: global_attn_every_n_layers 3, local_attention 8.
        QVERIFY2(
            summary.contains(QStringLiteral("every 3 layers global, the others a 8-token sliding window")),
            qPrintable(summary));

        const QString warning = page.longContextWarning();
        QVERIFY2(warning.contains(locale.toString(8192)), qPrintable(warning));
        QVERIFY2(warning.contains(QStringLiteral("Settings page")), qPrintable(warning));
        // A suggested length of 128, 256 or 512 tokens, and memory sizes in bytes units.
        const QRegularExpression suggestion(QStringLiteral("length to (128|256|512) on"));
        QVERIFY2(suggestion.match(warning).hasMatch(), qPrintable(warning));
        QVERIFY2(warning.count(QRegularExpression(QStringLiteral("\\d (kB|MB|GB|TB|PB)"))) == 2,
            qPrintable(warning));
        // 8192 tokens cost more than the suggested length: the first size is the larger one.
        const QRegularExpression sizes(QStringLiteral("about ([\\d.,]+) (kB|MB|GB|TB|PB)"));
        const QStringList units = { "kB", "MB", "GB", "TB", "PB" };
        QList<double> bytes;
        for (QRegularExpressionMatchIterator it = sizes.globalMatch(warning); it.hasNext();) {
            const QRegularExpressionMatch m = it.next();
            bytes << locale.toDouble(m.captured(1)) * std::pow(1000.0, units.indexOf(m.captured(2)) + 1);
        }
        QCOMPARE(bytes.size(), 2);
        QVERIFY2(bytes[0] > 10 * bytes[1], qPrintable(warning));

        if (const QString dir = qEnvironmentVariable("PAIRTUNE_SCREENSHOT_DIR"); !dir.isEmpty())
            QVERIFY(page.grab().save(dir + QStringLiteral("/2b-model-long-context.png")));
    }

    void shortContextModelsShowTheirFamilyWithoutAWarning()
    {
        ModelPage page;
        page.chooseFolder(bpeModel("roberta"));
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QString summary = summaryText(page);
        QVERIFY2(summary.contains(QStringLiteral("RoBERTa (RobertaModel)")), qPrintable(summary));
        // 512 of RoBERTa's 514 positions are usable (they count from pad_token_id + 1).
        QVERIFY2(summary.contains(QStringLiteral("512 tokens (position table: 512)")), qPrintable(summary));
        QVERIFY(!summary.contains(QStringLiteral("sliding window")));
        QVERIFY2(page.longContextWarning().isEmpty(), qPrintable(page.longContextWarning()));

        QTemporaryDir models;
        const QString bert = models.filePath(QStringLiteral("bert"));
        const QString error = studiotest::createTinyModel(bert);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        page.chooseFolder(bert);
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.basePath() == bert, kWaitMs);
        summary = summaryText(page);
        QVERIFY2(summary.contains(QStringLiteral("BERT (BertModel)")), qPrintable(summary));
        QVERIFY(!summary.contains(QStringLiteral("RoBERTa")));
        QVERIFY(page.longContextWarning().isEmpty());
    }

    void theWarningGoesWhenAShortModelFollowsALongOne()
    {
        ModelPage page;
        page.chooseFolder(bpeModel("modernbert"));
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete(), kWaitMs);
        QVERIFY(!page.longContextWarning().isEmpty());
        page.chooseFolder(bpeModel("roberta"));
        QTRY_VERIFY_WITH_TIMEOUT(page.isComplete() && page.basePath() == bpeModel("roberta"), kWaitMs);
        QVERIFY2(page.longContextWarning().isEmpty(), qPrintable(page.longContextWarning()));
    }
};

QTEST_MAIN(TestModelArchitecture)
#include "tst_modelarchitecture.moc"
