// AdamW's two update paths through the torch-free probe: the fused CPU loop and the multi-tensor
// (_foreach) path that GPU parameters take must give the same parameters, step after step.

#include "adamwprobe.h"

#include <QtTest>

#include <cmath>

class TestAdamW : public QObject
{
    Q_OBJECT

private slots:
    void fusedAndMultiTensorPathsAgree()
    {
        const pairtune::AdamWPathsResult r = pairtune::probeAdamWPaths(5, 1e-2, 7);
        QCOMPARE(r.fused.size(), r.initial.size());
        QCOMPARE(r.general.size(), r.initial.size());
        double moved = 0.0;
        for (std::size_t i = 0; i < r.initial.size(); ++i) {
            moved = std::max(moved, double(std::abs(r.fused[i] - r.initial[i])));
            // Same float32 arithmetic in the same order; only rounding of the fused loop may differ.
            QVERIFY2(std::abs(r.fused[i] - r.general[i]) <= 1e-6f + 1e-5f * std::abs(r.fused[i]),
                qPrintable(QString("element %1: fused %2, multi-tensor %3")
                               .arg(i)
                               .arg(r.fused[i])
                               .arg(r.general[i])));
        }
        // Five steps of lr 1e-2: Adam moves each weight by about lr per step.
        QVERIFY2(moved > 0.02, qPrintable(QString("largest change %1").arg(moved)));
    }
};

QTEST_GUILESS_MAIN(TestAdamW)
#include "tst_adamw.moc"
