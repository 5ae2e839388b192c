#pragma once

#include "recipe/losskind.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pairtune {

// Whether the data file's own score column supplies the labels that score-based losses use.
enum class FileScores {
    Auto, // use the file's scores when it has a score column, else synthetic scores
    Require, // the file must have scores (an error otherwise)
    Ignore, // always synthetic scores
};

// Which precision the matrix products of a training step use (TrainingConfig::bf16). Auto is what a
// new run gets: resolved at the run's start (train/precision.h: bfloat16 autocast on a CPU with AMX-BF16,
// float32 elsewhere), and config.json records the result, so a resume does exactly what the run did.
enum class Bf16Mode {
    Off, // float32 (--fp32); what a config.json without the key means: runs before Auto trained in float32
    On, // bf16 autocast (--bf16); refused on a CPU without native bf16
    Auto,
};

// Every knob of a training run with the classic recipe's defaults. The GUI settings page edits it, the
// CLI flags fill it, the run folder's config.json stores it (toJson), a resume reads it back.
struct TrainingConfig
{
    std::vector<std::string> dataPaths;
    std::string dataSheet; // workbooks (.xlsx, .ods) in dataPaths: the sheet to read; "" = the first
    std::string basePath; // a sentence-transformers folder, or "builtin"
    // Where basePath came from when it is a Hugging Face Hub snapshot (never the token): the repo
    // ("owner/name"; empty for a local folder), the revision asked for and the commit it resolved to.
    std::string baseRepoId;
    std::string baseRevision;
    std::string baseCommit;
    std::string outPath; // the run folder

    int epochs = 8;
    int batchSize = 32;
    std::int64_t warmupSteps = 100;
    double trainFraction = 0.8;

    // Synthetic scores: mean + (U[0,1) - 0.5) / scaling.
    double scoreMean = 0.9;
    double scoreScaling = 20.0;
    FileScores useFileScores = FileScores::Auto;

    std::string loss = "mnrl"; // a LossTraits::name (recipe/losskind.h)
    std::string similarity = "dot"; // a SimilarityTraits::name; used by the losses with usesSimilarity
    double scale = 1.0; // multiplies the similarities in mnrl/cosent

    // AdamW (torch defaults for betas and eps); no weight decay on biases and LayerNorm weights.
    double lr = 2e-5;
    double weightDecay = 0.01;
    double adamBeta1 = 0.9;
    double adamBeta2 = 0.999;
    double adamEpsilon = 1e-8;
    double maxGradNorm = 1.0; // 0 = no clipping

    std::string schedule = "warmuplinear"; // see lrschedule.h
    double scheduleCycles = 0.0; // 0 = the schedule's default (0.5 cosine, 1 hard restarts)

    std::uint64_t seed = 42;
    int maxSeqLength = 0; // 0 = the model's max_seq_length
    std::int64_t evalEvery = 0; // steps; 0 = only at epoch ends
    // Held-out pairs scored by the evaluations between the first and the last (a fixed seeded sample, so
    // they stay comparable); the first and the last score all of them. 0 = all every time.
    std::int64_t evalSample = 5000;
    std::int64_t checkpointEvery = 500; // steps; 0 = only at epoch ends
    int keepCheckpoints = 0; // newest checkpoints kept; 0 = all
    std::int64_t maxSteps = 0; // 0 = no limit
    int threads = 0; // 0 = automatic
    std::string device = "cpu"; // cpu, cuda, cuda:N

    bool noDuplicates = true; // no two records sharing a text in one batch (in-batch negative losses)
    bool lengthGrouped = false; // batches of similar lengths
    // Near-duplicates under the base model (mine/nearduplicates.h): texts at or above this cosine.
    double nearDuplicateThreshold = 0.95;
    bool groupNearDuplicates = false; // every near-duplicate group on one side of the train/eval split
    bool dropNearDuplicates = false; // one pair per near-duplicate group in the training part
    bool dropout = true; // dropout during training as the model's config says; off for exact comparisons
    // The do-no-harm check (train/generalcheck.h): the shipped general-English set ranked under the base
    // and the final model, its verdict next to the run's. Missing in config.json of older runs: on.
    bool generalCheck = true;
    // bfloat16 autocast of the forward pass (matrix products in bf16, weights and AdamW in float32).
    // On the CPU only where it has native bf16 instructions (AVX512-BF16 or AMX): emulated, it is
    // several times slower than float32. JSON: true, false or "auto".
    Bf16Mode bf16 = Bf16Mode::Auto;
    // GradCache for the in-batch-negative losses (train/gradcache.h): the batch stays the batch of
    // negatives, embedded miniBatchSize pairs at a time, so memory follows the mini-batch.
    bool gradCache = false;
    int miniBatchSize = 0; // pairs per forward pass with grad_cache; 0 = chosen from free memory
    std::string bestMetric = "mrr@10"; // an evalMetricKeys() entry; decides the best checkpoint
    // Matryoshka training (recipe/matryoshka.h): the loss also at the first matryoshkaDims columns of each
    // embedding, weighted by matryoshkaWeights (empty = 1 each). Switched on with empty dims, the run fills
    // them at its start from the model's dimension (384 → 384, 192, 96, 48) and config.json records them.
    bool matryoshka = false;
    std::vector<int> matryoshkaDims; // descending; used only when matryoshka is on
    std::vector<double> matryoshkaWeights;

    bool operator==(const TrainingConfig &) const = default;
};

std::string fileScoresName(FileScores value); // "auto", "require", "ignore"

// Every field, keys in snake_case ("batch_size", "data_paths", ...).
nlohmann::json toJson(const TrainingConfig &config);
// Missing keys keep their defaults; unknown keys and values of the wrong type throw pairtune::Error
// ("SOURCE: ..."), so a typo in a config file is never silently ignored. The round trip
// trainingConfigFromJson(toJson(c)) == c holds exactly. Values are not range-checked here: see validate().
TrainingConfig trainingConfigFromJson(
    const nlohmann::json &json, const std::string &source = "training config");

// The toJson keys that say where a run's data, base model and output are, not how it trains: a recipe
// taken from another run or a model's tuning file never carries them.
const std::vector<std::string> &runInputKeys(); // data_paths, data_sheet, base_*, out_path
// The keys that say which computer resources a run uses (threads, device, bf16): not a model's business.
const std::vector<std::string> &machineKeys();
// recipe with the runInputKeys() fields of inputs: "a new run with these settings" on today's data.
TrainingConfig withRunInputsOf(const TrainingConfig &recipe, const TrainingConfig &inputs);

// Problems a person can fix, one readable sentence each; empty when the config can run.
std::vector<std::string> validate(const TrainingConfig &config);

} // namespace pairtune
