// Try & Export's threshold panel (issue 21 part 2): the default target shows the engine's best-F1
// threshold, the spin box and a mouse drag of the line show the precision/recall the engine gives at that
// threshold (eval/thresholdcurve.h pointAt), a precision target lands on the engine's choice,.
// THRESHOLD_PANEL_PNG=path saves a picture of the panel.

#include "recipe/rng.h"
#include "ui/thresholdpanel.h"
#include "ui/thresholdplot.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QtTest/QtTest>

#include <cmath>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

// Cosines shaped like a tuned model's: true pairs high, random non-pairs low, hard non-pairs in between.
ThresholdPairs syntheticPairs()
{
    Rng rng(3, 1);
    auto normal = [&rng](double mean, double sd) {
        const double u = std::max(rng.uniform01(), 1e-12);
        return mean + sd * std::sqrt(-2.0 * std::log(u)) * std::cos(6.283185307179586 * rng.uniform01());
    };
    auto clamp = [](double x) { return static_cast<float>(std::clamp(x, -1.0, 1.0)); };
    ThresholdPairs pairs;
    for (int i = 0; i < 400; ++i)
        pairs.pairs.push_back({ clamp(normal(0.72, 0.1)), true });
    for (int i = 0; i < 1600; ++i)
        pairs.pairs.push_back({ clamp(normal(0.2, 0.12)), false });
    for (int i = 0; i < 400; ++i)
        pairs.pairs.push_back({ clamp(normal(0.55, 0.1)), false });
    pairs.truePairs = 400;
    pairs.inBatchNonPairs = 1600;
    pairs.hardNonPairs = 400;
    return pairs;
}

QString shown(const ThresholdPoint &p)
{
    return QStringLiteral("precision %1 · recall %2 · F1 %3")
        .arg(p.precision, 0, 'f', 3)
        .arg(p.recall, 0, 'f', 3)
        .arg(p.f1, 0, 'f', 3);
}

} // namespace

class TestThresholdPanel : public QObject
{
    Q_OBJECT

    void checkShownAgainstEngine(const ThresholdPanel &panel, double threshold)
    {
        const ThresholdPoint engine = pointAt(panel.curve(), static_cast<float>(threshold));
        QCOMPARE(panel.shownPoint().truePositives, engine.truePositives);
        QCOMPARE(panel.shownPoint().falsePositives, engine.falsePositives);
        QVERIFY2(panel.resultText().startsWith(shown(engine)), qPrintable(panel.resultText()));
    }

private slots:
    void dragSpinAndTarget()
    {
        ThresholdPanel panel;
        panel.resize(900, 420);
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        const ThresholdPairs pairs = syntheticPairs();
        panel.setPairs(pairs, QStringLiteral("synthetic pairs"));

        // Best F1 by default: the engine's threshold.
        const auto best = bestF1Point(thresholdCurve(pairs.pairs));
        QVERIFY(best);
        QCOMPARE(static_cast<float>(panel.threshold()),
            static_cast<float>(std::round(best->threshold * 1e4) / 1e4));
        checkShownAgainstEngine(panel, panel.plot()->threshold());

        // The spin box.
        panel.thresholdBox()->setValue(0.45);
        QCOMPARE(panel.plot()->threshold(), 0.45);
        checkShownAgainstEngine(panel, 0.45);

        // A drag of the line from 0.45 to 0.65.
        panel.plot()->replot();
        ThresholdPlot *plot = panel.plot();
        const int y = plot->axisRect()->rect().center().y();
        QTest::mousePress(plot, Qt::LeftButton, {}, QPoint(plot->pixelOf(0.45), y));
        QTest::mouseMove(plot, QPoint(plot->pixelOf(0.55), y));
        QMouseEvent move(QEvent::MouseMove, QPointF(plot->pixelOf(0.65), y),
            plot->mapToGlobal(QPointF(plot->pixelOf(0.65), y)), Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(plot, &move);
        QTest::mouseRelease(plot, Qt::LeftButton, {}, QPoint(plot->pixelOf(0.65), y));
        QVERIFY2(std::abs(plot->threshold() - 0.65) < 0.01, qPrintable(QString::number(plot->threshold())));
        QCOMPARE(panel.thresholdBox()->value(), std::round(plot->threshold() * 1e4) / 1e4);
        checkShownAgainstEngine(panel, plot->threshold());

        // Precision >= 0.95: the engine's lowest such threshold, and it meets 0.95.
        auto *target = panel.findChild<QComboBox *>(QStringLiteral("thresholdTarget"));
        QVERIFY(target);
        target->setCurrentIndex(1);
        auto *precisionBox = panel.findChild<QDoubleSpinBox *>(QStringLiteral("thresholdPrecision"));
        QVERIFY(precisionBox);
        precisionBox->setValue(0.95);
        const auto wanted = precisionPoint(thresholdCurve(pairs.pairs), 0.95);
        QVERIFY(wanted);
        QCOMPARE(panel.plot()->threshold(), static_cast<double>(wanted->threshold));
        QVERIFY(panel.shownPoint().precision >= 0.95);
    }

    // Not run by default: the built-in model on the shipped WordNet sample, measured in the background as
    // the studio does, saved as a picture for docs/screenshots (THRESHOLD_PANEL_PNG=path).
    void pictureOfARealMeasurement()
    {
        const QByteArray png = qgetenv("THRESHOLD_PANEL_PNG");
        if (png.isEmpty())
            QSKIP("set THRESHOLD_PANEL_PNG to save a picture");
        ThresholdPanel panel;
        panel.resize(980, 430);
        panel.show();
        QSignalSpy measured(&panel, &ThresholdPanel::measured);
        panel.setSource(QStringLiteral(PAIRTUNE_SOURCE_DIR "/resources/models/builtin"),
            QStringLiteral(PAIRTUNE_SOURCE_DIR "/resources/data/wordnet-demo-pairs.tsv"));
        QVERIFY(measured.wait(600000));
        QVERIFY2(!panel.curve().points.empty(), qPrintable(panel.resultText()));
        panel.plot()->replot();
        QVERIFY(panel.grab().save(QString::fromLocal8Bit(png)));
    }
};

QTEST_MAIN(TestThresholdPanel)
#include "tst_thresholdpanel.moc"
