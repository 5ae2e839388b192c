#pragma once

// The verdict of issue 21 at the end of a training run: did the run's model beat its base on the run's
// held-out pairs? The base model's ranks are computed once, at the step-0 evaluation, and kept in
// RUN/eval-ranks-base.json (a resume or a crash loses nothing and never recomputes them); the tuned ranks
// at the end. The report goes to RUN/verdict.json and into the final model's card (eval/verdictcard.h).
// Torch-free interface.

#include "eval/verdict.h"
#include "train/modelverdict.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

class RunFolder;
class SentenceModel;
struct TrainingConfig;

// The run's verdict event (a TrainingEvent::Message) starts with this; the CLI leaves it off its progress
// lines because its closing summary prints the same line with the verdict file's path.
inline constexpr std::string_view kVerdictMessagePrefix = "verdict: ";

std::string baseRanksPath(const RunFolder &run); // RUN/eval-ranks-base.json
std::string verdictPath(const RunFolder &run); // RUN/verdict.json

// {"format": 1, "pairs", "corpus", "depth", "rank": [...] (0 = beyond the depth), "top_hit": [...]},
// written atomically to path (the held-out set's in baseRanksPath, the general check's in
// train/generalcheck.h generalBaseRanksPath).
void writeRanksFile(const std::string &path, const std::vector<QueryRank> &ranks, const EvalCorpus &corpus,
    std::size_t depth);
// The ranks stored in path, or nullopt when there are none (a run older than the verdict) or they were
// made for another set (other pair or corpus count, other depth).
std::optional<std::vector<QueryRank>> readRanksFile(
    const std::string &path, const EvalCorpus &corpus, std::size_t depth);
void writeBaseRanks(
    const RunFolder &run, const std::vector<QueryRank> &ranks, const EvalCorpus &corpus, std::size_t depth);
std::optional<std::vector<QueryRank>> readBaseRanks(
    const RunFolder &run, const EvalCorpus &corpus, std::size_t depth);

struct RunVerdict
{
    VerdictReport report;
    nlohmann::json json; // what RUN/verdict.json holds
    std::string cardSection; // the model card's Markdown section
    std::string line; // eval/verdictjson.h verdictLine
    std::string generalLine; // the do-no-harm check's (train/generalcheck.h); empty when it did not run
};

// The verdict of before (the base ranks) against the tuned model's ranks of the same set, its bootstrap
// seeded with `seed`; baseName and tunedName say which models were compared.
RunVerdict runVerdict(const std::vector<QueryRank> &before, const std::vector<QueryRank> &after,
    const EvalSet &set, const EvalCorpus &corpus, const std::string &baseName, const std::string &tunedName,
    std::uint64_t seed);

// The verdict of a finished run that has none (runs older than the verdict, or one whose verdict.json
// was removed): RUN/eval-pairs.tsv ranked under the base model of RUN/config.json (its base ranks when
// stored) and under RUN/model; writes RUN/verdict.json and returns it. progress(done, total) after each
// of its steps; a stop asked for between them throws Error(Cancelled). Throws pairtune::Error for a run
// without a final model or held-out pairs.
struct VerdictProgress
{
    std::function<void(int done, int total, const std::string &what)> progress;
    std::function<bool()> stopRequested;
};
RunVerdict computeRunVerdict(const std::string &runPath, const VerdictProgress &callbacks = {});

// A model folder loaded as the run used its model: the exported model keeps the max_seq_length it was
// trained with, and the base model's ranks must be taken with the same cut (train/trainingsetup.cpp).
SentenceModel loadModelAsTrained(const std::string &folder, const TrainingConfig &config);

// The held-out pairs of a pair file as evaluation reads them (scores from the file, or 1).
EvalSet evalSetFromFile(const std::string &path);

} // namespace pairtune
