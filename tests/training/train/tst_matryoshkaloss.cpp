// Matryoshka training's loss (issue 20): sentence-transformers' MatryoshkaLoss is
// Σ_i weight_i · loss(shrink(x, dim_i)), where shrink keeps the first dim_i numbers of every embedding and
// L2-normalises them. Checked against MNRL and the cosine loss computed here in plain C++ on truncated,
// renormalised rows (never through the engine), plus the refusals of sizes it cannot cut.

#include "core/error.h"
#include "lossprobe.h"

#include <QtTest>

#include <cmath>
#include <random>

using pairtune::LossProbeInput;
using pairtune::Matrix;
using pairtune::probeLoss;
using pairtune::randomMatrix;

namespace {

// MatryoshkaLoss's shrink(): first dim numbers, divided by their norm.
Matrix shrink(const Matrix &m, std::size_t dim)
{
    Matrix out;
    for (const auto &row : m) {
        double squares = 0.0;
        for (std::size_t j = 0; j < dim; ++j)
            squares += static_cast<double>(row[j]) * row[j];
        const double norm = std::max(std::sqrt(squares), 1e-12);
        std::vector<float> cut;
        for (std::size_t j = 0; j < dim; ++j)
            cut.push_back(static_cast<float>(row[j] / norm));
        out.push_back(cut);
    }
    return out;
}

double dot(const std::vector<float> &a, const std::vector<float> &b)
{
    double sum = 0.0;
    for (std::size_t j = 0; j < a.size(); ++j)
        sum += static_cast<double>(a[j]) * b[j];
    return sum;
}

// MultipleNegativesRankingLoss with the dot product: the mean over anchors i of
// logsumexp_j(scale · a_i·c_j) − scale · a_i·p_i, the candidates c being all positives then all negatives.
double mnrlByHand(
    const Matrix &anchors, const Matrix &positives, const std::vector<Matrix> &negatives, double scale)
{
    Matrix candidates = positives;
    for (const Matrix &column : negatives)
        candidates.insert(candidates.end(), column.begin(), column.end());
    double total = 0.0;
    for (std::size_t i = 0; i < anchors.size(); ++i) {
        std::vector<double> logits;
        double top = -INFINITY;
        for (const auto &c : candidates) {
            logits.push_back(scale * dot(anchors[i], c));
            top = std::max(top, logits.back());
        }
        double sum = 0.0;
        for (const double logit : logits)
            sum += std::exp(logit - top);
        total += top + std::log(sum) - logits[i];
    }
    return total / static_cast<double>(anchors.size());
}

// CosineSimilarityLoss: mean of (cos(a_i, p_i) − score_i)².
double cosineLossByHand(const Matrix &anchors, const Matrix &positives, const std::vector<float> &scores)
{
    double total = 0.0;
    for (std::size_t i = 0; i < anchors.size(); ++i) {
        const double cos = dot(anchors[i], positives[i])
            / (std::sqrt(dot(anchors[i], anchors[i])) * std::sqrt(dot(positives[i], positives[i])));
        total += (cos - scores[i]) * (cos - scores[i]);
    }
    return total / static_cast<double>(anchors.size());
}

} // namespace

class TestMatryoshkaLoss : public QObject
{
    Q_OBJECT

private slots:
    void mnrlIsTheWeightedSumAtEachSize();
    void defaultWeightsAreOne();
    void cosineLossAtEachSize();
    void fullSizeAloneNormalisesTheDotProduct();
    void refusesSizesItCannotCut();
};

void TestMatryoshkaLoss::mnrlIsTheWeightedSumAtEachSize()
{
    std::mt19937 rng(7);
    LossProbeInput in;
    in.loss = "mnrl";
    in.similarity = "dot";
    in.scale = 20.0;
    in.anchors = randomMatrix(rng, 5, 16);
    in.positives = randomMatrix(rng, 5, 16);
    in.negatives = { randomMatrix(rng, 5, 16) };
    in.matryoshkaDims = { 16, 8, 4 };
    in.matryoshkaWeights = { 1.0, 0.5, 2.0 };
    double expected = 0.0;
    for (std::size_t i = 0; i < in.matryoshkaDims.size(); ++i) {
        const auto dim = static_cast<std::size_t>(in.matryoshkaDims[i]);
        expected += in.matryoshkaWeights[i]
            * mnrlByHand(shrink(in.anchors, dim), shrink(in.positives, dim), { shrink(in.negatives[0], dim) },
                in.scale);
    }
    const double actual = probeLoss(in).loss;
    QVERIFY2(std::abs(actual - expected) <= 1e-4 * std::abs(expected),
        qPrintable(QString("engine %1, by hand %2").arg(actual, 0, 'g', 9).arg(expected, 0, 'g', 9)));
    // The numbers past the largest size never reach the loss: their gradient is exactly zero.
    in.matryoshkaDims = { 8, 4 };
    in.matryoshkaWeights = {};
    const auto gradient = probeLoss(in).anchorGradient;
    for (const auto &row : gradient) {
        for (std::size_t j = 8; j < row.size(); ++j)
            QCOMPARE(row[j], 0.0f);
        QVERIFY(std::any_of(row.begin(), row.begin() + 8, [](float g) { return g != 0.0f; }));
    }
}

void TestMatryoshkaLoss::defaultWeightsAreOne()
{
    std::mt19937 rng(11);
    LossProbeInput in;
    in.scale = 20.0;
    in.similarity = "cos";
    in.loss = "mnrl_symmetric";
    in.anchors = randomMatrix(rng, 4, 12);
    in.positives = randomMatrix(rng, 4, 12);
    in.matryoshkaDims = { 12, 6, 3 };
    const double unweighted = probeLoss(in).loss;
    in.matryoshkaWeights = { 1.0, 1.0, 1.0 };
    QCOMPARE(probeLoss(in).loss, unweighted);
    // And each size's term is the plain loss on the cut rows: the sum of three plain runs.
    double sum = 0.0;
    for (const std::int64_t dim : { 12, 6, 3 }) {
        LossProbeInput single = in;
        single.matryoshkaDims = {};
        single.matryoshkaWeights = {};
        single.anchors = shrink(in.anchors, static_cast<std::size_t>(dim));
        single.positives = shrink(in.positives, static_cast<std::size_t>(dim));
        sum += probeLoss(single).loss;
    }
    QVERIFY2(std::abs(unweighted - sum) <= 1e-5 * std::abs(sum),
        qPrintable(QString("%1 vs %2").arg(unweighted).arg(sum)));
}

void TestMatryoshkaLoss::cosineLossAtEachSize()
{
    std::mt19937 rng(3);
    LossProbeInput in;
    in.loss = "cosine";
    in.anchors = randomMatrix(rng, 6, 10);
    in.positives = randomMatrix(rng, 6, 10);
    in.scores = { 0.1f, 0.9f, 0.5f, 0.3f, 0.7f, 1.0f };
    in.matryoshkaDims = { 10, 5, 2 };
    in.matryoshkaWeights = { 0.25, 1.0, 3.0 };
    double expected = 0.0;
    for (std::size_t i = 0; i < 3; ++i) {
        const auto dim = static_cast<std::size_t>(in.matryoshkaDims[i]);
        expected += in.matryoshkaWeights[i]
            * cosineLossByHand(shrink(in.anchors, dim), shrink(in.positives, dim), in.scores);
    }
    const double actual = probeLoss(in).loss;
    QVERIFY2(std::abs(actual - expected) <= 1e-5 * std::abs(expected) + 1e-7,
        qPrintable(QString("engine %1, by hand %2").arg(actual).arg(expected)));
}

// As in sentence-transformers, even the full size is normalised: MNRL with the dot product then scores
// cosines, so its value differs from plain MNRL on unnormalised rows.
void TestMatryoshkaLoss::fullSizeAloneNormalisesTheDotProduct()
{
    std::mt19937 rng(5);
    LossProbeInput in;
    in.scale = 20.0;
    in.anchors = randomMatrix(rng, 4, 8);
    in.positives = randomMatrix(rng, 4, 8);
    in.matryoshkaDims = { 8 };
    const double expected = mnrlByHand(shrink(in.anchors, 8), shrink(in.positives, 8), {}, 20.0);
    QVERIFY(std::abs(probeLoss(in).loss - expected) <= 1e-4 * expected);
    in.matryoshkaDims = {};
    QVERIFY(std::abs(probeLoss(in).loss - expected) > 1e-2);
}

void TestMatryoshkaLoss::refusesSizesItCannotCut()
{
    std::mt19937 rng(1);
    LossProbeInput in;
    in.anchors = randomMatrix(rng, 3, 8);
    in.positives = randomMatrix(rng, 3, 8);
    in.matryoshkaDims = { 16, 8 };
    QVERIFY_THROWS_EXCEPTION(pairtune::Error, probeLoss(in));
    in.matryoshkaDims = { 8, 0 };
    QVERIFY_THROWS_EXCEPTION(pairtune::Error, probeLoss(in));
}

QTEST_APPLESS_MAIN(TestMatryoshkaLoss)
#include "tst_matryoshkaloss.moc"
