#include "train/trainer.h"

#include "core/error.h"
#include "core/log.h"
#include "data/sha256.h"
#include "eval/evalresult.h"
#include "io/jsonfile.h"
#include "io/safetensors.h"
#include "model/runtime.h"
#include "model/sentencemodel.h"
#include "model/sentencemodelimpl.h"
#include "pairtune/version.h"
#include "recipe/batchsampler.h"
#include "recipe/lrschedule.h"
#include "train/adamw.h"
#include "train/basemodel.h"
#include "train/bf16autocast.h"
#include "train/checkpoint.h"
#include "train/exporter.h"
#include "train/losses.h"
#include "train/runfolder.h"
#include "train/trainingdata.h"

#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <optional>

namespace pairtune {
namespace {

using Clock = std::chrono::steady_clock;

// Evaluation batches have a fixed size (like `pairtune-cli eval`) so eval_loss is comparable across runs
// with different --batch-size and reproducible from the exported model.
constexpr std::size_t kEvalBatchSize = 32;

double secondsSince(Clock::time_point start)
{
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// Bias-corrected exponential moving average of the loss (what the charts draw as "smoothed").
struct LossSmoother
{
    static constexpr double kAlpha = 0.05;
    double average = 0.0;
    double weight = 0.0;

    double add(double value)
    {
        average = (1.0 - kAlpha) * average + kAlpha * value;
        weight = (1.0 - kAlpha) * weight + kAlpha;
        return average / weight;
    }
};

// Everything the loop carries from step to step; saved in trainer_state.json.
struct LoopState
{
    std::int64_t step = 0;
    SamplerPosition position;
    LossSmoother smoother;
    double trainSeconds = 0.0;
    std::optional<double> firstLoss;
    double lastLoss = 0.0;
    std::int64_t bestStep = -1;
    double bestValue = 0.0;
    std::map<std::string, double> evalBefore;

    nlohmann::json toJson() const
    {
        nlohmann::json j = { { "step", step }, { "position", pairtune::toJson(position) },
            { "loss_average", smoother.average }, { "loss_weight", smoother.weight },
            { "train_seconds", trainSeconds }, { "last_loss", lastLoss }, { "best_step", bestStep },
            { "best_value", bestValue }, { "eval_before", evalBefore } };
        if (firstLoss)
            j["first_loss"] = *firstLoss;
        return j;
    }

    static LoopState fromJson(const nlohmann::json &j)
    {
        LoopState s;
        s.step = j.at("step").get<std::int64_t>();
        s.position = samplerPositionFromJson(j.at("position"));
        s.smoother.average = j.at("loss_average").get<double>();
        s.smoother.weight = j.at("loss_weight").get<double>();
        s.trainSeconds = j.at("train_seconds").get<double>();
        s.lastLoss = j.at("last_loss").get<double>();
        s.bestStep = j.at("best_step").get<std::int64_t>();
        s.bestValue = j.at("best_value").get<double>();
        s.evalBefore = j.at("eval_before").get<std::map<std::string, double>>();
        if (j.contains("first_loss"))
            s.firstLoss = j.at("first_loss").get<double>();
        return s;
    }
};

class TrainingRun
{
public:
    TrainingRun(TrainingConfig config, RunFolder run, const TrainingCallbacks &callbacks)
        : m_config(std::move(config))
        , m_run(std::move(run))
        , m_callbacks(callbacks)
    { }

    TrainingResult execute(std::optional<std::int64_t> resumeFrom);

private:
    void emit(TrainingEvent event, bool record = true)
    {
        event.totalEpochs = m_config.epochs;
        event.totalSteps = m_totalSteps;
        event.stepsPerEpoch = m_stepsPerEpoch;
        if (record)
            m_run.appendMetric(toJson(event));
        if (m_callbacks.onEvent)
            m_callbacks.onEvent(event);
    }
    bool stopRequested() const { return m_callbacks.stopRequested && m_callbacks.stopRequested(); }

    bool weightsFinite() const
    {
        for (const AdamW::Param &p : m_optimizer->params())
            if (!torch::isfinite(p.value).all().item<bool>())
                return false;
        return true;
    }
    // The weights after step `badStep` are not usable. Checkpoints from that step on are set aside
    // (so `--resume` and `export --checkpoint last` can only pick a good state), then a clear error.
    [[noreturn]] void failNonFinite(const std::string &what, std::int64_t badStep) const
    {
        m_run.quarantineCheckpointsFrom(badStep);
        const std::optional<std::int64_t> good = m_run.latestCheckpoint();
        throw Error(what + "; "
                + (good ? "the last good state is " + m_run.checkpointPath(*good)
                        : std::string("no checkpoint was written before it"))
                + ". Lower the learning rate (--lr) or check the data.",
            Error::Kind::Numeric);
    }

    double trainStep(const std::vector<std::size_t> &batch, double lr);
    void dumpBatch(const std::string &folder, const std::vector<std::size_t> &batch, double loss,
        const std::string &gradsFile) const;
    void runOneStep(const std::vector<std::size_t> &batch, int epoch, ScheduleKind schedule,
        std::optional<double> cycles);
    void evaluateNow(int epoch);
    void checkpointNow(int epoch);

    TrainingConfig m_config;
    RunFolder m_run;
    const TrainingCallbacks &m_callbacks;
    std::optional<SentenceModel> m_model;
    std::optional<TrainingData> m_data;
    std::optional<AdamW> m_optimizer;
    EvalSet m_evalSet;
    LossSpec m_loss;
    LoopState m_state;
    std::int64_t m_totalSteps = 0;
    std::int64_t m_stepsPerEpoch = 0;
    Clock::time_point m_started = Clock::now();
    double m_evalSeconds = 0.0;
    int m_evaluations = 0;
    std::int64_t m_lastEvalStep = -1;
    std::int64_t m_stepsAtStart = 0; // steps done before this process (resume)
    double m_trainSecondsAtStart = 0.0;
    std::int64_t m_lastCheckpointStep = -1;
    std::map<std::string, double> m_lastMetrics;
};

double TrainingRun::trainStep(const std::vector<std::size_t> &batch, double lr)
{
    SentenceModel::Impl &impl = m_model->impl();
    impl.setTraining(m_config.dropout);
    const std::size_t columns = 2 + m_data->negativesPerRecord;
    // Every column in one forward pass: fewer, larger matmuls and half the dispatches. Each text's
    // embedding does not depend on what else is in the pass (the encoder computes only real tokens).
    std::vector<Encoding> encodings;
    std::vector<std::size_t> promptLengths; // each column's prompt, left out of pooling if so configured
    encodings.reserve(batch.size() * columns);
    for (std::size_t column = 0; column < columns; ++column) {
        for (const std::size_t record : batch) {
            encodings.push_back(m_data->encoding(record, column));
            promptLengths.push_back(m_data->columnPromptLengths[column]);
        }
    }
    std::vector<torch::Tensor> embeddings;
    {
        const Bf16Autocast autocast(m_config.bf16, impl.device());
        // The loss and everything after it in float32, as under Python's autocast for MNRL's softmax.
        embeddings
            = impl.embed(encodings, promptLengths).to(at::kFloat).split(static_cast<int64_t>(batch.size()));
    }
    std::vector<float> labels;
    for (const std::size_t record : batch)
        labels.push_back(m_data->scores[record]);
    const torch::Tensor scores = torch::tensor(labels).to(impl.device());
    const std::vector<torch::Tensor> negatives(embeddings.begin() + 2, embeddings.end());
    const torch::Tensor loss = computeLoss(m_loss, embeddings[0], embeddings[1], negatives, scores);
    const double value = loss.item<double>();
    if (!std::isfinite(value)) {
        // The weights after the previous update already give a non-finite loss, so a checkpoint of
        // that state (step m_state.step) is bad too; the good ones are from before that update.
        failNonFinite("the loss became " + std::string(std::isnan(value) ? "NaN" : "infinite") + " at step "
                + std::to_string(m_state.step + 1),
            m_state.step);
    }
    loss.backward();
    const bool dump = m_state.step == 0 && !m_callbacks.debugDumpFolder.empty();
    if (dump)
        dumpBatch(m_callbacks.debugDumpFolder, batch, value, "grads_raw.safetensors");
    if (m_config.maxGradNorm > 0)
        m_optimizer->clipGradNorm(m_config.maxGradNorm);
    if (dump)
        dumpBatch(m_callbacks.debugDumpFolder, batch, value, "grads_clipped.safetensors");
    m_optimizer->step(lr);
    m_optimizer->zeroGrad();
    return value;
}

void TrainingRun::runOneStep(
    const std::vector<std::size_t> &batch, int epoch, ScheduleKind schedule, std::optional<double> cycles)
{
    const double lr
        = m_config.lr * lrFactor(schedule, m_state.step, m_config.warmupSteps, m_totalSteps, cycles);
    const Clock::time_point start = Clock::now();
    const double loss = trainStep(batch, lr);
    m_state.trainSeconds += secondsSince(start);
    ++m_state.step;
    ++m_state.position.batchInEpoch;
    if (!m_state.firstLoss)
        m_state.firstLoss = loss;
    m_state.lastLoss = loss;

    TrainingEvent event { TrainingEvent::Type::Step };
    event.step = m_state.step;
    event.epoch = epoch;
    event.loss = loss;
    event.smoothedLoss = m_state.smoother.add(loss);
    event.learningRate = lr;
    event.elapsedSeconds = secondsSince(m_started);
    const double pairsDone = static_cast<double>(m_state.step - m_stepsAtStart) * m_config.batchSize;
    const double secondsHere = m_state.trainSeconds - m_trainSecondsAtStart;
    event.pairsPerSecond = secondsHere > 0 ? pairsDone / secondsHere : 0.0;
    const double perStep
        = secondsHere / static_cast<double>(std::max<std::int64_t>(1, m_state.step - m_stepsAtStart));
    const double perEval = m_evaluations > 0 ? m_evalSeconds / m_evaluations : 0.0;
    const std::int64_t stepsLeft = m_totalSteps - m_state.step;
    const std::int64_t evalsLeft
        = (m_config.evalEvery > 0 ? stepsLeft / m_config.evalEvery : 0) + (m_config.epochs - epoch);
    event.etaSeconds = perStep * static_cast<double>(stepsLeft) + perEval * static_cast<double>(evalsLeft);
    emit(event);
}

void TrainingRun::dumpBatch(const std::string &folder, const std::vector<std::size_t> &batch, double loss,
    const std::string &gradsFile) const
{
    std::filesystem::create_directories(folder);
    nlohmann::json columns = nlohmann::json::array();
    for (std::size_t column = 0; column < 2 + m_data->negativesPerRecord; ++column) {
        nlohmann::json ids = nlohmann::json::array();
        for (const std::size_t record : batch)
            ids.push_back(m_data->encoding(record, column).ids);
        columns.push_back(ids);
    }
    std::vector<float> scores;
    for (const std::size_t record : batch)
        scores.push_back(m_data->scores[record]);
    writeJsonFile(
        folder + "/batch.json", { { "columns", columns }, { "scores", scores }, { "loss", loss } }, 1);
    std::vector<torch::Tensor> keep;
    std::vector<TensorToWrite> tensors;
    for (const AdamW::Param &p : m_optimizer->params()) {
        if (!p.value.grad().defined())
            continue;
        keep.push_back(p.value.grad().detach().to(torch::kCPU, torch::kFloat32).contiguous());
        const torch::Tensor &g = keep.back();
        tensors.push_back({ p.name, DType::F32, g.sizes().vec(),
            { static_cast<const std::byte *>(g.data_ptr()), static_cast<std::size_t>(g.numel()) * 4 } });
    }
    writeSafetensors(folder + "/" + gradsFile, tensors, {});
}

void TrainingRun::evaluateNow(int epoch)
{
    if (m_evalSet.anchors.empty())
        return;
    // NaN weights can still give finite-looking metrics (accuracy 0): they must never become best/.
    if (!weightsFinite())
        failNonFinite(
            "the weights became NaN or infinite at step " + std::to_string(m_state.step), m_state.step);
    const Clock::time_point start = Clock::now();
    EvalOptions options { m_config.loss, m_config.similarity, m_config.scale, kEvalBatchSize, m_config.seed };
    TrainingEvent event { TrainingEvent::Type::Evaluation };
    event.metrics = evaluate(*m_model, m_evalSet, options);
    // Finite but exploded weights can overflow to NaN embeddings: such a state is not good either.
    const auto cosPos = event.metrics.find("mean_cos_pos");
    if (cosPos != event.metrics.end() && !std::isfinite(cosPos->second))
        failNonFinite(
            "the embeddings became NaN or infinite at step " + std::to_string(m_state.step), m_state.step);
    event.step = m_state.step;
    event.epoch = epoch;
    m_evalSeconds += secondsSince(start);
    m_lastEvalStep = m_state.step;
    m_lastMetrics = event.metrics;
    ++m_evaluations;
    event.elapsedSeconds = secondsSince(m_started);
    if (m_state.step == 0)
        m_state.evalBefore = event.metrics;

    const auto metric = event.metrics.find(m_config.bestMetric);
    if (m_state.step > 0 && metric != event.metrics.end() && std::isfinite(metric->second)) {
        const bool higher = higherIsBetter(m_config.bestMetric);
        const bool better = m_state.bestStep < 0
            || (higher ? metric->second > m_state.bestValue : metric->second < m_state.bestValue);
        if (better) {
            m_state.bestStep = m_state.step;
            m_state.bestValue = metric->second;
            exportRunModel(
                *m_model, m_run, m_config, m_state.evalBefore, event.metrics, m_run.bestModelPath());
            event.message = "best " + m_config.bestMetric + " so far";
        }
    }
    emit(event);
}

void TrainingRun::checkpointNow(int epoch)
{
    if (!weightsFinite())
        failNonFinite(
            "the weights became NaN or infinite at step " + std::to_string(m_state.step), m_state.step);
    nlohmann::json state = m_state.toJson();
    state["torch_rng"] = torchRngState();
    state["pairtune_version"] = kVersion;
    const std::string folder = m_run.checkpointPath(m_state.step);
    saveCheckpoint(folder, *m_model, *m_optimizer, state);
    m_lastCheckpointStep = m_state.step;
    m_run.pruneCheckpoints(m_config.keepCheckpoints);
    TrainingEvent event { TrainingEvent::Type::Checkpoint };
    event.step = m_state.step;
    event.epoch = epoch;
    event.message = folder;
    emit(event);
}

TrainingResult TrainingRun::execute(std::optional<std::int64_t> resumeFrom)
{
    applyComputeThreads(m_config.threads); // 0 = automatic; the resolved count goes into the compute line
    const std::string basePath = resolveBaseModel(m_config.basePath);
    m_model.emplace(
        SentenceModel::load(resumeFrom ? m_run.checkpointPath(*resumeFrom) + "/model" : basePath));
    if (m_config.maxSeqLength > 0) // the exported model keeps the length it was trained with
        m_model->impl().config.maxSeqLength = m_config.maxSeqLength;
    if (m_config.device != "cpu")
        m_model->moveTo(m_config.device);
    if (m_config.bf16 && m_config.device == "cpu" && !cpuHasNativeBf16())
        throw Error(
            "--bf16: this CPU has no native bfloat16 instructions (AVX512-BF16 or AMX-BF16); emulated "
            "bf16 would be several times slower than float32, so train without --bf16");
    m_data.emplace(prepareTrainingData(m_config, *m_model));
    // Written only once the data and model are known good: a start that failed leaves no run behind,
    // so the same --out can simply be tried again.
    if (!resumeFrom && !std::filesystem::exists(m_run.configPath())) {
        nlohmann::json described = describeRun(m_config);
        described["prompts"] = m_data->prompts.toJson(); // what each column got (model/prompts.h)
        m_run.writeConfig(described);
    }
    m_evalSet = makeEvalSet(*m_data);
    m_loss
        = LossSpec { parseLossKind(m_config.loss), parseSimilarityKind(m_config.similarity), m_config.scale };

    BatchSamplerOptions samplerOptions;
    samplerOptions.batchSize = static_cast<std::size_t>(m_config.batchSize);
    samplerOptions.seed = m_config.seed;
    samplerOptions.noDuplicates = m_config.noDuplicates && lossUsesNegatives(m_loss.kind);
    samplerOptions.lengthGrouped = m_config.lengthGrouped;
    const BatchSampler sampler(m_data->split.train, samplerOptions, m_data->textIds, m_data->lengths);
    m_stepsPerEpoch = static_cast<std::int64_t>(sampler.stepsPerEpoch());
    m_totalSteps = sampler.totalSteps(m_config.epochs); // exact: no-duplicates can add batches
    if (m_config.maxSteps > 0)
        m_totalSteps = std::min(m_totalSteps, m_config.maxSteps);
    const ScheduleKind schedule = scheduleKindFromName(m_config.schedule);
    const std::optional<double> cycles
        = m_config.scheduleCycles > 0 ? std::optional<double>(m_config.scheduleCycles) : std::nullopt;

    m_optimizer.emplace(m_model->impl().namedParameters(),
        AdamWOptions { m_config.adamBeta1, m_config.adamBeta2, m_config.adamEpsilon, m_config.weightDecay });
    if (resumeFrom) {
        const std::string checkpoint = m_run.checkpointPath(*resumeFrom);
        loadOptimizerState(checkpoint, *m_optimizer);
        const nlohmann::json state = readTrainerState(checkpoint);
        m_state = LoopState::fromJson(state);
        setTorchRngState(state.at("torch_rng").get<std::string>());
        m_run.truncateMetricsAfter(m_state.step);
        m_stepsAtStart = m_state.step;
        m_trainSecondsAtStart = m_state.trainSeconds;
        m_lastEvalStep = m_lastCheckpointStep = m_state.step;
    } else {
        torch::manual_seed(m_config.seed);
    }

    TrainingEvent started { TrainingEvent::Type::Started };
    started.step = m_state.step;
    started.trainPairs = m_data->split.train.size();
    started.evalPairs = m_data->split.eval.size();
    started.message = resumeFrom ? "resumed from step " + std::to_string(*resumeFrom) : "";
    emit(started);
    if (!resumeFrom)
        writeEvalPairs(m_run, *m_data);
    if (!resumeFrom)
        evaluateNow(0);

    bool cancelled = false;
    for (int epoch = m_state.position.epoch; epoch < m_config.epochs && !cancelled; ++epoch) {
        const auto batches = sampler.remainingBatches(m_state.position);
        std::size_t consumed = 0;
        for (const auto &batch : batches) {
            if (m_state.step >= m_totalSteps)
                break;
            if (stopRequested()) {
                cancelled = true;
                break;
            }
            runOneStep(batch, epoch, schedule, cycles);
            ++consumed;
            if (m_config.evalEvery > 0 && m_state.step % m_config.evalEvery == 0)
                evaluateNow(epoch);
            if (m_config.checkpointEvery > 0 && m_state.step % m_config.checkpointEvery == 0)
                checkpointNow(epoch);
        }
        if (cancelled || consumed < batches.size())
            break; // cancelled, or max-steps reached inside the epoch
        m_state.position = SamplerPosition { epoch + 1, 0 };
        if (m_lastEvalStep != m_state.step)
            evaluateNow(epoch);
        checkpointNow(epoch + 1); // also replaces a mid-epoch one at this step: it holds the new position
    }

    TrainingResult result;
    result.cancelled = cancelled;
    if (m_lastCheckpointStep != m_state.step || cancelled)
        checkpointNow(m_state.position.epoch);
    if (!cancelled) {
        if (m_lastEvalStep != m_state.step)
            evaluateNow(m_state.position.epoch);
        result.modelPath = m_run.finalModelPath();
        exportRunModel(*m_model, m_run, m_config, m_state.evalBefore, m_lastMetrics, m_run.finalModelPath());
    }
    result.steps = m_state.step;
    result.totalSteps = m_totalSteps;
    result.trainPairs = m_data->split.train.size();
    result.evalPairs = m_data->split.eval.size();
    result.trainSeconds = m_state.trainSeconds;
    result.pairsPerSecond = m_state.trainSeconds > 0
        ? static_cast<double>(m_state.step) * m_config.batchSize / m_state.trainSeconds
        : 0.0;
    result.firstLoss = m_state.firstLoss.value_or(0.0);
    result.lastLoss = m_state.lastLoss;
    result.evalBefore = m_state.evalBefore;
    result.evalAfter = m_lastMetrics;
    result.bestStep = m_state.bestStep;
    result.bestValue = m_state.bestValue;
    result.runPath = m_run.path();
    result.bestModelPath = m_state.bestStep >= 0 ? m_run.bestModelPath() : std::string();

    TrainingEvent finished { TrainingEvent::Type::Finished };
    finished.step = m_state.step;
    finished.epoch = m_state.position.epoch;
    finished.message = cancelled ? "cancelled; continue with resume" : "finished";
    emit(finished);
    writeSummary(m_run, toJson(result));
    return result;
}

// A resume must train on the very pairs the run started with: the split, the batches and the
// checkpoint's sampler position all depend on them.
void checkDataUnchanged(const nlohmann::json &stored, const std::string &configPath, bool allowChanged)
{
    if (!stored.contains("data") || !stored.at("data").is_array())
        throw Error(locate(configPath, 0, 0, "has no \"data\" list with the data files' sha256"));
    for (const nlohmann::json &entry : stored.at("data")) {
        const std::string path = entry.value("path", std::string());
        const std::string expected = entry.value("sha256", std::string());
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw Error(locate(path, 0, 0,
                "the run's data file is missing; put it back to resume (recorded in " + configPath + ")"));
        const std::string actual = sha256OfFile(path);
        if (actual == expected)
            continue;
        const std::string what = "has changed since the run started (sha256 " + expected.substr(0, 12)
            + "… in " + configPath + ", now " + actual.substr(0, 12) + "…)";
        if (!allowChanged)
            throw Error(locate(path, 0, 0,
                what
                    + "; resuming would continue on different pairs. Restore the file, start a new run, "
                      "or pass --allow-changed-data to resume anyway"));
        logWarning(locate(path, 0, 0, what + "; resuming anyway (--allow-changed-data)"));
    }
}

} // namespace

nlohmann::json toJson(const TrainingResult &r)
{
    return { { "status", r.cancelled ? "cancelled" : "finished" }, { "pairs", r.trainPairs },
        { "eval_pairs", r.evalPairs }, { "steps", r.steps }, { "total_steps", r.totalSteps },
        { "train_seconds", r.trainSeconds }, { "pairs_per_second", r.pairsPerSecond },
        { "first_loss", r.firstLoss }, { "last_loss", r.lastLoss }, { "eval_before", r.evalBefore },
        { "eval_after", r.evalAfter }, { "best_step", r.bestStep }, { "best_value", r.bestValue },
        { "run", r.runPath }, { "model", r.modelPath }, { "best_model", r.bestModelPath } };
}

TrainingResult runTraining(const TrainingConfig &config, const TrainingCallbacks &callbacks)
{
    const std::vector<std::string> problems = validate(config);
    if (!problems.empty())
        throw Error(problems.front());
    for (const std::string &path : config.dataPaths) {
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec))
            throw Error(locate(path, 0, 0, "is a folder; --data needs pair files (TSV, CSV, JSONL or JSON)"));
    }
    // Stored paths are absolute so that a resume works from any working directory.
    TrainingConfig stored = config;
    for (std::string &path : stored.dataPaths)
        path = std::filesystem::absolute(path).string();
    if (stored.basePath != "builtin")
        stored.basePath = std::filesystem::absolute(stored.basePath).string();
    RunFolder run = RunFolder::create(stored.outPath);
    return TrainingRun(stored, std::move(run), callbacks).execute(std::nullopt);
}

TrainingResult resumeTraining(
    const std::string &runPath, const TrainingCallbacks &callbacks, int threads, bool allowChangedData)
{
    RunFolder run = RunFolder::open(runPath);
    run.recoverAfterCrash();
    const nlohmann::json stored = run.readConfig();
    TrainingConfig config = trainingConfigFromJson(stored.at("training"), run.configPath());
    checkDataUnchanged(stored, run.configPath(), allowChangedData);
    if (threads > 0)
        config.threads = threads;
    const std::optional<std::int64_t> latest = run.latestCheckpoint();
    if (!latest) {
        logWarning(runPath + ": no complete checkpoint yet; starting the run again from the beginning");
        run.truncateMetricsAfter(-1);
    }
    return TrainingRun(config, std::move(run), callbacks).execute(latest);
}

} // namespace pairtune
