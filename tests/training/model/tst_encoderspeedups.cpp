// The encoder's speed-ups keep its results: attention on groups of texts of similar length equals
// attention on one padded grid (outputs and every gradient), and the training dropout draws the same
// distribution as at::dropout, reproducibly from the default generator, with a matching backward.
#include "model/encoderprobe.h"

#include <QtTest>

#include <numeric>

using namespace pairtune;

class TestEncoderSpeedups : public QObject
{
    Q_OBJECT

private slots:
    void groupedAttentionEqualsPadded_data();
    void groupedAttentionEqualsPadded();
    void groupsFollowLengths();
    void dropout_data();
    void dropout();
};

void TestEncoderSpeedups::groupedAttentionEqualsPadded_data()
{
    QTest::addColumn<std::vector<int64_t>>("lengths");
    QTest::addColumn<bool>("severalGroups");
    QTest::newRow("short and long texts")
        << std::vector<int64_t> { 3, 120, 4, 118, 5, 60, 61, 2, 119, 7, 58, 6 } << true;
    QTest::newRow("one text of one token") << std::vector<int64_t> { 1, 90, 95, 100, 2, 97 } << true;
    QTest::newRow("a text without tokens") << std::vector<int64_t> { 0, 80, 3, 85, 4, 90 } << true;
    QTest::newRow("equal lengths (no padding)") << std::vector<int64_t> { 9, 9, 9, 9 } << false;
    QTest::newRow("similar lengths (one group)") << std::vector<int64_t> { 9, 10, 8, 11 } << false;
}

void TestEncoderSpeedups::groupedAttentionEqualsPadded()
{
    QFETCH(std::vector<int64_t>, lengths);
    QFETCH(bool, severalGroups);
    const GroupedAttentionCheck check = checkGroupedAttention(lengths, 7);
    QCOMPARE(check.groupSizes.size() > 1, severalGroups);
    QVERIFY(check.maxOutputMagnitude > 0.1); // the comparison is not between zeros
    QVERIFY2(check.maxOutputDifference < 1e-5, qPrintable(QString::number(check.maxOutputDifference)));
    QVERIFY2(check.maxGradientDifference < 1e-4, qPrintable(QString::number(check.maxGradientDifference)));
}

// Every text lands in exactly one group; very different lengths are not padded together.
void TestEncoderSpeedups::groupsFollowLengths()
{
    std::vector<int64_t> lengths;
    for (int i = 0; i < 16; ++i)
        lengths.push_back(i % 2 ? 4 : 200);
    const GroupedAttentionCheck check = checkGroupedAttention(lengths, 3);
    QCOMPARE(check.groupSizes, (std::vector<int64_t> { 8, 8 }));
    QCOMPARE(std::accumulate(check.groupSizes.begin(), check.groupSizes.end(), int64_t(0)), int64_t(16));
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
