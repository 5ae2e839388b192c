#pragma once

// Matryoshka sizes (issue 20): which embedding sizes a run trains for, as sentence-transformers'
// MatryoshkaLoss(matryoshka_dims, matryoshka_weights) takes them (docs/formats.md, "matryoshka").

#include <map>
#include <string>
#include <vector>

namespace pairtune {

struct TrainingConfig;

// The default sizes for a model of dimension modelDim: modelDim halved while it stays at least 32
// (384 → 384, 192, 96, 48; 768 → 768, 384, 192, 96, 48). Just modelDim when it is below 64.
std::vector<int> defaultMatryoshkaDims(int modelDim);

// Problems with the Matryoshka settings, one readable sentence each (none when it is off): sizes above 0
// and strictly descending, as many weights as sizes (or none), each weight finite and not negative.
// modelDim > 0 also checks every size against the model's dimension (known at a run's start only).
std::vector<std::string> matryoshkaProblems(const TrainingConfig &config, int modelDim);

// At a run's start, with the model's dimension known: fills the default sizes when Matryoshka is on with
// none given, then throws pairtune::Error naming every problem matryoshkaProblems finds.
void resolveMatryoshka(TrainingConfig &config, int modelDim);

// The evaluation's key of a retrieval metric at a truncated size: "dim96/mrr@10" (train/evaluator.h).
std::string matryoshkaMetricKey(int dim, const std::string &metric);

// The model card's section (Markdown): the sizes trained and a size | metric before | after table of the
// retrieval metrics at each size. Empty when Matryoshka is off.
std::string matryoshkaCardSection(const TrainingConfig &config, const std::map<std::string, double> &before,
    const std::map<std::string, double> &after);

// "384, 192, 96" (a card or a message).
std::string matryoshkaDimsText(const std::vector<int> &dims);

} // namespace pairtune
