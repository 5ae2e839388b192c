#pragma once

// The do-no-harm check of issue 21 (part 4): a small general-English pair set ships with Pairtune
// (resources/data/general-check-pairs.tsv: WordNet usage example ↔ definition, none of its texts in the
// demo set or the built-in model's pretraining set; resources/data/README.md). Every run ranks it under the
// base model before the first step (RUN/general-ranks-base.json) and under the final model at the end,
// and its verdict joins the run's (RUN/verdict.json "general_check", the model card, the CLI's summary):
// did tuning to one's own domain damage general behaviour? Same ranks, metrics and paired bootstrap as
// the held-out verdict (train/modelverdict.h, eval/verdict.h). Torch-free interface.

#include "eval/verdict.h"
#include "train/evaluator.h"
#include "train/modelverdict.h"
#include "train/runverdict.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

class RunFolder;
class SentenceModel;

inline constexpr const char *kGeneralCheckFile = "general-check-pairs.tsv";

// The shipped set: PAIRTUNE_GENERAL_CHECK when set, else <resources>/data/general-check-pairs.tsv
// (train/basemodel.h resourcesFolder: the install prefix's share/pairtune, then the source tree); "" when
// neither exists.
std::string generalCheckDataPath();

std::string generalBaseRanksPath(const RunFolder &run); // RUN/general-ranks-base.json

// The general set with its retrieval corpus.
struct GeneralCheck
{
    std::string path;
    EvalSet set;
    EvalCorpus corpus;
};

// The set at generalCheckDataPath(), or nullopt when Pairtune's resources hold none. Throws
// pairtune::Error when the file exists but cannot be read.
std::optional<GeneralCheck> loadGeneralCheck();

// Where the set's positives rank under model (rankTruePositives, kVerdictSearchDepth).
std::vector<QueryRank> rankGeneralCheck(const SentenceModel &model, const GeneralCheck &check);

struct GeneralVerdict
{
    VerdictReport report;
    nlohmann::json json; // RUN/verdict.json's "general_check" (docs/formats.md §6.3)
    std::string cardSection; // "### General English (do-no-harm check)"
    std::string line; // "No clear change: mrr@10 0.6100 -> 0.6000 (...) on 500 general English pairs"
};

// The verdict of the base ranks `before` against `after`, its bootstrap seeded with `seed` (the run's).
GeneralVerdict generalVerdict(const GeneralCheck &check, const std::vector<QueryRank> &before,
    const std::vector<QueryRank> &after, std::uint64_t seed);

// A training run's two halves, around the embedding (which a run's processes share, train/groupencoder.h).
// Before the first step: the base model's ranks into RUN/general-ranks-base.json.
void writeGeneralBaseRanks(
    const RunFolder &run, const GeneralCheck &check, const std::vector<QueryRank> &ranks);
// At the end: the set and the base ranks the tuned model's are compared with. `missing` says why there are
// none (no set, or no stored base ranks: a run started with the check off or by an older Pairtune).
struct GeneralBaseline
{
    std::optional<GeneralCheck> check;
    std::optional<std::vector<QueryRank>> before;
    std::string missing;
};
GeneralBaseline readGeneralBaseline(const RunFolder &run);

// The general verdict joined to the run's: verdict.json's "general_check", the card section after the
// held-out one, the line.
void addGeneralVerdict(RunVerdict &verdict, const GeneralVerdict &general);

// One line for a person from verdict.json's "general_check" object: "General English (do-no-harm): No
// clear change, mrr@10 0.6100 → 0.6000, 95 % interval [-0.0300, +0.0100]" (the studio's panel and the
// CLI's run-end summary).
std::string generalCheckSummary(const nlohmann::json &generalCheck);

} // namespace pairtune
