// The training losses through the torch-free probe: values computed by hand (derivations in the
// comments, docs/formats.md §5.1), gradients against central finite differences of the probe itself,
// and the loss/score contract (MNRL ignores scores, the score losses do not).

#include "core/error.h"
#include "lossprobe.h"

#include <QtTest>

#include <cmath>
#include <random>

using pairtune::LossProbeInput;
using pairtune::LossProbeOutput;
using pairtune::Matrix;
using pairtune::probeLoss;
using pairtune::randomMatrix;

namespace {

// log(1 + e^-x): the cross-entropy of a two-way softmax whose right logit leads by x.
double softplusNeg(double x)
{
    return std::log1p(std::exp(-x));
}

LossProbeInput input(const std::string &loss, const std::string &similarity, double scale, Matrix anchors,
    Matrix positives, std::vector<Matrix> negatives = {}, std::vector<float> scores = {})
{
    LossProbeInput in;
    in.loss = loss;
    in.similarity = similarity;
    in.scale = scale;
    in.anchors = std::move(anchors);
    in.positives = std::move(positives);
    in.negatives = std::move(negatives);
    in.scores = std::move(scores);
    return in;
}

bool close(double actual, double expected, double relative, double absolute)
{
    return std::abs(actual - expected) <= absolute + relative * std::abs(expected);
}

} // namespace

class TestLosses : public QObject
{
    Q_OBJECT

private slots:
    void handComputed_data();
    void handComputed();
    void mnrlDotGradientByHand();
    void gradientsMatchFiniteDifferences_data();
    void gradientsMatchFiniteDifferences();
    void mnrlIgnoresScores_data();
    void mnrlIgnoresScores();
    void scoreLossesUseScores_data();
    void scoreLossesUseScores();
    void cosentOnlyCountsOrderedPairs();
    void similarityChangesMnrl();
    void rejectsBadInput();
};

// Shared small vectors:
//   A  = [a1, a2] = [(1,0), (0,1)],  P = [p1, p2] = [(2,0), (1,3)]
//   dot scores S = A·Pᵀ = [[2, 1], [0, 3]]
//   B3 anchors (3,4), (1,0), (1,1) and positives (4,3), (0,2), (-1,-1):
//   cos = [24/25, 0, -1] = [0.96, 0, -1]  (|(3,4)| = |(4,3)| = 5, (1,0)⊥(0,2), (1,1) = -(-1,-1))
void TestLosses::handComputed_data()
{
    QTest::addColumn<QString>("loss");
    QTest::addColumn<QString>("similarity");
    QTest::addColumn<double>("scale");
    QTest::addColumn<Matrix>("anchors");
    QTest::addColumn<Matrix>("positives");
    QTest::addColumn<std::vector<Matrix>>("negatives");
    QTest::addColumn<std::vector<float>>("scores");
    QTest::addColumn<double>("expected");

    const Matrix a { { 1, 0 }, { 0, 1 } };
    const Matrix p { { 2, 0 }, { 1, 3 } };
    const Matrix a3 { { 3, 4 }, { 1, 0 }, { 1, 1 } };
    const Matrix p3 { { 4, 3 }, { 0, 2 }, { -1, -1 } };

    // MNRL, dot, scale 1: row 1 logits [2, 1], label 0 → −2 + log(e² + e¹) = log(1 + e⁻¹);
    // row 2 logits [0, 3], label 1 → log(1 + e⁻³). Mean of the two rows.
    QTest::newRow("mnrl dot scale 1")
        << "mnrl"
        << "dot" << 1.0 << a << p << std::vector<Matrix> {} << std::vector<float> {}
        << (softplusNeg(1) + softplusNeg(3)) / 2; // 0.180924519...
    // Scale 2 doubles every logit: log(1 + e⁻²) and log(1 + e⁻⁶).
    QTest::newRow("mnrl dot scale 2")
        << "mnrl"
        << "dot" << 2.0 << a << p << std::vector<Matrix> {} << std::vector<float> {}
        << (softplusNeg(2) + softplusNeg(6)) / 2; // 0.064701848...
    // MNRL, cos, scale 20 (the library default), anchors (3,4), (1,0), positives (4,3), (0,2):
    // cos(a1,p1) = 24/25 = 0.96, cos(a1,p2) = 8/10 = 0.8, cos(a2,p1) = 4/5 = 0.8, cos(a2,p2) = 0.
    // Row 1 logits [19.2, 16], label 0 → log(1 + e^−3.2); row 2 [16, 0], label 1 → log(1 + e^16).
    QTest::newRow("mnrl cos scale 20")
        << "mnrl"
        << "cos" << 20.0 << Matrix { { 3, 4 }, { 1, 0 } } << Matrix { { 4, 3 }, { 0, 2 } }
        << std::vector<Matrix> {} << std::vector<float> {}
        << (softplusNeg(3.2) + std::log1p(std::exp(16.0))) / 2; // 8.019976722...
    // Cosine similarity is scale-free: scaling the vectors leaves the cos-MNRL unchanged.
    QTest::newRow("mnrl cos scaled vectors")
        << "mnrl"
        << "cos" << 20.0 << Matrix { { 30, 40 }, { 0.5, 0 } } << Matrix { { 0.4, 0.3 }, { 0, 7 } }
        << std::vector<Matrix> {} << std::vector<float> {}
        << (softplusNeg(3.2) + std::log1p(std::exp(16.0))) / 2;
    // One hard-negative column N = [(0,1), (1,0)]: candidates [p1, p2, n1, n2].
    // Row 1: a1·[p1,p2,n1,n2] = [2, 1, 0, 1], label 0 → −2 + log(e² + e + 1 + e).
    // Row 2: a2·[...] = [0, 3, 1, 0], label 1 → −3 + log(1 + e³ + e + 1).
    const double hard1 = -2 + std::log(std::exp(2.0) + 2 * std::exp(1.0) + 1);
    const double hard2 = -3 + std::log(std::exp(3.0) + std::exp(1.0) + 2);
    QTest::newRow("mnrl dot hard negatives")
        << "mnrl"
        << "dot" << 1.0 << a << p << std::vector<Matrix> { { { 0, 1 }, { 1, 0 } } } << std::vector<float> {}
        << (hard1 + hard2) / 2; // 0.418760499...
    // Two hard-negative columns, the second one [(0,0), (0,0)]: zero logits added to both rows.
    // Row 1: [2, 1, 0, 1, 0, 0] → −2 + log(e² + 2e + 3); row 2: [0, 3, 1, 0, 0, 0] → −3 + log(e³ + e + 4).
    QTest::newRow("mnrl dot two negative columns")
        << "mnrl"
        << "dot" << 1.0 << a << p << std::vector<Matrix> { { { 0, 1 }, { 1, 0 } }, { { 0, 0 }, { 0, 0 } } }
        << std::vector<float> {}
        << (-2 + std::log(std::exp(2.0) + 2 * std::exp(1.0) + 3) + -3
               + std::log(std::exp(3.0) + std::exp(1.0) + 4))
            / 2;
    // Symmetric MNRL: forward = the MNRL above, (log(1+e⁻¹) + log(1+e⁻³))/2. Backward: Sᵀ = [[2,0],[1,3]],
    // row 1 label 0 → log(1 + e⁻²), row 2 label 1 → −3 + log(e + e³) = log(1 + e⁻²). Loss = (fwd + bwd)/2.
    QTest::newRow("mnrl_symmetric dot")
        << "mnrl_symmetric"
        << "dot" << 1.0 << a << p << std::vector<Matrix> {} << std::vector<float> {}
        << ((softplusNeg(1) + softplusNeg(3)) / 2 + softplusNeg(2)) / 2; // 0.153926...
    // With a hard negative only the forward direction sees it; the backward one uses the [B,B] block.
    QTest::newRow("mnrl_symmetric hard negatives")
        << "mnrl_symmetric"
        << "dot" << 1.0 << a << p << std::vector<Matrix> { { { 0, 1 }, { 1, 0 } } } << std::vector<float> {}
        << ((hard1 + hard2) / 2 + softplusNeg(2)) / 2; // 0.272844255...
    // CosineSimilarityLoss: MSE(cos, label) with cos = [0.96, 0, −1], labels [1, 0.5, 0]:
    // ((0.96−1)² + (0−0.5)² + (−1−0)²)/3 = (0.0016 + 0.25 + 1)/3 = 0.4172.
    QTest::newRow("cosine") << "cosine"
                            << "cos" << 1.0 << a3 << p3 << std::vector<Matrix> {}
                            << std::vector<float> { 1.0f, 0.5f, 0.0f } << 0.4172;
    // CoSENT, scale 1, labels [0, 0.5, 1] (the model orders the pairs the wrong way round). s = cos.
    // Pairs with label_i < label_j: (0,1): s0−s1 = 0.96; (0,2): 0.96+1 = 1.96; (1,2): 0+1 = 1.
    // loss = log(1 + e^0.96 + e^1.96 + e^1).
    QTest::newRow("cosent wrong order scale 1")
        << "cosent"
        << "cos" << 1.0 << a3 << p3 << std::vector<Matrix> {} << std::vector<float> { 0.0f, 0.5f, 1.0f }
        << std::log(1 + std::exp(0.96) + std::exp(1.96) + std::exp(1.0)); // 2.597439286...
    // Tied labels [0.5, 0.5, 1]: (0,1) and (1,0) are masked (label_i < label_j fails both ways); kept
    // (0,2): 1.96 and (1,2): 1 → log(1 + e^1.96 + e^1).
    QTest::newRow("cosent tied labels")
        << "cosent"
        << "cos" << 1.0 << a3 << p3 << std::vector<Matrix> {} << std::vector<float> { 0.5f, 0.5f, 1.0f }
        << std::log(1 + std::exp(1.96) + std::exp(1.0)); // 2.381175259...
    // Scale 20, labels [0.5, 1, 0]: s = [19.2, 0, −20]. Kept pairs: (0,1): 19.2 − 0 = 19.2;
    // (2,0): −20 − 19.2 = −39.2; (2,1): −20 − 0 = −20 → log(1 + e^19.2 + e^−39.2 + e^−20).
    QTest::newRow("cosent scale 20") << "cosent"
                                     << "cos" << 20.0 << a3 << p3 << std::vector<Matrix> {}
                                     << std::vector<float> { 0.5f, 1.0f, 0.0f }
                                     << std::log(1 + std::exp(19.2) + std::exp(-39.2)
                                            + std::exp(-20.0)); // 19.2000000046
    // All labels equal: every pair is masked and only the 0 logit remains: log(e⁰) = 0.
    QTest::newRow("cosent all tied") << "cosent"
                                     << "cos" << 20.0 << a3 << p3 << std::vector<Matrix> {}
                                     << std::vector<float> { 0.7f, 0.7f, 0.7f } << 0.0;
}

void TestLosses::handComputed()
{
    QFETCH(QString, loss);
    QFETCH(QString, similarity);
    QFETCH(double, scale);
    QFETCH(Matrix, anchors);
    QFETCH(Matrix, positives);
    QFETCH(std::vector<Matrix>, negatives);
    QFETCH(std::vector<float>, scores);
    QFETCH(double, expected);

    const LossProbeOutput out = probeLoss(
        input(loss.toStdString(), similarity.toStdString(), scale, anchors, positives, negatives, scores));
    // float32 arithmetic inside: 1e-6 relative plus a little absolute slack.
    QVERIFY2(close(out.loss, expected, 1e-6, 1e-6),
        qPrintable(QString("loss %1, expected %2").arg(out.loss, 0, 'g', 12).arg(expected, 0, 'g', 12)));
    QCOMPARE(out.anchorGradient.size(), anchors.size());
    QCOMPARE(out.positiveGradient.size(), positives.size());
    QCOMPARE(out.anchorGradient[0].size(), anchors[0].size());
}

// MNRL with dot similarity, scale 1: L = (1/B) Σ_i [−a_i·p_i + log Σ_j e^{a_i·p_j}], so
// dL/da_i = (1/B)(Σ_j softmax_ij p_j − p_i) and dL/dp_j = (1/B) Σ_i (softmax_ij − [i=j]) a_i.
// With A = I and P = [(2,0),(1,3)]: softmax row 1 = σ([2,1]) = (e/(e+1), 1/(e+1)), row 2 = σ([0,3]).
void TestLosses::mnrlDotGradientByHand()
{
    const LossProbeOutput out
        = probeLoss(input("mnrl", "dot", 1.0, { { 1, 0 }, { 0, 1 } }, { { 2, 0 }, { 1, 3 } }));
    const double e = std::exp(1.0);
    const double s11 = e / (e + 1), s12 = 1 / (e + 1);
    const double e3 = std::exp(3.0);
    const double s21 = 1 / (1 + e3), s22 = e3 / (1 + e3);
    // dL/da1 = ½(s11·(2,0) + s12·(1,3) − (2,0)); dL/da2 = ½(s21·(2,0) + s22·(1,3) − (1,3)).
    const double ga1[2] = { 0.5 * (2 * s11 + s12 - 2), 0.5 * (3 * s12) };
    const double ga2[2] = { 0.5 * (2 * s21 + s22 - 1), 0.5 * (3 * s22 - 3) };
    // dL/dp1 = ½((s11 − 1)·a1 + s21·a2); dL/dp2 = ½(s12·a1 + (s22 − 1)·a2).
    const double gp1[2] = { 0.5 * (s11 - 1), 0.5 * s21 };
    const double gp2[2] = { 0.5 * s12, 0.5 * (s22 - 1) };
    for (int k = 0; k < 2; ++k) {
        QVERIFY(close(out.anchorGradient[0][k], ga1[k], 1e-5, 1e-7));
        QVERIFY(close(out.anchorGradient[1][k], ga2[k], 1e-5, 1e-7));
        QVERIFY(close(out.positiveGradient[0][k], gp1[k], 1e-5, 1e-7));
        QVERIFY(close(out.positiveGradient[1][k], gp2[k], 1e-5, 1e-7));
    }
}

void TestLosses::gradientsMatchFiniteDifferences_data()
{
    QTest::addColumn<QString>("loss");
    QTest::addColumn<QString>("similarity");
    QTest::addColumn<double>("scale");
    QTest::addColumn<int>("negativeColumns");
    QTest::newRow("mnrl dot") << "mnrl"
                              << "dot" << 1.0 << 0;
    QTest::newRow("mnrl dot scale 3 hard negatives") << "mnrl"
                                                     << "dot" << 3.0 << 1;
    QTest::newRow("mnrl cos scale 5") << "mnrl"
                                      << "cos" << 5.0 << 0;
    QTest::newRow("mnrl cos scale 5 two negative columns") << "mnrl"
                                                           << "cos" << 5.0 << 2;
    QTest::newRow("mnrl_symmetric dot") << "mnrl_symmetric"
                                        << "dot" << 1.0 << 0;
    QTest::newRow("mnrl_symmetric cos hard negatives") << "mnrl_symmetric"
                                                       << "cos" << 4.0 << 1;
    QTest::newRow("cosine") << "cosine"
                            << "cos" << 1.0 << 0;
    QTest::newRow("cosent scale 1") << "cosent"
                                    << "cos" << 1.0 << 0;
    QTest::newRow("cosent scale 5") << "cosent"
                                    << "cos" << 5.0 << 0;
}

// Central differences (f(x+h) − f(x−h))/2h of the probe's own loss, element by element. The probe
// computes in float32, so h is large (1e-2) to keep rounding (~1e-7/h) small; the truncation error
// h²/6·f''' stays well below the tolerance for these moderate scales.
void TestLosses::gradientsMatchFiniteDifferences()
{
    QFETCH(QString, loss);
    QFETCH(QString, similarity);
    QFETCH(double, scale);
    QFETCH(int, negativeColumns);

    std::mt19937 rng(20240611);
    const int batch = 4, dim = 5;
    LossProbeInput in = input(loss.toStdString(), similarity.toStdString(), scale,
        randomMatrix(rng, batch, dim), randomMatrix(rng, batch, dim));
    for (int k = 0; k < negativeColumns; ++k)
        in.negatives.push_back(randomMatrix(rng, batch, dim));
    std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
    for (int i = 0; i < batch; ++i)
        in.scores.push_back(uniform(rng));

    const LossProbeOutput out = probeLoss(in);
    const double h = 1e-2;
    double largest = 0;
    for (int side = 0; side < 2; ++side) {
        Matrix &m = side == 0 ? in.anchors : in.positives;
        const Matrix &grad = side == 0 ? out.anchorGradient : out.positiveGradient;
        for (int i = 0; i < batch; ++i) {
            for (int k = 0; k < dim; ++k) {
                const float saved = m[i][k];
                m[i][k] = saved + static_cast<float>(h);
                const double up = probeLoss(in).loss;
                m[i][k] = saved - static_cast<float>(h);
                const double down = probeLoss(in).loss;
                m[i][k] = saved;
                // The perturbed points are the floats saved ± h; divide by the step they really are.
                const double step = (static_cast<double>(saved + static_cast<float>(h))
                    - static_cast<double>(saved - static_cast<float>(h)));
                const double numeric = (up - down) / step;
                largest = std::max(largest, std::abs(numeric));
                QVERIFY2(close(grad[i][k], numeric, 2e-2, 5e-4),
                    qPrintable(QString("%1[%2][%3]: analytic %4, numeric %5")
                                   .arg(side == 0 ? "anchor" : "positive")
                                   .arg(i)
                                   .arg(k)
                                   .arg(grad[i][k], 0, 'g', 8)
                                   .arg(numeric, 0, 'g', 8)));
            }
        }
    }
    QVERIFY2(largest > 1e-3, "the check compared only near-zero gradients");
}

void TestLosses::mnrlIgnoresScores_data()
{
    QTest::addColumn<QString>("loss");
    QTest::addColumn<QString>("similarity");
    QTest::newRow("mnrl dot") << "mnrl"
                              << "dot";
    QTest::newRow("mnrl cos") << "mnrl"
                              << "cos";
    QTest::newRow("mnrl_symmetric dot") << "mnrl_symmetric"
                                        << "dot";
}

void TestLosses::mnrlIgnoresScores()
{
    QFETCH(QString, loss);
    QFETCH(QString, similarity);
    std::mt19937 rng(7);
    LossProbeInput in = input(loss.toStdString(), similarity.toStdString(), 2.0, randomMatrix(rng, 3, 4),
        randomMatrix(rng, 3, 4), { randomMatrix(rng, 3, 4) });
    in.scores = { 0.9f, 0.9f, 0.9f };
    const LossProbeOutput first = probeLoss(in);
    in.scores = { 0.0f, -3.0f, 17.5f };
    const LossProbeOutput second = probeLoss(in);
    in.scores.clear();
    const LossProbeOutput none = probeLoss(in);
    QCOMPARE(second.loss, first.loss);
    QCOMPARE(none.loss, first.loss);
    QCOMPARE(second.anchorGradient, first.anchorGradient);
    QCOMPARE(second.positiveGradient, first.positiveGradient);
}

void TestLosses::scoreLossesUseScores_data()
{
    QTest::addColumn<QString>("loss");
    QTest::newRow("cosine") << "cosine";
    QTest::newRow("cosent") << "cosent";
}

// The control for mnrlIgnoresScores: the same change of scores must move the score-based losses.
void TestLosses::scoreLossesUseScores()
{
    QFETCH(QString, loss);
    std::mt19937 rng(7);
    LossProbeInput in
        = input(loss.toStdString(), "cos", 2.0, randomMatrix(rng, 3, 4), randomMatrix(rng, 3, 4));
    in.scores = { 0.2f, 0.5f, 0.9f };
    const double first = probeLoss(in).loss;
    in.scores = { 0.9f, 0.5f, 0.2f };
    const double second = probeLoss(in).loss;
    QVERIFY2(std::abs(first - second) > 1e-3, qPrintable(QString("%1 vs %2").arg(first).arg(second)));
}

// CoSENT's mask keeps (i,j) only when label_i < label_j: adding a pair whose label ties another's
// and whose cosine equals it adds exactly the terms of its twin (one e^{s_i−s_j} per kept pair).
void TestLosses::cosentOnlyCountsOrderedPairs()
{
    // Two pairs: cos = [0.96, 0]; labels [1, 0] → the only kept pair is (1,0): s1 − s0 = −0.96·scale.
    const Matrix a { { 3, 4 }, { 1, 0 } };
    const Matrix p { { 4, 3 }, { 0, 2 } };
    LossProbeInput in = input("cosent", "cos", 1.0, a, p, {}, { 1.0f, 0.0f });
    QVERIFY(close(probeLoss(in).loss, std::log1p(std::exp(-0.96)), 1e-6, 1e-7));
    // Swapped labels: the kept pair is (0,1): 0.96 → log(1 + e^0.96). A higher loss for the wrong order.
    in.scores = { 0.0f, 1.0f };
    QVERIFY(close(probeLoss(in).loss, std::log1p(std::exp(0.96)), 1e-6, 1e-7));
    // Equal labels: nothing is kept, loss log(1) = 0 and no gradient at all.
    in.scores = { 0.5f, 0.5f };
    const LossProbeOutput tied = probeLoss(in);
    QCOMPARE(tied.loss, 0.0);
    for (const auto &row : tied.anchorGradient)
        for (float g : row)
            QCOMPARE(g, 0.0f);
}

// Dot and cosine similarity give different MNRL values for unnormalised vectors, equal ones for unit
// vectors (the probe must honour the similarity argument).
void TestLosses::similarityChangesMnrl()
{
    const Matrix a { { 3, 4 }, { 1, 0 } };
    const Matrix p { { 4, 3 }, { 0, 2 } };
    const double dot = probeLoss(input("mnrl", "dot", 1.0, a, p)).loss;
    const double cos = probeLoss(input("mnrl", "cos", 1.0, a, p)).loss;
    // dot: row 1 [24, 8] label 0 → log(1 + e^−16); row 2 [4, 0] label 1 → log(1 + e^4).
    QVERIFY(close(dot, (softplusNeg(16) + std::log1p(std::exp(4.0))) / 2, 1e-6, 1e-7));
    // cos: row 1 [0.96, 0.8] → log(1 + e^−0.16); row 2 [0.8, 0] → log(1 + e^0.8).
    QVERIFY(close(cos, (softplusNeg(0.16) + std::log1p(std::exp(0.8))) / 2, 1e-6, 1e-7));

    const Matrix unitA { { 0.6f, 0.8f }, { 1, 0 } };
    const Matrix unitP { { 0.8f, 0.6f }, { 0, 1 } };
    QVERIFY(close(probeLoss(input("mnrl", "dot", 1.0, unitA, unitP)).loss,
        probeLoss(input("mnrl", "cos", 1.0, unitA, unitP)).loss, 1e-6, 1e-7));
}

void TestLosses::rejectsBadInput()
{
    const Matrix a { { 1, 0 }, { 0, 1 } };
    QVERIFY_THROWS_EXCEPTION(pairtune::Error, probeLoss(input("triplet", "dot", 1.0, a, a)));
    QVERIFY_THROWS_EXCEPTION(pairtune::Error, probeLoss(input("mnrl", "euclidean", 1.0, a, a)));
    QVERIFY_THROWS_EXCEPTION(pairtune::Error, probeLoss(input("mnrl", "dot", 1.0, Matrix {}, a)));
    QVERIFY_THROWS_EXCEPTION(
        pairtune::Error, probeLoss(input("mnrl", "dot", 1.0, Matrix { { 1, 0 }, { 1 } }, a)));
}

QTEST_APPLESS_MAIN(TestLosses)
#include "tst_losses.moc"
