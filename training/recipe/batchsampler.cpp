#include "recipe/batchsampler.h"

#include "core/error.h"
#include "recipe/rng.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <unordered_map>

namespace pairtune {

nlohmann::json toJson(const SamplerPosition &position)
{
    return { { "epoch", position.epoch }, { "batch_in_epoch", position.batchInEpoch } };
}

SamplerPosition samplerPositionFromJson(const nlohmann::json &json)
{
    const auto bad = [] {
        throw Error("sampler position: expected {\"epoch\": N, \"batch_in_epoch\": N} with non-negative "
                    "integers; the checkpoint may be damaged");
    };
    if (!json.is_object() || !json.contains("epoch") || !json.contains("batch_in_epoch"))
        bad();
    const auto &epoch = json.at("epoch");
    const auto &batch = json.at("batch_in_epoch");
    if (!epoch.is_number_integer() || !batch.is_number_integer())
        bad();
    if (epoch.get<std::int64_t>() < 0 || epoch.get<std::int64_t>() > std::numeric_limits<int>::max()
        || batch.get<std::int64_t>() < 0)
        bad();
    SamplerPosition position;
    position.epoch = epoch.get<int>();
    position.batchInEpoch = batch.get<std::size_t>();
    return position;
}

BatchSampler::BatchSampler(std::vector<std::size_t> indices, BatchSamplerOptions options,
    std::vector<std::vector<std::uint32_t>> textIds, std::vector<std::size_t> lengths)
    : m_indices(std::move(indices))
    , m_options(options)
    , m_textIds(std::move(textIds))
    , m_lengths(std::move(lengths))
{
    if (m_options.batchSize == 0)
        throw Error("batch sampler: the batch size must be at least 1");
    if (m_options.lengthChunkBatches == 0)
        throw Error("batch sampler: a length chunk must hold at least 1 batch");
    const std::size_t needed
        = m_indices.empty() ? 0 : *std::max_element(m_indices.begin(), m_indices.end()) + 1;
    if (m_options.noDuplicates && m_textIds.size() < needed)
        throw Error("batch sampler: the no-duplicates mode needs the texts of every record (got "
            + std::to_string(m_textIds.size()) + " records, the largest index is "
            + std::to_string(needed - 1) + ")");
    if (m_options.lengthGrouped && m_lengths.size() < needed)
        throw Error("batch sampler: the length-grouped mode needs the length of every record (got "
            + std::to_string(m_lengths.size()) + ", the largest index is " + std::to_string(needed - 1)
            + ")");
    for (const auto &ids : m_textIds)
        for (const auto id : ids)
            m_textIdCount = std::max<std::size_t>(m_textIdCount, std::size_t { id } + 1);
}

std::vector<std::vector<std::uint32_t>> BatchSampler::textIdsFromTexts(
    const std::vector<std::vector<std::string>> &textsPerRecord)
{
    std::unordered_map<std::string, std::uint32_t> ids;
    std::vector<std::vector<std::uint32_t>> out;
    out.reserve(textsPerRecord.size());
    for (const auto &texts : textsPerRecord) {
        std::vector<std::uint32_t> recordIds;
        recordIds.reserve(texts.size());
        for (const auto &text : texts) {
            const auto [it, inserted] = ids.try_emplace(text, static_cast<std::uint32_t>(ids.size()));
            recordIds.push_back(it->second);
        }
        out.push_back(std::move(recordIds));
    }
    return out;
}

std::size_t BatchSampler::stepsPerEpoch() const
{
    return (m_indices.size() + m_options.batchSize - 1) / m_options.batchSize;
}

std::size_t BatchSampler::batchCount(int epoch) const
{
    if (!m_options.noDuplicates)
        return stepsPerEpoch(); // every batch is full except the last
    return batchesForEpoch(epoch).size();
}

std::int64_t BatchSampler::totalSteps(int epochs) const
{
    std::int64_t total = 0;
    for (int epoch = 0; epoch < epochs; ++epoch)
        total += static_cast<std::int64_t>(batchCount(epoch));
    return total;
}

std::vector<std::vector<std::size_t>> BatchSampler::batchesForEpoch(int epoch) const
{
    if (epoch < 0)
        throw Error("batch sampler: the epoch must not be negative");
    Rng rng(m_options.seed + static_cast<std::uint64_t>(epoch), rngstream::sampler);
    std::vector<std::size_t> order = m_indices;
    rng.shuffle(order);

    if (m_options.lengthGrouped) {
        const std::size_t chunk = m_options.batchSize * m_options.lengthChunkBatches;
        for (std::size_t begin = 0; begin < order.size(); begin += chunk) {
            const auto first = order.begin() + static_cast<std::ptrdiff_t>(begin);
            const auto last
                = order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), begin + chunk));
            std::stable_sort(
                first, last, [&](std::size_t a, std::size_t b) { return m_lengths[a] > m_lengths[b]; });
        }
    }

    auto batches = m_options.noDuplicates ? noDuplicateBatches(order) : plainBatches(order);
    if (m_options.lengthGrouped)
        rng.shuffle(batches);
    return batches;
}

std::vector<std::vector<std::size_t>> BatchSampler::remainingBatches(const SamplerPosition &position) const
{
    auto batches = batchesForEpoch(position.epoch);
    if (position.batchInEpoch > batches.size())
        throw Error("batch sampler: the saved position (epoch " + std::to_string(position.epoch) + ", batch "
            + std::to_string(position.batchInEpoch) + ") lies beyond the epoch's "
            + std::to_string(batches.size())
            + " batches; the data or the sampler settings differ from the checkpoint's");
    batches.erase(batches.begin(), batches.begin() + static_cast<std::ptrdiff_t>(position.batchInEpoch));
    return batches;
}

std::vector<std::vector<std::size_t>> BatchSampler::plainBatches(const std::vector<std::size_t> &order) const
{
    std::vector<std::vector<std::size_t>> batches;
    batches.reserve(stepsPerEpoch());
    for (std::size_t begin = 0; begin < order.size(); begin += m_options.batchSize) {
        const std::size_t end = std::min(order.size(), begin + m_options.batchSize);
        batches.emplace_back(order.begin() + static_cast<std::ptrdiff_t>(begin),
            order.begin() + static_cast<std::ptrdiff_t>(end));
    }
    return batches;
}

std::vector<std::vector<std::size_t>> BatchSampler::noDuplicateBatches(
    const std::vector<std::size_t> &order) const
{
    // The records not yet used are `deferred` (skipped earlier, in order) followed by order[next...];
    // scanning deferred first and then the stream is the same as rescanning the remaining list from its
    // start for every batch, without the quadratic cost when there are few clashes.
    // stamp[id] == batch number marks the texts already in the current batch.
    std::vector<std::uint32_t> stamp(m_textIdCount, 0);
    std::uint32_t current = 0;
    std::vector<std::vector<std::size_t>> batches;
    batches.reserve(stepsPerEpoch());
    std::vector<std::size_t> deferred, stillDeferred;
    std::size_t next = 0;
    const std::size_t batchSize = m_options.batchSize;

    while (next < order.size() || !deferred.empty()) {
        ++current;
        std::vector<std::size_t> batch;
        batch.reserve(batchSize);
        const auto fits = [&](std::size_t record) {
            for (const auto id : m_textIds[record])
                if (stamp[id] == current)
                    return false;
            return true;
        };
        const auto take = [&](std::size_t record) {
            batch.push_back(record);
            for (const auto id : m_textIds[record])
                stamp[id] = current;
        };

        stillDeferred.clear();
        std::size_t k = 0;
        for (; k < deferred.size() && batch.size() < batchSize; ++k) {
            if (fits(deferred[k]))
                take(deferred[k]);
            else
                stillDeferred.push_back(deferred[k]);
        }
        stillDeferred.insert(
            stillDeferred.end(), deferred.begin() + static_cast<std::ptrdiff_t>(k), deferred.end());
        deferred.swap(stillDeferred);

        while (batch.size() < batchSize && next < order.size()) {
            const std::size_t record = order[next++];
            if (fits(record))
                take(record);
            else
                deferred.push_back(record);
        }
        batches.push_back(std::move(batch));
    }
    return batches;
}

} // namespace pairtune
