// The encoder's row-split element-wise layers (model/fusedlayersimpl.h) against LibTorch's ops: the
// LayerNorm with its residual add (our own kernel: equal to float32 rounding, forward and every
// gradient) and the GELU (LibTorch's kernels on row ranges: bit for bit), on sizes that do and do not
// split across threads and widths that are not a multiple of the 16-float vector.
#include "fusedlayersprobe.h"

#include <QtTest>

using namespace pairtune;

class TestFusedLayers : public QObject
{
    Q_OBJECT

private slots:
    void residualLayerNorm_data();
    void residualLayerNorm();
    void gelu_data();
    void gelu();
};

void TestFusedLayers::residualLayerNorm_data()
{
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<qint64>("width");
    QTest::newRow("MiniLM width, split") << qint64(301) << qint64(384);
    QTest::newRow("odd width, split") << qint64(2003) << qint64(37);
    QTest::newRow("narrower than a vector") << qint64(5) << qint64(7);
    QTest::newRow("one row") << qint64(1) << qint64(33);
}

void TestFusedLayers::residualLayerNorm()
{
    QFETCH(qint64, rows);
    QFETCH(qint64, width);
    const FusedLayerCheck check = checkAddLayerNorm(rows, width, 17);
    QVERIFY(check.maxOutputMagnitude > 0.5); // the comparison is not between zeros
    QVERIFY(check.maxInputGradientMagnitude > 0.05);
    QVERIFY2(check.maxOutputDifference < 1e-5 * check.maxOutputMagnitude,
        qPrintable(QString::number(check.maxOutputDifference)));
    QVERIFY2(check.maxInputGradientDifference < 1e-5 * check.maxInputGradientMagnitude,
        qPrintable(QString::number(check.maxInputGradientDifference)));
    QVERIFY2(check.maxResidualGradientDifference < 1e-5 * check.maxInputGradientMagnitude,
        qPrintable(QString::number(check.maxResidualGradientDifference)));
    QVERIFY2(check.maxWeightGradientDifference < 1e-5 * check.maxWeightGradientMagnitude,
        qPrintable(QString("%1 of %2")
                       .arg(check.maxWeightGradientDifference)
                       .arg(check.maxWeightGradientMagnitude)));
}

void TestFusedLayers::gelu_data()
{
    QTest::addColumn<qint64>("rows");
    QTest::addColumn<qint64>("width");
    QTest::newRow("MiniLM intermediate, split") << qint64(301) << qint64(1536);
    QTest::newRow("odd sizes") << qint64(97) << qint64(13);
}

void TestFusedLayers::gelu()
{
    QFETCH(qint64, rows);
    QFETCH(qint64, width);
    const FusedLayerCheck check = checkSplitGelu(rows, width, 23);
    QVERIFY(check.maxOutputMagnitude > 0.5);
    QVERIFY(check.maxInputGradientMagnitude > 0.5);
    QCOMPARE(check.maxOutputDifference, 0.0);
    QCOMPARE(check.maxInputGradientDifference, 0.0);
}

QTEST_GUILESS_MAIN(TestFusedLayers)
#include "tst_fusedlayers.moc"
