// The encoder's speed-ups keep its results: the fused CPU attention equals attention on one padded grid
// (outputs and every gradient) and, with dropout, the same attention in tensor ops under the same mask;
// the training dropout draws the same distribution as at::dropout, reproducibly from the default
// generator, with a matching backward.
#include "encoderprobe.h"

#include <QtTest>

#include <cmath>

using namespace pairtune;

class TestEncoderSpeedups : public QObject
{
    Q_OBJECT

private slots:
    void fusedAttentionEqualsPadded_data();
    void fusedAttentionEqualsPadded();
    void fusedAttentionDropout_data();
    void fusedAttentionDropout();
    void dropout_data();
    void dropout();
};

void TestEncoderSpeedups::fusedAttentionEqualsPadded_data()
{
    QTest::addColumn<std::vector<int64_t>>("lengths");
    QTest::newRow("short and long texts")
        << std::vector<int64_t> { 3, 120, 4, 118, 5, 60, 61, 2, 119, 7, 58, 6 };
    QTest::newRow("one text of one token") << std::vector<int64_t> { 1, 90, 95, 100, 2, 97 };
    QTest::newRow("a text without tokens") << std::vector<int64_t> { 0, 80, 3, 85, 4, 90 };
    QTest::newRow("equal lengths (no padding)") << std::vector<int64_t> { 9, 9, 9, 9 };
    QTest::newRow("longer than a 16-wide chunk") << std::vector<int64_t> { 17, 33, 16, 15 };
}

// Outputs and every parameter's gradient agree with the padded grid to float32 rounding (relative to
// their size: the gradients of a sum over ~700 tokens reach the hundreds).
void TestEncoderSpeedups::fusedAttentionEqualsPadded()
{
    QFETCH(std::vector<int64_t>, lengths);
    const FusedAttentionCheck check = checkFusedAttention(lengths, 7);
    QVERIFY(check.maxOutputMagnitude > 0.1); // the comparison is not between zeros
    QVERIFY(check.maxGradientMagnitude > 0.1);
    QVERIFY2(check.maxOutputDifference < 1e-5 * std::max(1.0, check.maxOutputMagnitude),
        qPrintable(QString::number(check.maxOutputDifference)));
    QVERIFY2(check.maxGradientDifference < 1e-5 * check.maxGradientMagnitude,
        qPrintable(QString("%1 of %2").arg(check.maxGradientDifference).arg(check.maxGradientMagnitude)));
}

void TestEncoderSpeedups::fusedAttentionDropout_data()
{
    QTest::addColumn<double>("p");
    QTest::addColumn<std::vector<int64_t>>("lengths");
    QTest::newRow("p 0 (inference)") << 0.0 << std::vector<int64_t> { 5, 0, 40, 1, 23 };
    QTest::newRow("p 0.1 (the recipe)") << 0.1 << std::vector<int64_t> { 5, 0, 40, 1, 23, 64 };
    QTest::newRow("p 0.5") << 0.5 << std::vector<int64_t> { 31, 7, 18 };
}

// Forward and backward with dropout equal attention written in tensor ops with the mask the kernel
// draws; the mask drops about p of the probabilities and replays from the generator's seed.
void TestEncoderSpeedups::fusedAttentionDropout()
{
    QFETCH(double, p);
    QFETCH(std::vector<int64_t>, lengths);
    const FusedDropoutCheck check = checkFusedAttentionDropout(lengths, 4, 16, p, 11);
    QVERIFY(check.maxOutputMagnitude > 0.1);
    QVERIFY(check.maxGradientMagnitude > 0.1);
    QVERIFY2(check.maxOutputDifference < 1e-5 * std::max(1.0, check.maxOutputMagnitude),
        qPrintable(QString::number(check.maxOutputDifference)));
    QVERIFY2(check.maxGradientDifference < 1e-5 * std::max(1.0, check.maxGradientMagnitude),
        qPrintable(QString("%1 of %2").arg(check.maxGradientDifference).arg(check.maxGradientMagnitude)));
    QVERIFY(check.reproducibleFromSeed);
    QVERIFY2(std::abs(check.droppedFraction - p) < 0.02, qPrintable(QString::number(check.droppedFraction)));
}

void TestEncoderSpeedups::dropout_data()
{
    QTest::addColumn<double>("p");
    QTest::addColumn<qint64>("n");
    QTest::newRow("p 0.1") << 0.1 << qint64(200001); // odd: the last element has its own draw
    QTest::newRow("p 0.5") << 0.5 << qint64(100000);
    QTest::newRow("p 0.9") << 0.9 << qint64(100000);
}

void TestEncoderSpeedups::dropout()
{
    QFETCH(double, p);
    QFETCH(qint64, n);
    const DropoutCheck check = checkDropout(n, p, 42);
    // Binomial: the kept fraction is within 5 standard deviations of 1 - p.
    const double sd = std::sqrt(p * (1 - p) / double(n));
    QVERIFY2(
        std::abs(check.keptFraction - (1 - p)) < 5 * sd, qPrintable(QString::number(check.keptFraction)));
    QVERIFY2(check.maxKeptScaleError < 1e-5, qPrintable(QString::number(check.maxKeptScaleError)));
    QVERIFY(check.zerosWhereDropped);
    QVERIFY(check.gradientFollowsMask);
    QVERIFY(check.reproducibleFromSeed);
    QVERIFY(check.consecutiveCallsDiffer);
}

QTEST_APPLESS_MAIN(TestEncoderSpeedups)
#include "tst_encoderspeedups.moc"
