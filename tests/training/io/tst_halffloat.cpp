// Expected bit patterns are derived from the IEEE 754 definitions: binary16 has 1 sign, 5 exponent
// (bias 15) and 10 mantissa bits; bfloat16 is the top 16 bits of a binary32.
#include "io/halffloat.h"

#include <QtTest>

#include <bit>
#include <cmath>
#include <limits>

using namespace pairtune;

namespace {

float bits(std::uint32_t u)
{
    return std::bit_cast<float>(u);
}

} // namespace

class TestHalfFloat : public QObject
{
    Q_OBJECT

private slots:
    void halfKnownValues_data()
    {
        QTest::addColumn<float>("value");
        QTest::addColumn<quint16>("half");
        QTest::newRow("1.0") << 1.0f << quint16(0x3C00);
        QTest::newRow("-2.0") << -2.0f << quint16(0xC000);
        QTest::newRow("0.5") << 0.5f << quint16(0x3800);
        QTest::newRow("+0") << 0.0f << quint16(0x0000);
        QTest::newRow("-0") << -0.0f << quint16(0x8000);
        QTest::newRow("max 65504") << 65504.0f << quint16(0x7BFF);
        QTest::newRow("-65504") << -65504.0f << quint16(0xFBFF);
        QTest::newRow("smallest normal 2^-14") << std::ldexp(1.0f, -14) << quint16(0x0400);
        QTest::newRow("smallest subnormal 2^-24") << std::ldexp(1.0f, -24) << quint16(0x0001);
        QTest::newRow("largest subnormal 1023*2^-24") << 1023.0f * std::ldexp(1.0f, -24) << quint16(0x03FF);
        QTest::newRow("1/3") << (1.0f / 3.0f) << quint16(0x3555);
        QTest::newRow("inf") << std::numeric_limits<float>::infinity() << quint16(0x7C00);
        QTest::newRow("-inf") << -std::numeric_limits<float>::infinity() << quint16(0xFC00);
        // Rounding: ties go to the even mantissa.
        QTest::newRow("1+2^-11 tie -> even 1.0") << (1.0f + std::ldexp(1.0f, -11)) << quint16(0x3C00);
        QTest::newRow("1+3*2^-11 tie -> even 0x3C02")
            << (1.0f + 3 * std::ldexp(1.0f, -11)) << quint16(0x3C02);
        QTest::newRow("just above a tie rounds up")
            << (1.0f + std::ldexp(1.0f, -11) + std::ldexp(1.0f, -20)) << quint16(0x3C01);
        QTest::newRow("2049 tie -> 2048") << 2049.0f << quint16(0x6800);
        QTest::newRow("2051 tie -> 2052") << 2051.0f << quint16(0x6802);
        QTest::newRow("65519 rounds to max") << 65519.0f << quint16(0x7BFF);
        QTest::newRow("65520 tie -> inf") << 65520.0f << quint16(0x7C00);
        QTest::newRow("1e6 overflows") << 1e6f << quint16(0x7C00);
        QTest::newRow("float max overflows") << std::numeric_limits<float>::max() << quint16(0x7C00);
        // Subnormal rounding: the grid is 2^-24.
        QTest::newRow("2^-25 tie -> 0") << std::ldexp(1.0f, -25) << quint16(0x0000);
        QTest::newRow("1.5*2^-25 -> 1 ulp") << 1.5f * std::ldexp(1.0f, -25) << quint16(0x0001);
        QTest::newRow("3*2^-25 tie -> 2 ulp") << 3.0f * std::ldexp(1.0f, -25) << quint16(0x0002);
        QTest::newRow("5*2^-25 tie -> 2 ulp") << 5.0f * std::ldexp(1.0f, -25) << quint16(0x0002);
        QTest::newRow("-2^-24") << -std::ldexp(1.0f, -24) << quint16(0x8001);
        QTest::newRow("2^-26 underflows") << std::ldexp(1.0f, -26) << quint16(0x0000);
        QTest::newRow("float denormal") << bits(0x00000001) << quint16(0x0000);
        QTest::newRow("largest subnormal + half ulp rounds to normal")
            << 1023.5f * std::ldexp(1.0f, -24) << quint16(0x0400);
    }

    void halfKnownValues()
    {
        QFETCH(float, value);
        QFETCH(quint16, half);
        QCOMPARE(floatToHalf(value), std::uint16_t(half));
    }

    void halfToFloatKnownValues()
    {
        QCOMPARE(halfToFloat(0x3C00), 1.0f);
        QCOMPARE(halfToFloat(0xC000), -2.0f);
        QCOMPARE(halfToFloat(0x7BFF), 65504.0f);
        QCOMPARE(halfToFloat(0x0001), std::ldexp(1.0f, -24));
        QCOMPARE(halfToFloat(0x03FF), 1023.0f * std::ldexp(1.0f, -24));
        QCOMPARE(halfToFloat(0x0400), std::ldexp(1.0f, -14));
        QCOMPARE(halfToFloat(0x3555), 0.333251953125f);
        QCOMPARE(std::bit_cast<std::uint32_t>(halfToFloat(0x8000)), 0x80000000u);
        QCOMPARE(halfToFloat(0x7C00), std::numeric_limits<float>::infinity());
        QCOMPARE(halfToFloat(0xFC00), -std::numeric_limits<float>::infinity());
        QVERIFY(std::isnan(halfToFloat(0x7E00)));
        QVERIFY(std::isnan(halfToFloat(0x7C01)));
        QVERIFY(std::isnan(halfToFloat(0xFE00)));
    }

    void nanStaysNan()
    {
        const float nan = std::numeric_limits<float>::quiet_NaN();
        QCOMPARE(floatToHalf(nan), std::uint16_t(0x7E00));
        QCOMPARE(floatToHalf(-nan), std::uint16_t(0xFE00));
        QCOMPARE(floatToHalf(bits(0x7F800001)) & 0x7FFF, 0x7E00); // signalling NaN becomes quiet, not inf
        QCOMPARE(floatToBf16(nan), std::uint16_t(0x7FC0));
        QCOMPARE(floatToBf16(bits(0x7F800001)), std::uint16_t(0x7FC0));
        QVERIFY(std::isnan(bf16ToFloat(0x7FC0)));
    }

    void everyHalfRoundTrips()
    {
        // All 65536 encodings: widening is exact, so narrowing must give the same bits back.
        for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
            const float f = halfToFloat(static_cast<std::uint16_t>(h));
            if (std::isnan(f)) {
                QVERIFY((h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0);
                QCOMPARE(floatToHalf(f) & 0x7C00, 0x7C00);
                QVERIFY((floatToHalf(f) & 0x3FF) != 0);
                continue;
            }
            if (floatToHalf(f) != h)
                QFAIL(qPrintable(QString("0x%1 did not round-trip").arg(h, 4, 16, QChar('0'))));
        }
    }

    void halfwayPointsRoundToEven()
    {
        // Between every pair of adjacent positive finite halves, the exact midpoint goes to the one with
        // an even mantissa, and anything a float-ulp off the midpoint goes to the nearer one.
        for (std::uint16_t h = 0; h < 0x7BFF; ++h) {
            const float lo = halfToFloat(h), hi = halfToFloat(static_cast<std::uint16_t>(h + 1));
            const float mid = lo + (hi - lo) / 2; // exact in float
            const std::uint16_t even = (h & 1) ? static_cast<std::uint16_t>(h + 1) : h;
            if (floatToHalf(mid) != even)
                QFAIL(qPrintable(QString("midpoint above 0x%1").arg(h, 4, 16, QChar('0'))));
            if (floatToHalf(std::nextafter(mid, 0.0f)) != h
                || floatToHalf(std::nextafter(mid, 1e9f)) != static_cast<std::uint16_t>(h + 1))
                QFAIL(qPrintable(QString("near-midpoint above 0x%1").arg(h, 4, 16, QChar('0'))));
        }
    }

    void bf16KnownValues()
    {
        QCOMPARE(floatToBf16(1.0f), std::uint16_t(0x3F80));
        QCOMPARE(floatToBf16(-2.5f), std::uint16_t(0xC020));
        QCOMPARE(floatToBf16(0.0f), std::uint16_t(0x0000));
        QCOMPARE(floatToBf16(-0.0f), std::uint16_t(0x8000));
        QCOMPARE(floatToBf16(std::numeric_limits<float>::infinity()), std::uint16_t(0x7F80));
        QCOMPARE(floatToBf16(-std::numeric_limits<float>::infinity()), std::uint16_t(0xFF80));
        // Ties to even: 1 + 2^-8 is halfway between 0x3F80 and 0x3F81.
        QCOMPARE(floatToBf16(1.0f + std::ldexp(1.0f, -8)), std::uint16_t(0x3F80));
        QCOMPARE(floatToBf16(1.0f + 3 * std::ldexp(1.0f, -8)), std::uint16_t(0x3F82));
        QCOMPARE(floatToBf16(1.0f + std::ldexp(1.0f, -8) + std::ldexp(1.0f, -20)), std::uint16_t(0x3F81));
        QCOMPARE(floatToBf16(bits(0x3F80FFFF)), std::uint16_t(0x3F81));
        // The largest float rounds up into infinity, as torch's cast does.
        QCOMPARE(floatToBf16(std::numeric_limits<float>::max()), std::uint16_t(0x7F80));
        // Subnormals are kept (no flush to zero).
        QCOMPARE(floatToBf16(bits(0x00010000)), std::uint16_t(0x0001));
        QCOMPARE(floatToBf16(bits(0x00008000)), std::uint16_t(0x0000));
        QCOMPARE(floatToBf16(bits(0x00018000)), std::uint16_t(0x0002));

        QCOMPARE(bf16ToFloat(0x3F80), 1.0f);
        QCOMPARE(bf16ToFloat(0xC020), -2.5f);
        QCOMPARE(bf16ToFloat(0x7F80), std::numeric_limits<float>::infinity());
        QCOMPARE(bf16ToFloat(0x0001), bits(0x00010000));
        for (std::uint32_t h = 0; h <= 0xFFFF; ++h) {
            const float f = bf16ToFloat(static_cast<std::uint16_t>(h));
            if (!std::isnan(f) && floatToBf16(f) != h)
                QFAIL(qPrintable(QString("bf16 0x%1 did not round-trip").arg(h, 4, 16, QChar('0'))));
        }
    }
};

QTEST_APPLESS_MAIN(TestHalfFloat)
#include "tst_halffloat.moc"
