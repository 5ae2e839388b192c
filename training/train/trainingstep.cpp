// One optimizer step of a TrainingRun (forward, loss, backward, clipping, update), the checks that stop
// a run whose numbers went non-finite, and the first step's debug dump for reference comparisons.

#include "core/error.h"
#include "io/jsonfile.h"
#include "io/safetensors.h"
#include "model/sentencemodelimpl.h"
#include "train/bf16autocast.h"
#include "train/gradcache.h"
#include "train/minibatchsize.h"
#include "train/trainingrunimpl.h"

#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <optional>

namespace pairtune {

double TrainingRun::trainStep(const std::vector<std::size_t> &globalBatch, double lr)
{
    // Distributed: this process embeds its slice of the global batch; the gathered embeddings of all
    // processes make the global batch again, so the loss sees every in-batch negative, and the
    // gradients flow back to the process that embedded each row (dist/processgroupimpl.h).
    std::vector<std::size_t> counts;
    std::vector<std::size_t> batch = globalBatch;
    if (m_group) {
        for (int r = 0; r < m_dist.worldSize; ++r)
            counts.push_back(batchSlice(globalBatch.size(), r, m_dist.worldSize).count);
        const BatchSlice mine = batchSlice(globalBatch.size(), m_dist.rank, m_dist.worldSize);
        const auto first = globalBatch.begin() + static_cast<std::ptrdiff_t>(mine.begin);
        // A process without rows (a batch smaller than the process count) embeds one row it does not
        // contribute, so every process runs the same collectives with well-formed tensors.
        batch = mine.count > 0
            ? std::vector<std::size_t>(first, first + static_cast<std::ptrdiff_t>(mine.count))
            : std::vector<std::size_t> { globalBatch.front() };
    }
    SentenceModel::Impl &impl = m_model->impl();
    impl.setTraining(m_config.dropout);
    const std::size_t columns = 2 + m_data->negativesPerRecord;
    // Rows [begin, begin + count) of this process's batch, every column in one forward pass: fewer,
    // larger matmuls and half the dispatches. Each text's embedding does not depend on what else is in
    // the pass (the encoder computes only real tokens), so mini-batches of rows give the same embeddings.
    const EmbedRows embedRows = [&](std::size_t begin, std::size_t count) {
        std::vector<Encoding> encodings;
        std::vector<std::size_t> promptLengths; // each column's prompt, left out of pooling if so configured
        encodings.reserve(count * columns);
        for (std::size_t column = 0; column < columns; ++column) {
            for (std::size_t row = begin; row < begin + count; ++row) {
                encodings.push_back(m_data->encoding(batch[row], column));
                promptLengths.push_back(m_data->columnPromptLengths[column]);
            }
        }
        const Bf16Autocast autocast(m_config.bf16 == Bf16Mode::On, impl.device()); // resolved in setUp
        // The loss and everything after it in float32, as under Python's autocast for MNRL's softmax.
        return impl.embed(encodings, promptLengths).to(at::kFloat).split(static_cast<int64_t>(count));
    };
    // grad_cache: the same step in two passes with memory bounded by a mini-batch (train/gradcache.h).
    std::optional<GradCache> cache;
    if (m_config.gradCache)
        cache.emplace(embedRows, batch.size(), miniBatchSize(batch.size()), impl.device());
    std::vector<torch::Tensor> embeddings = cache ? cache->embedWithoutGrad() : embedRows(0, batch.size());
    if (m_group)
        for (torch::Tensor &column : embeddings)
            column = m_group->allGatherWithGrad(column, counts);
    std::vector<float> labels;
    for (const std::size_t record : globalBatch)
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
    // Distributed: the gradients' all-reduce starts bucket by bucket while backward runs; grad cache's
    // second pass accumulates every parameter once per mini-batch, and a bucket waits for the last.
    if (m_reducer) {
        const std::size_t rowsPerPass = cache ? std::max<std::size_t>(m_miniBatch, 1) : batch.size();
        m_reducer->prepare(
            static_cast<int>((batch.size() + rowsPerPass - 1) / rowsPerPass), cache ? torch::Tensor() : loss);
    }
    if (cache)
        cache->backward(loss);
    else
        loss.backward();
    if (m_reducer) {
        // Every process computed the whole loss; averaging the gradients over the processes makes each
        // the single-process gradient of the global batch, so the clipping norm below is the global one.
        m_reducer->finish();
    }
    const bool dump = m_state.step == 0 && !m_callbacks.debugDumpFolder.empty() && writesRun();
    if (dump) {
        dumpBatch(m_callbacks.debugDumpFolder, globalBatch, value, "grads_raw.safetensors");
        if (cache && !m_group)
            dumpReplay(m_callbacks.debugDumpFolder, *cache, scores);
    }
    if (m_config.maxGradNorm > 0)
        m_optimizer->clipGradNorm(m_config.maxGradNorm);
    if (dump)
        dumpBatch(m_callbacks.debugDumpFolder, globalBatch, value, "grads_clipped.safetensors");
    m_optimizer->step(lr);
    m_optimizer->zeroGrad();
    return value;
}

std::size_t TrainingRun::miniBatchSize(std::size_t rows)
{
    if (m_miniBatch > 0)
        return m_miniBatch;
    if (m_config.miniBatchSize > 0) {
        m_miniBatch = static_cast<std::size_t>(m_config.miniBatchSize);
        return m_miniBatch;
    }
    const SentenceModel::Impl &impl = m_model->impl();
    const TransformerConfig &transformer = impl.config.transformer;
    MiniBatchInputs inputs;
    inputs.batch = rows;
    inputs.columns = m_data->columns();
    inputs.tokensPerText
        = m_data->lengths.empty() ? 0 : *std::max_element(m_data->lengths.begin(), m_data->lengths.end());
    inputs.hiddenSize = transformer.hiddenSize;
    inputs.intermediateSize = transformer.intermediateSize;
    inputs.layers = transformer.numHiddenLayers;
    inputs.heads = transformer.numAttentionHeads;
    inputs.availableBytes = availableTrainingBytes(impl.device().is_cuda());
    const MiniBatchChoice choice = chooseMiniBatch(inputs);
    TrainingEvent message { TrainingEvent::Type::Message };
    message.step = m_state.step;
    message.message = choice.reason;
    emit(message);
    m_miniBatch = choice.pairs;
    return m_miniBatch;
}

void TrainingRun::dumpReplay(
    const std::string &folder, const GradCache &cache, const torch::Tensor &scores) const
{
    // Pass 2's embeddings give pass 1's loss again when the random state was replayed (tst_gradcache).
    const torch::NoGradGuard noGrad;
    const std::vector<torch::Tensor> &replayed = cache.replayed();
    const std::vector<torch::Tensor> negatives(replayed.begin() + 2, replayed.end());
    const double loss = computeLoss(m_loss, replayed[0], replayed[1], negatives, scores).item<double>();
    writeJsonFile(folder + "/grad_cache.json",
        { { "mini_batch_size", m_miniBatch }, { "replayed_loss", loss },
            { "replay_max_abs_difference", cache.replayDifference() } },
        1);
}

bool TrainingRun::weightsFinite() const
{
    for (const AdamW::Param &p : m_optimizer->params())
        if (!torch::isfinite(p.value).all().item<bool>())
            return false;
    return true;
}

void TrainingRun::failNonFinite(const std::string &what, std::int64_t badStep) const
{
    if (writesRun())
        m_run.quarantineCheckpointsFrom(badStep);
    const std::optional<std::int64_t> good = m_run.latestCheckpoint();
    throw Error(what + "; "
            + (good ? "the last good state is " + m_run.checkpointPath(*good)
                    : std::string("no checkpoint was written before it"))
            + ". Lower the learning rate (--lr) or check the data.",
        Error::Kind::Numeric);
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
        // After clipGradNorm the optimizer holds the clip coefficient until step() applies it.
        keep.push_back(
            m_optimizer->clippedGradient(p).detach().to(torch::kCPU, torch::kFloat32).contiguous());
        const torch::Tensor &g = keep.back();
        tensors.push_back({ p.name, DType::F32, g.sizes().vec(),
            { static_cast<const std::byte *>(g.data_ptr()), static_cast<std::size_t>(g.numel()) * 4 } });
    }
    writeSafetensors(folder + "/" + gradsFile, tensors, {});
}

} // namespace pairtune
