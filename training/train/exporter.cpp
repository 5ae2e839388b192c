#include "train/exporter.h"

#include "core/error.h"
#include "data/sha256.h"
#include "io/atomicdirectory.h"
#include "io/atomicfile.h"
#include "io/fileutil.h"
#include "io/foldercopy.h"
#include "io/jsonfile.h"
#include "model/modelcard.h"
#include "model/prompts.h"
#include "model/runtime.h"
#include "model/sentencemodel.h"
#include "pairtune/version.h"
#include "recipe/losskind.h"
#include "recipe/matryoshka.h"
#include "train/precision.h"
#include "train/runfolder.h"
#include "train/trainingdata.h"

#include <cstdio>
#include <filesystem>
#include <sstream>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

std::string formatMetric(const std::map<std::string, double> &metrics, const std::string &key)
{
    const auto it = metrics.find(key);
    if (it == metrics.end())
        return "–";
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.4f", it->second);
    return buffer;
}

// The sentence-transformers class the run trained with. grad_cache is GradCache (train/gradcache.h),
// which sentence-transformers ships as its own classes, "Cached" + the loss's name
// (CachedMultipleNegativesRankingLoss, CachedMultipleNegativesSymmetricRankingLoss); their cards name
// those, so ours do too (the config refuses grad_cache for the losses without negatives).
std::string lossClassName(const TrainingConfig &config)
{
    const std::string name = traitsOf(parseLossKind(config.loss)).stClassName;
    return config.gradCache ? "Cached" + name : name;
}

// "MultipleNegativesRankingLoss (similarity dot, scale 1)": only the knobs the loss uses, so a cosine
// loss is not described with a dot product or a scale it never applied.
std::string lossDescription(const TrainingConfig &config)
{
    const LossTraits &loss = traitsOf(parseLossKind(config.loss));
    const SimilarityKind similarity
        = loss.usesSimilarity ? parseSimilarityKind(config.similarity) : SimilarityKind::Cosine;
    std::ostringstream text;
    text << lossClassName(config) << " (similarity " << traitsOf(similarity).name;
    if (loss.usesScale)
        text << ", scale " << config.scale;
    if (config.gradCache) {
        text << ", mini-batch size ";
        if (config.miniBatchSize > 0)
            text << config.miniBatchSize;
        else
            text << "chosen from free memory";
    }
    text << ")";
    return text.str();
}

// "batch size 32", or for a run under torchrun (config.json's processes) "batch size 16 per process × 2
// processes = global batch 32": the global batch is what a single-process run must use to train the same.
std::string batchText(const RunFolder &run, const TrainingConfig &config)
{
    std::error_code ec;
    const nlohmann::json stored
        = fs::is_regular_file(run.configPath(), ec) ? run.readConfig() : nlohmann::json::object();
    const int processes = stored.value("processes", 1);
    if (processes <= 1)
        return "batch size " + std::to_string(config.batchSize);
    return "batch size " + std::to_string(config.batchSize) + " per process × " + std::to_string(processes)
        + " processes = global batch "
        + std::to_string(stored.value("global_batch_size", std::int64_t { config.batchSize } * processes));
}

std::string modelCard(const SentenceModel &model, const RunFolder &run, const TrainingConfig &config,
    const std::map<std::string, double> &before, const std::map<std::string, double> &after,
    const std::string &verdictSection)
{
    const ModelSummary s = model.summary();
    std::size_t trainPairs = 0;
    std::size_t evalPairs = 0;
    std::int64_t steps = 0;
    for (const nlohmann::json &event : run.readMetrics()) {
        if (event.value("type", "") == "started") {
            trainPairs = event.value("train_pairs", std::size_t { 0 });
            evalPairs = event.value("eval_pairs", std::size_t { 0 });
        }
        steps = std::max(steps, event.value("step", std::int64_t { 0 }));
    }
    std::ostringstream card;
    card << "---\ntags:\n- sentence-transformers\n- sentence-similarity\n- feature-extraction\n- pairtune\n"
         << "- dataset_size:" << trainPairs << "\n- loss:" << lossClassName(config) << "\n"
         << (config.matryoshka ? "- loss:MatryoshkaLoss\n" : "")
         << "pipeline_tag: sentence-similarity\nlibrary_name: sentence-transformers\n";
    // A Hub base is named by its repo id (as sentence-transformers' cards do), never by the cache path.
    if (!config.baseRepoId.empty())
        card << "base_model: " << config.baseRepoId << "\n";
    else if (config.basePath != "builtin")
        card << "base_model: " << fs::path(config.basePath).filename().string() << "\n";
    card << "---\n\n# Fine-tuned with Pairtune\n\n"
         << "A sentence-transformers model fine-tuned by Pairtune " << kVersion << " from ";
    if (!config.baseRepoId.empty())
        card << "[" << config.baseRepoId << "](https://huggingface.co/" << config.baseRepoId
             << ") <!-- at revision " << config.baseCommit << " -->";
    else
        card << "`" << config.basePath << "`";
    card << " on " << trainPairs << " training pairs (" << evalPairs << " held out for evaluation).\n\n"
         << "## Model details\n\n"
         << "- Architecture: " << s.architecture << ", " << s.layers << " layers, hidden size " << s.hidden
         << ", " << s.heads << " attention heads\n"
         << "- Maximum sequence length: " << s.maxSeqLength << " tokens (longer texts are cut)\n"
         << "- Output dimensionality: " << s.embeddingDimension << " (" << s.pooling << " pooling"
         << (s.normalize ? ", normalized" : "") << ")\n"
         << "- Similarity function: " << s.similarity << "\n\n"
         << "## Usage\n\n```python\nfrom sentence_transformers import SentenceTransformer\n\n"
         << "model = SentenceTransformer(\"path/to/this/folder\")\n"
         << "embeddings = model.encode([\"first text\", \"second text\"])\n"
         << "print(model.similarity(embeddings, embeddings))\n```\n\n"
         << "## Evaluation on the held-out pairs\n\n"
         << "Each held-out anchor retrieves among all held-out positives by cosine similarity.";
    // Evaluations between the first and the last score a fixed sample (TrainingConfig::evalSample).
    if (config.evalSample > 0 && evalPairs > static_cast<std::size_t>(config.evalSample))
        card << " Before: all " << evalPairs << " held-out pairs. After: all of them for the final model; a "
             << "best model saved between the first and the last evaluation is scored on a fixed sample of "
             << config.evalSample << " of them.";
    card << "\n\n| metric | before | after |\n|---|---|---|\n";
    for (const char *key : { "accuracy@1", "accuracy@3", "accuracy@10", "mrr@10", "ndcg@10", "mean_cos_pos",
             "mean_cos_neg", "spearman", "eval_loss" }) {
        if (before.count(key) || after.count(key))
            card << "| " << key << " | " << formatMetric(before, key) << " | " << formatMetric(after, key)
                 << " |\n";
    }
    if (const std::string sizes = matryoshkaCardSection(config, before, after); !sizes.empty())
        card << "\n" << sizes;
    if (!verdictSection.empty())
        card << "\n" << verdictSection;
    card << "\n## Training details\n\n"
         << "- Loss: " << lossDescription(config) << "\n"
         << "- Epochs: " << config.epochs << ", " << batchText(run, config) << ", " << steps << " steps\n"
         << "- Optimizer: AdamW, lr " << config.lr << ", weight decay " << config.weightDecay
         << " (none on bias and LayerNorm), " << config.schedule << " schedule with " << config.warmupSteps
         << " warm-up steps, gradient norm clipped at " << config.maxGradNorm << "\n"
         << "- Precision: " << precisionDescription(config) << "; weights and optimizer in float32\n"
         << "- Train/eval split: " << config.trainFraction << " (seed " << config.seed << ")\n"
         << "- Scores: "
         << (config.useFileScores == FileScores::Ignore ? "synthetic" : "from the file when present")
         << ", synthetic ones uniform in mean ± 0.5/scaling (mean " << config.scoreMean << ", scaling "
         << config.scoreScaling << ")\n"
         << trainingPromptsCardLines(columnPrompts(model.prompts())) << "\n"
         << "## Framework versions\n\n- Pairtune " << kVersion << "\n- " << computeBackendInfo() << "\n";
    return card.str();
}

} // namespace

nlohmann::json describeRun(const TrainingConfig &config)
{
    nlohmann::json data = nlohmann::json::array();
    for (const std::string &path : config.dataPaths)
        data.push_back({ { "path", fs::absolute(path).string() }, { "sha256", sha256OfFile(path) } });
    return { { "training", toJson(config) }, { "data", data }, { "versions", { { "pairtune", kVersion } } },
        { "compute", computeBackendInfo() + ", " + precisionDescription(config) } };
}

void exportRunModel(const SentenceModel &model, const RunFolder &run, const TrainingConfig &config,
    const std::map<std::string, double> &evalBefore, const std::map<std::string, double> &evalAfter,
    const std::string &destination, const std::string &verdictSection)
{
    SaveOptions options;
    options.modelCard = modelCard(model, run, config, evalBefore, evalAfter, verdictSection);
    model.save(destination, options);
}

void writeEvalPairs(const RunFolder &run, const TrainingData &data)
{
    // TSV cannot hold tabs or newlines inside a field: replace them by spaces (only for this file).
    auto clean = [](std::string text) {
        for (char &c : text) {
            if (c == '\t' || c == '\n' || c == '\r')
                c = ' ';
        }
        return text;
    };
    // Hard negatives go along (negative_1, ...): evaluation's loss uses them, so `pairtune-cli eval` on
    // this file reproduces the run's eval_loss. Every record of a dataset has the same number of them.
    const auto &records = data.dataset.records();
    const std::size_t negatives
        = data.split.eval.empty() ? 0 : records[data.split.eval.front()].negatives.size();
    std::string out = "anchor\tpositive";
    for (std::size_t k = 0; k < negatives; ++k)
        out += "\tnegative_" + std::to_string(k + 1);
    out += data.scoresFromFile ? "\tscore\n" : "\n";
    for (const std::size_t i : data.split.eval) {
        const PairRecord &r = records[i];
        out += clean(r.anchor) + '\t' + clean(r.positive);
        for (std::size_t k = 0; k < negatives; ++k)
            out += '\t' + clean(k < r.negatives.size() ? r.negatives[k] : std::string());
        char score[32];
        std::snprintf(score, sizeof score, "%.6g", data.scores[i]);
        out += data.scoresFromFile ? '\t' + std::string(score) + '\n' : std::string("\n");
    }
    writeFileAtomic((fs::path(run.path()) / "eval-pairs.tsv").string(), out);
}

void writeSummary(const RunFolder &run, const nlohmann::json &summary)
{
    writeJsonFile(run.summaryPath(), summary, 2);
}

std::string modelFolderInRun(const std::string &runPath, const std::string &which)
{
    const RunFolder run = RunFolder::open(runPath);
    std::string source;
    if (which.empty() || which == "final") {
        source = run.finalModelPath();
    } else if (which == "best") {
        source = run.bestModelPath();
    } else if (which == "last") {
        const auto latest = run.latestCheckpoint();
        if (!latest)
            throw Error(locate(runPath, 0, 0, "has no complete checkpoint yet"));
        source = run.checkpointPath(*latest) + "/model";
    } else if (which.rfind("step-", 0) == 0) {
        source = (fs::path(run.checkpointsPath()) / which / "model").string();
    } else {
        throw Error("--checkpoint must be final, best, last or step-N, not \"" + which + "\"");
    }
    if (!fs::exists(fs::path(source) / "modules.json"))
        throw Error(locate(
            source, 0, 0, "no model there; available checkpoints are listed in " + run.checkpointsPath()));
    return source;
}

std::string exportFromRun(
    const std::string &runPath, const std::string &which, const std::string &destination)
{
    std::string source = modelFolderInRun(runPath, which);
    AtomicDirectory staging(destination, /*replaceExisting=*/false);
    copyFolderContents(source, staging.stagingPath());
    staging.commit();
    return source;
}

} // namespace pairtune
