#pragma once

// A torch-free window onto the training losses, so tests (which never include torch) can check
// them against hand-computed values and gradients.

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace pairtune {

using Matrix = std::vector<std::vector<float>>; // rows of equal length

struct LossProbeInput
{
    std::string loss = "mnrl"; // mnrl, mnrl_symmetric, cosine, cosent
    std::string similarity = "dot"; // dot, cos
    double scale = 1.0;
    Matrix anchors;
    Matrix positives;
    std::vector<Matrix> negatives; // k matrices shaped like anchors
    std::vector<float> scores;
    std::vector<std::int64_t> matryoshkaDims; // LossSpec's (train/losses.h); empty = no Matryoshka
    std::vector<double> matryoshkaWeights;
};

struct LossProbeOutput
{
    double loss = 0.0;
    Matrix anchorGradient; // d loss / d anchors
    Matrix positiveGradient; // d loss / d positives
};

LossProbeOutput probeLoss(const LossProbeInput &input);

// rows x cols standard-normal floats: embeddings for hand-checked loss values.
inline Matrix randomMatrix(std::mt19937 &rng, int rows, int cols)
{
    std::normal_distribution<float> normal(0.0f, 1.0f);
    Matrix m(static_cast<std::size_t>(rows), std::vector<float>(static_cast<std::size_t>(cols)));
    for (auto &row : m)
        for (float &v : row)
            v = normal(rng);
    return m;
}

} // namespace pairtune
