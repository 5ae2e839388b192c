#include "recipe/trainingconfig.h"

#include "core/error.h"
#include "eval/evalresult.h"
#include "recipe/lrschedule.h"
#include "recipe/matryoshka.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace pairtune {

namespace {

using nlohmann::json;

bool contains(const std::vector<std::string> &list, const std::string &value)
{
    return std::find(list.begin(), list.end(), value) != list.end();
}

std::string joined(const std::vector<std::string> &list)
{
    std::string out;
    for (const auto &item : list)
        out += (out.empty() ? "" : ", ") + item;
    return out;
}

// Reads the keys of one JSON object into typed fields and remembers which keys it used, so that any
// key left over afterwards is reported as unknown.
class Reader
{
public:
    Reader(const json &object, const std::string &source)
        : m_object(object)
        , m_source(source)
    {
        if (!m_object.is_object())
            fail("expected a JSON object");
    }

    void read(const char *key, std::string &out)
    {
        if (const json *value = find(key)) {
            if (!value->is_string())
                fail(key, "must be a string");
            out = value->get<std::string>();
        }
    }

    void read(const char *key, bool &out)
    {
        if (const json *value = find(key)) {
            if (!value->is_boolean())
                fail(key, "must be true or false");
            out = value->get<bool>();
        }
    }

    void read(const char *key, double &out)
    {
        if (const json *value = find(key)) {
            if (!value->is_number())
                fail(key, "must be a number");
            out = value->get<double>();
        }
    }

    void read(const char *key, int &out) { readInteger(key, out); }
    void read(const char *key, std::int64_t &out) { readInteger(key, out); }

    void read(const char *key, std::uint64_t &out)
    {
        if (const json *value = find(key)) {
            if (value->is_number_unsigned())
                out = value->get<std::uint64_t>();
            else if (value->is_number_integer() && value->get<std::int64_t>() >= 0)
                out = static_cast<std::uint64_t>(value->get<std::int64_t>());
            else
                fail(key, "must be a non-negative integer");
        }
    }

    void read(const char *key, std::vector<std::string> &out)
    {
        if (const json *value = find(key)) {
            if (!value->is_array() || !std::all_of(value->begin(), value->end(), [](const json &item) {
                    return item.is_string();
                }))
                fail(key, "must be a list of strings");
            out = value->get<std::vector<std::string>>();
        }
    }

    void read(const char *key, std::vector<int> &out)
    {
        if (const json *value = find(key)) {
            if (!value->is_array() || !std::all_of(value->begin(), value->end(), [](const json &item) {
                    return item.is_number_integer()
                        && item.get<std::int64_t>() >= std::numeric_limits<int>::min()
                        && item.get<std::int64_t>() <= std::numeric_limits<int>::max();
                }))
                fail(key, "must be a list of integers");
            out = value->get<std::vector<int>>();
        }
    }

    void read(const char *key, std::vector<double> &out)
    {
        if (const json *value = find(key)) {
            if (!value->is_array() || !std::all_of(value->begin(), value->end(), [](const json &item) {
                    return item.is_number();
                }))
                fail(key, "must be a list of numbers");
            out = value->get<std::vector<double>>();
        }
    }

    void read(const char *key, FileScores &out)
    {
        if (const json *value = find(key)) {
            const std::string text = value->is_string() ? value->get<std::string>() : std::string();
            if (text == "auto")
                out = FileScores::Auto;
            else if (text == "require")
                out = FileScores::Require;
            else if (text == "ignore")
                out = FileScores::Ignore;
            else
                fail(key, "must be \"auto\", \"require\" or \"ignore\"");
        }
    }

    void read(const char *key, Bf16Mode &out)
    {
        if (const json *value = find(key)) {
            if (value->is_boolean())
                out = value->get<bool>() ? Bf16Mode::On : Bf16Mode::Off;
            else if (value->is_string() && value->get<std::string>() == "auto")
                out = Bf16Mode::Auto;
            else
                fail(key, "must be true, false or \"auto\"");
        }
    }

    void finish() const
    {
        for (const auto &item : m_object.items())
            if (!m_used.count(item.key()))
                fail("unknown setting \"" + item.key() + "\"");
    }

private:
    const json *find(const char *key)
    {
        m_used.insert(key);
        const auto it = m_object.find(key);
        return it == m_object.end() ? nullptr : &*it;
    }

    template <typename T> void readInteger(const char *key, T &out)
    {
        if (const json *value = find(key)) {
            bool ok = false;
            if (value->is_number_unsigned()) {
                ok = value->get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<T>::max());
            } else if (value->is_number_integer()) {
                const auto v = value->get<std::int64_t>();
                ok = v >= std::numeric_limits<T>::min() && v <= std::numeric_limits<T>::max();
            }
            if (!ok)
                fail(key, "must be an integer");
            out = static_cast<T>(value->get<std::int64_t>());
        }
    }

    [[noreturn]] void fail(const std::string &message) const { throw Error(locate(m_source, 0, 0, message)); }
    [[noreturn]] void fail(const char *key, const std::string &message) const
    {
        fail("setting \"" + std::string(key) + "\" " + message);
    }

    const json &m_object;
    std::string m_source;
    std::set<std::string> m_used;
};

// One list of fields for both directions, so a new field cannot be written but not read (or back).
template <typename Visitor, typename Config> void visitFields(Config &c, Visitor &&visit)
{
    visit("data_paths", c.dataPaths);
    visit("data_sheet", c.dataSheet);
    visit("base_path", c.basePath);
    visit("base_repo_id", c.baseRepoId);
    visit("base_revision", c.baseRevision);
    visit("base_commit", c.baseCommit);
    visit("out_path", c.outPath);
    visit("epochs", c.epochs);
    visit("batch_size", c.batchSize);
    visit("warmup_steps", c.warmupSteps);
    visit("train_fraction", c.trainFraction);
    visit("score_mean", c.scoreMean);
    visit("score_scaling", c.scoreScaling);
    visit("use_file_scores", c.useFileScores);
    visit("loss", c.loss);
    visit("similarity", c.similarity);
    visit("scale", c.scale);
    visit("lr", c.lr);
    visit("weight_decay", c.weightDecay);
    visit("adam_beta1", c.adamBeta1);
    visit("adam_beta2", c.adamBeta2);
    visit("adam_epsilon", c.adamEpsilon);
    visit("max_grad_norm", c.maxGradNorm);
    visit("schedule", c.schedule);
    visit("schedule_cycles", c.scheduleCycles);
    visit("seed", c.seed);
    visit("max_seq_length", c.maxSeqLength);
    visit("eval_every", c.evalEvery);
    visit("eval_sample", c.evalSample);
    visit("checkpoint_every", c.checkpointEvery);
    visit("keep_checkpoints", c.keepCheckpoints);
    visit("max_steps", c.maxSteps);
    visit("threads", c.threads);
    visit("device", c.device);
    visit("no_duplicates", c.noDuplicates);
    visit("length_grouped", c.lengthGrouped);
    visit("near_duplicate_threshold", c.nearDuplicateThreshold);
    visit("group_near_duplicates", c.groupNearDuplicates);
    visit("drop_near_duplicates", c.dropNearDuplicates);
    visit("dropout", c.dropout);
    visit("general_check", c.generalCheck);
    visit("bf16", c.bf16);
    visit("grad_cache", c.gradCache);
    visit("mini_batch_size", c.miniBatchSize);
    visit("best_metric", c.bestMetric);
    visit("matryoshka", c.matryoshka);
    visit("matryoshka_dims", c.matryoshkaDims);
    visit("matryoshka_weights", c.matryoshkaWeights);
}

bool isDevice(const std::string &device)
{
    if (device == "cpu" || device == "cuda")
        return true;
    const std::string prefix = "cuda:";
    if (device.size() <= prefix.size() || device.compare(0, prefix.size(), prefix) != 0)
        return false;
    return std::all_of(device.begin() + static_cast<std::ptrdiff_t>(prefix.size()), device.end(),
        [](char c) { return c >= '0' && c <= '9'; });
}

} // namespace

std::string fileScoresName(FileScores value)
{
    switch (value) {
    case FileScores::Auto:
        return "auto";
    case FileScores::Require:
        return "require";
    case FileScores::Ignore:
        return "ignore";
    }
    return "auto";
}

json toJson(const TrainingConfig &config)
{
    json out = json::object();
    visitFields(config, [&](const char *key, const auto &value) {
        if constexpr (std::is_same_v<std::decay_t<decltype(value)>, FileScores>)
            out[key] = fileScoresName(value);
        else if constexpr (std::is_same_v<std::decay_t<decltype(value)>, Bf16Mode>)
            out[key] = value == Bf16Mode::Auto ? json("auto") : json(value == Bf16Mode::On);
        else
            out[key] = value;
    });
    return out;
}

TrainingConfig trainingConfigFromJson(const json &json, const std::string &source)
{
    TrainingConfig config;
    // Older config.json files have no "bf16": they trained in float32, and a resume must too.
    config.bf16 = Bf16Mode::Off;
    Reader reader(json, source);
    visitFields(config, [&](const char *key, auto &value) { reader.read(key, value); });
    reader.finish();
    return config;
}

const std::vector<std::string> &runInputKeys()
{
    static const std::vector<std::string> keys = { "data_paths", "data_sheet", "base_path", "base_repo_id",
        "base_revision", "base_commit", "out_path" };
    return keys;
}

const std::vector<std::string> &machineKeys()
{
    static const std::vector<std::string> keys = { "threads", "device", "bf16" };
    return keys;
}

TrainingConfig withRunInputsOf(const TrainingConfig &recipe, const TrainingConfig &inputs)
{
    // Through JSON, whose round trip is exact, so the key list is the only list of these fields.
    json merged = toJson(recipe);
    const json from = toJson(inputs);
    for (const std::string &key : runInputKeys())
        merged[key] = from.at(key);
    return trainingConfigFromJson(merged, "run inputs");
}

std::vector<std::string> validate(const TrainingConfig &c)
{
    std::vector<std::string> problems;
    const auto problem = [&](std::string text) { problems.push_back(std::move(text)); };

    if (c.dataPaths.empty())
        problem("No data file is given.");
    for (std::size_t i = 0; i < c.dataPaths.size(); ++i)
        if (c.dataPaths[i].empty())
            problem("Data file " + std::to_string(i + 1) + " has an empty path.");
    if (c.basePath.empty())
        problem("No base model is given (a sentence-transformers folder or \"builtin\").");
    if (c.outPath.empty())
        problem("No output folder is given.");

    if (c.epochs < 1)
        problem("Epochs must be at least 1.");
    if (c.batchSize < 1)
        problem("The batch size must be at least 1.");
    else if (c.batchSize < 2 && lossUsesNegatives(c.loss))
        problem("The batch size must be at least 2 for the " + c.loss
            + " loss: it uses the other pairs of a batch as negatives.");
    if (c.warmupSteps < 0)
        problem("Warmup steps must not be negative.");
    if (!(c.trainFraction > 0.0 && c.trainFraction <= 1.0))
        problem("The training fraction must be greater than 0 and at most 1.");
    if ((c.groupNearDuplicates || c.dropNearDuplicates)
        && !(c.nearDuplicateThreshold > 0.0 && c.nearDuplicateThreshold <= 1.0))
        problem(
            "The near-duplicate threshold must be a cosine greater than 0 and at most 1 (0.95 is usual).");
    if (!std::isfinite(c.scoreMean))
        problem("The synthetic score mean must be a finite number.");
    if (!std::isfinite(c.scoreScaling) || !(c.scoreScaling > 0.0))
        problem("The synthetic score scaling must be greater than 0.");

    if (!contains(trainingLossNames(), c.loss))
        problem("Unknown loss \"" + c.loss + "\" (valid: " + joined(trainingLossNames()) + ").");
    if (!contains(similarityNames(), c.similarity))
        problem("Unknown similarity \"" + c.similarity + "\" (valid: " + joined(similarityNames()) + ").");
    if (!std::isfinite(c.scale) || !(c.scale > 0.0))
        problem("The similarity scale must be greater than 0.");

    if (!std::isfinite(c.lr) || !(c.lr > 0.0))
        problem("The learning rate must be greater than 0.");
    if (!std::isfinite(c.weightDecay) || c.weightDecay < 0.0)
        problem("Weight decay must not be negative.");
    if (!(c.adamBeta1 >= 0.0 && c.adamBeta1 < 1.0) || !(c.adamBeta2 >= 0.0 && c.adamBeta2 < 1.0))
        problem("The AdamW betas must be at least 0 and less than 1.");
    if (!std::isfinite(c.adamEpsilon) || c.adamEpsilon < 0.0)
        problem("The AdamW epsilon must not be negative.");
    if (!std::isfinite(c.maxGradNorm) || c.maxGradNorm < 0.0)
        problem("The gradient-norm limit must not be negative (0 turns clipping off).");
    if (!contains(scheduleKindNames(), c.schedule))
        problem("Unknown learning-rate schedule \"" + c.schedule + "\" (valid: " + joined(scheduleKindNames())
            + ").");
    if (!std::isfinite(c.scheduleCycles) || c.scheduleCycles < 0.0)
        problem("The schedule's cycles must not be negative (0 = the schedule's default).");

    if (c.maxSeqLength < 0)
        problem("The maximum sequence length must not be negative (0 = the model's).");
    if (c.evalEvery < 0)
        problem("\"Evaluate every\" must not be negative (0 = at epoch ends only).");
    if (c.evalSample < 0)
        problem("The evaluation sample must not be negative (0 = all held-out pairs).");
    if (c.checkpointEvery < 0)
        problem("\"Checkpoint every\" must not be negative (0 = at epoch ends only).");
    if (c.keepCheckpoints < 0)
        problem("The number of checkpoints to keep must not be negative (0 = all).");
    if (c.maxSteps < 0)
        problem("The step limit must not be negative (0 = no limit).");
    if (c.threads < 0)
        problem("The thread count must not be negative (0 = automatic).");
    if (c.miniBatchSize < 0)
        problem("The mini-batch size must not be negative (0 = chosen from free memory).");
    if (c.gradCache && !lossUsesNegatives(c.loss))
        problem("Grad cache works only with the in-batch-negative losses (mnrl, mnrl_symmetric), where the "
                "batch size is the number of negatives; the "
            + c.loss + " loss gains nothing from it, so turn grad cache off or choose one of those losses.");
    if (!isDevice(c.device))
        problem("Unknown device \"" + c.device + "\" (valid: cpu, cuda, cuda:N).");
    for (std::string &text : matryoshkaProblems(c, 0))
        problem(std::move(text));
    if (!isEvalMetricKey(c.bestMetric))
        problem("Unknown metric \"" + c.bestMetric
            + "\" for choosing the best checkpoint (valid: " + joined(evalMetricKeys()) + ").");
    return problems;
}

} // namespace pairtune
