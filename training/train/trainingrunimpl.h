#pragma once

// Engine-private (torch). One training run from start to summary, in three phases with one file each:
// setUp (trainingsetup.cpp: model, data, sampler, optimizer, resumed state), runLoop (trainingloop.cpp:
// the steps, evaluations and checkpoints) and finish (trainingresult.cpp: final model, result, summary).
// One step's arithmetic is in trainingstep.cpp. trainer.cpp holds the public entry points.

#include "dist/distributedcontext.h"
#include "dist/gradientreducer.h"
#include "dist/processgroupimpl.h"
#include "eval/evalresult.h"
#include "model/sentencemodel.h"
#include "recipe/batchsampler.h"
#include "recipe/lrschedule.h"
#include "train/adamw.h"
#include "train/generalcheck.h"
#include "train/gradcache.h"
#include "train/loopstate.h"
#include "train/losses.h"
#include "train/modelverdict.h"
#include "train/runfolder.h"
#include "train/trainer.h"
#include "train/trainingdata.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

using TrainingClock = std::chrono::steady_clock;

// Evaluation batches have a fixed size (like `pairtune-cli eval`) so eval_loss is comparable across runs
// with different --batch-size and reproducible from the exported model; the verdict's passes use it too.
inline constexpr std::size_t kEvalBatchSize = 32;

inline double secondsSince(TrainingClock::time_point start)
{
    return std::chrono::duration<double>(TrainingClock::now() - start).count();
}

class TrainingRun
{
public:
    // dist: this process's place in a run launched by torchrun (rank 0 of 1 otherwise). Only rank 0
    // writes the run folder, evaluates and reports events; the others train their slice of each batch.
    // group: the process group already joined (a resume joins before reading the run folder); setUp
    // joins one when dist is distributed and none is given.
    TrainingRun(TrainingConfig config, RunFolder run, const TrainingCallbacks &callbacks,
        DistributedContext dist = {}, std::unique_ptr<ProcessGroup> group = nullptr)
        : m_config(std::move(config))
        , m_run(std::move(run))
        , m_callbacks(callbacks)
        , m_dist(std::move(dist))
        , m_group(std::move(group))
    { }

    // resumeFrom: the checkpoint step to continue from; none starts the run.
    TrainingResult execute(std::optional<std::int64_t> resumeFrom);

private:
    // trainingsetup.cpp
    void setUp(std::optional<std::int64_t> resumeFrom);
    // trainingloop.cpp: returns whether the run was cancelled.
    bool runLoop(bool resumed);
    void runOneStep(const std::vector<std::size_t> &batch, int epoch);
    void evaluateNow(int epoch);
    const EvalSet &evalSample();
    // runverdict in trainingverdict.cpp: the base ranks before the first step, the verdict at the end.
    // Under torchrun every process embeds its share of these sets (train/groupencoder.h), rank 0 alone
    // ranks them and writes the files.
    void rankBaseline();
    // What the end of a run embeds under the final model: the held-out set, once for the verdict and the
    // threshold, and the general set when the verdict will compare it (rank 0's rows; none on the others).
    struct RunEndEmbeddings
    {
        EvalEmbeddings heldOut;
        GeneralBaseline general; // rank 0, with --general-check
        EvalEmbeddings generalAfter;
    };
    RunEndEmbeddings embedRunEnd();
    void writeVerdict(TrainingResult &result, const RunEndEmbeddings &ends);
    // The encoder of the whole-set passes: each process embeds a share when the run has a process group.
    TextEncoder runEncoder(const char *what) const;
    // The encoder for the shipped general set, or none where this rank takes no part (a collective:
    // every rank calls it together). wanted: on rank 0 the set it needs embedded (null: none), on the
    // others their own copy (null where they have none).
    TextEncoder generalEncoder(const GeneralCheck *wanted, const char *what) const;
    void checkpointNow(int epoch);
    // trainingresult.cpp
    TrainingResult finish(bool cancelled);
    // trainingstep.cpp
    double trainStep(const std::vector<std::size_t> &batch, double lr);
    void dumpBatch(const std::string &folder, const std::vector<std::size_t> &batch, double loss,
        const std::string &gradsFile) const;
    bool weightsFinite() const;
    // grad_cache: m_miniBatch, from the config or chosen from free memory at the first step (logged).
    std::size_t miniBatchSize(std::size_t rows);
    void dumpReplay(const std::string &folder, const GradCache &cache, const torch::Tensor &scores) const;
    // The weights after step `badStep` are not usable. Checkpoints from that step on are set aside
    // (so `--resume` and `export --checkpoint last` can only pick a good state), then a clear error.
    [[noreturn]] void failNonFinite(const std::string &what, std::int64_t badStep) const;

    void emit(TrainingEvent event, bool record = true);
    // Distributed: a stop asked for on any process stops all of them at the same step.
    bool stopRequested() const
    {
        const bool here = m_callbacks.stopRequested && m_callbacks.stopRequested();
        return m_group ? m_group->anyRank(here) : here;
    }
    bool writesRun() const { return m_dist.isMain(); }
    // The device this process computes on: under torchrun `--device cuda` is GPU LOCAL_RANK.
    std::string computeDevice() const
    {
        return m_dist.distributed() && m_config.device == "cuda" ? "cuda:" + std::to_string(m_dist.localRank)
                                                                 : m_config.device;
    }
    // Distributed evaluation: each process embeds its share of the texts, rank 0 gets all of them and
    // alone computes the metrics (trainingloop.cpp).
    EvalOptions evalOptions();
    // Pairs per step over all processes: the sampler's batch.
    std::int64_t globalBatchSize() const { return std::int64_t { m_config.batchSize } * m_dist.worldSize; }

    TrainingConfig m_config;
    RunFolder m_run;
    const TrainingCallbacks &m_callbacks;
    DistributedContext m_dist;
    std::unique_ptr<ProcessGroup> m_group; // when m_dist.distributed()
    std::unique_ptr<GradientReducer> m_reducer; // with m_group: the gradients' bucketed all-reduce
    std::optional<SentenceModel> m_model;
    std::optional<TrainingData> m_data;
    std::optional<AdamW> m_optimizer;
    std::optional<BatchSampler> m_sampler;
    ScheduleKind m_schedule {};
    std::optional<double> m_scheduleCycles;
    EvalSet m_evalSet;
    std::optional<EvalCorpus> m_evalCorpus; // m_evalSet's distinct positives, made at first use
    std::optional<std::vector<QueryRank>> m_baseRanks; // the base model's, before the first step
    std::optional<EvalSet> m_evalSample; // config.evalSample pairs of m_evalSet, made at first use
    LossSpec m_loss;
    std::size_t m_miniBatch = 0; // grad_cache: pairs per forward pass, chosen at the first step
    LoopState m_state;
    std::int64_t m_totalSteps = 0;
    std::int64_t m_stepsPerEpoch = 0;
    TrainingClock::time_point m_started = TrainingClock::now();
    double m_evalSeconds = 0.0;
    int m_evaluations = 0;
    std::int64_t m_lastEvalStep = -1;
    std::int64_t m_stepsAtStart = 0; // steps done before this process (resume)
    double m_trainSecondsAtStart = 0.0;
    std::int64_t m_lastCheckpointStep = -1;
    std::map<std::string, double> m_lastMetrics;
};

} // namespace pairtune
