#include "core/error.h"
#include "recipe/lrschedule.h"

#include <QtTest>

#include <cmath>
#include <numbers>

using namespace pairtune;

namespace {

bool near(double a, double b)
{
    return std::abs(a - b) < 1e-12;
}

} // namespace

#define QNEAR(actual, expected)                                                                              \
    QVERIFY2(near((actual), (expected)),                                                                     \
        qPrintable(QString("%1 != %2").arg((actual), 0, 'g', 17).arg((expected), 0, 'g', 17)))

class TestLrSchedule : public QObject
{
    Q_OBJECT

private slots:
    void warmupLinearKeySteps()
    {
        const auto f = [](std::int64_t s) { return lrFactor(ScheduleKind::WarmupLinear, s, 100, 1000); };
        QNEAR(f(0), 0.0); // LambdaLR: the first optimizer step runs at lr 0
        QNEAR(f(1), 0.01);
        QNEAR(f(99), 0.99);
        QNEAR(f(100), 1.0);
        QNEAR(f(101), 899.0 / 900.0);
        QNEAR(f(550), 0.5);
        QNEAR(f(999), 1.0 / 900.0);
        QNEAR(f(1000), 0.0);
        QNEAR(f(1100), 0.0); // clamped, never negative
    }

    void warmupLinearEdgeCases()
    {
        // No warmup: full lr from the first step, then linear to 0 at T.
        QNEAR(lrFactor(ScheduleKind::WarmupLinear, 0, 0, 40), 1.0);
        QNEAR(lrFactor(ScheduleKind::WarmupLinear, 10, 0, 40), 0.75);
        QNEAR(lrFactor(ScheduleKind::WarmupLinear, 40, 0, 40), 0.0);
        // One warmup step.
        QNEAR(lrFactor(ScheduleKind::WarmupLinear, 0, 1, 11), 0.0);
        QNEAR(lrFactor(ScheduleKind::WarmupLinear, 1, 1, 11), 1.0);
        // Warmup longer than the run (the classic 10000-step default on a small set): never reaches the peak.
        QNEAR(lrFactor(ScheduleKind::WarmupLinear, 49, 10000, 50), 0.0049);
        // T == W: the decay denominator is max(1, 0) = 1.
        QNEAR(lrFactor(ScheduleKind::WarmupLinear, 20, 20, 20), 0.0);
        QNEAR(lrFactor(ScheduleKind::WarmupLinear, 0, 0, 0), 0.0);
    }

    void constantKinds()
    {
        QNEAR(lrFactor(ScheduleKind::ConstantLr, 0, 100, 1000), 1.0);
        QNEAR(lrFactor(ScheduleKind::ConstantLr, 5000, 100, 1000), 1.0);
        QNEAR(lrFactor(ScheduleKind::WarmupConstant, 0, 100, 1000), 0.0);
        QNEAR(lrFactor(ScheduleKind::WarmupConstant, 50, 100, 1000), 0.5);
        QNEAR(lrFactor(ScheduleKind::WarmupConstant, 99, 100, 1000), 0.99);
        QNEAR(lrFactor(ScheduleKind::WarmupConstant, 100, 100, 1000), 1.0);
        QNEAR(lrFactor(ScheduleKind::WarmupConstant, 5000, 100, 1000), 1.0);
        QNEAR(lrFactor(ScheduleKind::WarmupConstant, 0, 0, 1000), 1.0);
    }

    void warmupCosine()
    {
        const auto f = [](std::int64_t s) { return lrFactor(ScheduleKind::WarmupCosine, s, 100, 1000); };
        QNEAR(f(0), 0.0);
        QNEAR(f(99), 0.99);
        QNEAR(f(100), 1.0);
        QNEAR(f(325), 0.5 * (1.0 + std::cos(std::numbers::pi * 0.25)));
        QNEAR(f(550), 0.5);
        QNEAR(f(1000), 0.0);
        // As in transformers, the half cosine turns up again past T.
        QNEAR(f(1450), 0.5);
        // One full cycle: down to 0 at mid-run, back to 1 at T.
        QNEAR(lrFactor(ScheduleKind::WarmupCosine, 550, 100, 1000, 1.0), 0.0);
        QNEAR(lrFactor(ScheduleKind::WarmupCosine, 1000, 100, 1000, 1.0), 1.0);
    }

    void warmupCosineWithHardRestarts()
    {
        const auto f = [](std::int64_t s, std::optional<double> cycles = std::nullopt) {
            return lrFactor(ScheduleKind::WarmupCosineWithHardRestarts, s, 100, 1000, cycles);
        };
        QNEAR(f(0), 0.0);
        QNEAR(f(99), 0.99);
        QNEAR(f(100), 1.0);
        QNEAR(f(550), 0.5); // one cycle by default: a half cosine over the run
        QNEAR(f(999), 0.5 * (1.0 + std::cos(std::numbers::pi * (899.0 / 900.0))));
        QNEAR(f(1000), 0.0);
        QNEAR(f(2000), 0.0);
        // Two cycles: restarts at full lr half-way.
        QNEAR(f(325, 2.0), 0.5);
        QNEAR(f(549, 2.0), 0.5 * (1.0 + std::cos(std::numbers::pi * std::fmod(2.0 * 449.0 / 900.0, 1.0))));
        QNEAR(f(550, 2.0), 1.0);
        QNEAR(f(775, 2.0), 0.5);
    }

    void names()
    {
        QCOMPARE(scheduleKindFromName("warmuplinear"), ScheduleKind::WarmupLinear);
        QCOMPARE(scheduleKindFromName("WarmupLinear"), ScheduleKind::WarmupLinear);
        QCOMPARE(scheduleKindFromName("constantlr"), ScheduleKind::ConstantLr);
        QCOMPARE(scheduleKindFromName("warmupconstant"), ScheduleKind::WarmupConstant);
        QCOMPARE(scheduleKindFromName("warmupcosine"), ScheduleKind::WarmupCosine);
        QCOMPARE(
            scheduleKindFromName("WarmupCosineWithHardRestarts"), ScheduleKind::WarmupCosineWithHardRestarts);
        QCOMPARE(scheduleKindNames().size(), std::size_t(5));
        for (const auto &name : scheduleKindNames())
            QCOMPARE(scheduleKindName(scheduleKindFromName(name)), name);
        QVERIFY_THROWS_EXCEPTION(Error, scheduleKindFromName("linear"));
    }

    void rejectsNegativeArguments()
    {
        QVERIFY_THROWS_EXCEPTION(Error, lrFactor(ScheduleKind::WarmupLinear, -1, 10, 100));
        QVERIFY_THROWS_EXCEPTION(Error, lrFactor(ScheduleKind::WarmupLinear, 0, -10, 100));
        QVERIFY_THROWS_EXCEPTION(Error, lrFactor(ScheduleKind::WarmupLinear, 0, 10, -100));
    }
};

QTEST_GUILESS_MAIN(TestLrSchedule)
#include "tst_lrschedule.moc"
