// TrainingRun's first phase: everything a run needs before its first step (the model, the prepared
// data, the sampler, the optimizer and, when resuming, the checkpoint's state), then the Started event.

#include "core/error.h"
#include "model/runtime.h"
#include "model/sentencemodelimpl.h"
#include "recipe/matryoshka.h"
#include "train/basemodel.h"
#include "train/checkpoint.h"
#include "train/exporter.h"
#include "train/precision.h"
#include "train/trainingrunimpl.h"

#include <torch/torch.h>

#include <filesystem>

namespace pairtune {

void TrainingRun::setUp(std::optional<std::int64_t> resumeFrom)
{
    if (m_dist.distributed() && !m_group) // before the model and data: a group that cannot form fails at once
        m_group = ProcessGroup::join(m_dist, m_config.device != "cpu");
    applyComputeThreads(m_config.threads); // 0 = automatic; the resolved count goes into the compute line
    const std::string basePath = resolveBaseModel(m_config.basePath);
    m_model.emplace(
        SentenceModel::load(resumeFrom ? m_run.checkpointPath(*resumeFrom) + "/model" : basePath));
    if (m_config.maxSeqLength > 0) // the exported model keeps the length it was trained with
        m_model->impl().config.maxSeqLength = m_config.maxSeqLength;
    if (m_config.device != "cpu")
        m_model->moveTo(computeDevice());
    if (m_config.bf16 == Bf16Mode::On && m_config.device == "cpu" && !cpuHasNativeBf16())
        throw Error(
            "--bf16: this CPU has no native bfloat16 instructions (AVX512-BF16 or AMX-BF16); emulated "
            "bf16 would be several times slower than float32, so train without --bf16");
    // Auto becomes On or Off here, before config.json is written, so a resume trains as the run did (on a
    // CPU without native bf16 a bf16 run's resume is refused above). A config.json without the key is Off.
    m_config.bf16 = resolvedBf16(m_config);
    // Matryoshka's default sizes come from the model's dimension; config.json records the resolved ones.
    resolveMatryoshka(m_config, m_model->summary().embeddingDimension);
    m_data.emplace(prepareTrainingData(m_config, *m_model));
    // Written only once the data and model are known good: a start that failed leaves no run behind,
    // so the same --out can simply be tried again.
    if (writesRun() && !resumeFrom && !std::filesystem::exists(m_run.configPath())) {
        nlohmann::json described = describeRun(m_config);
        described["prompts"] = m_data->prompts.toJson(); // what each column got (model/prompts.h)
        if (m_dist.distributed()) { // batch_size is per process, as the Trainer's per_device_train_batch_size
            described["processes"] = m_dist.worldSize;
            described["global_batch_size"] = globalBatchSize();
        }
        m_run.writeConfig(described);
    }
    m_evalSet = makeEvalSet(*m_data);
    m_loss = lossSpecOf(m_config);

    BatchSamplerOptions samplerOptions;
    // Distributed: the global batch is drawn as one process with the batch of all of them draws it;
    // each process trains its slice (trainingstep.cpp).
    samplerOptions.batchSize = static_cast<std::size_t>(globalBatchSize());
    samplerOptions.seed = m_config.seed;
    samplerOptions.noDuplicates = m_config.noDuplicates && lossUsesNegatives(m_loss.kind);
    samplerOptions.lengthGrouped = m_config.lengthGrouped;
    m_sampler.emplace(m_data->split.train, samplerOptions, m_data->textIds, m_data->lengths);
    m_stepsPerEpoch = static_cast<std::int64_t>(m_sampler->stepsPerEpoch());
    m_totalSteps = m_sampler->totalSteps(m_config.epochs); // exact: no-duplicates can add batches
    if (m_config.maxSteps > 0)
        m_totalSteps = std::min(m_totalSteps, m_config.maxSteps);
    m_schedule = scheduleKindFromName(m_config.schedule);
    m_scheduleCycles
        = m_config.scheduleCycles > 0 ? std::optional<double>(m_config.scheduleCycles) : std::nullopt;

    m_optimizer.emplace(m_model->impl().namedParameters(),
        AdamWOptions { m_config.adamBeta1, m_config.adamBeta2, m_config.adamEpsilon, m_config.weightDecay });
    if (m_group) {
        std::vector<torch::Tensor> parameters;
        for (const AdamW::Param &p : m_optimizer->params())
            parameters.push_back(p.value);
        m_reducer = std::make_unique<GradientReducer>(
            *m_group, std::move(parameters), std::size_t(m_dist.bucketMegabytes) << 20);
    }
    if (resumeFrom) {
        const std::string checkpoint = m_run.checkpointPath(*resumeFrom);
        loadOptimizerState(checkpoint, *m_optimizer);
        const nlohmann::json state = readTrainerState(checkpoint);
        m_state = LoopState::fromJson(state);
        // Each rank continues its own random stream (checkpointNow saved all of them; a checkpoint of a
        // single-process run has rank 0's only).
        const auto ranks = state.find("torch_rng_ranks");
        setTorchRngState(ranks != state.end()
                ? ranks->at(static_cast<std::size_t>(m_dist.rank)).get<std::string>()
                : state.at("torch_rng").get<std::string>());
        if (writesRun())
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
    // The precision goes into the first line the CLI and the studio's log show of a run.
    started.message = (resumeFrom ? "resumed from step " + std::to_string(*resumeFrom) + "; " : std::string())
        + precisionDescription(m_config);
    emit(started);
    if (!resumeFrom && writesRun())
        writeEvalPairs(m_run, *m_data);
}

} // namespace pairtune
