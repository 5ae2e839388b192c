#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace pairtune {

// Where training stands inside the sampler's sequence: the next batch to run is batch batchInEpoch of
// epoch epoch. A checkpoint stores this; remainingBatches() continues from it.
struct SamplerPosition
{
    int epoch = 0;
    std::size_t batchInEpoch = 0;

    bool operator==(const SamplerPosition &) const = default;
};

nlohmann::json toJson(const SamplerPosition &position);
// Throws pairtune::Error when the object lacks "epoch"/"batch_in_epoch" or they are negative.
SamplerPosition samplerPositionFromJson(const nlohmann::json &json);

struct BatchSamplerOptions
{
    std::size_t batchSize = 32;
    std::uint64_t seed = 42;
    // A batch never holds two records that share a text (needed by in-batch-negative losses, where a
    // repeated text would be a false negative).
    bool noDuplicates = true;
    // Sort by length inside chunks of lengthChunkBatches batches, then shuffle the batch order: batches
    // hold texts of similar length (less padding) while the epoch order stays random.
    bool lengthGrouped = false;
    std::size_t lengthChunkBatches = 50;
};

// Turns the training records into batches, epoch by epoch, deterministically:
//  1. The records are shuffled with Rng(seed + epoch, rngstream::sampler), so any epoch's order can be
//     produced without replaying the earlier ones.
//  2. lengthGrouped: the shuffled order is cut into chunks of batchSize*lengthChunkBatches records and
//     each chunk is sorted by length, longest first (stable, so equal lengths keep the shuffled order).
//  3. The order is cut into batches of batchSize; the last partial batch is kept (like the classic fit,
//     whose steps_per_epoch = ceil(n / batchSize)).
//     noDuplicates works like sentence-transformers' NoDuplicatesBatchSampler, but over an ordered list:
//     each batch scans the records not yet used, in order, and skips a record that shares a text id
//     with the batch so far; skipped records stay at the front for the next batch. When the scan ends
//     before the batch is full, the partial batch is emitted. So with clashes an epoch can have more
//     than ceil(n / batchSize) batches (some of them smaller).
//  4. lengthGrouped: the batch order is shuffled with the same generator.
class BatchSampler
{
public:
    // indices: the record indices to sample (e.g. Split::train). textIds[r] lists the text ids of record
    // r (anchor, positive, negatives; equal ids mean equal texts) and is needed for noDuplicates;
    // lengths[r] is record r's length (e.g. tokens of its longest text) and is needed for lengthGrouped.
    // Both are indexed by record index, so they must be longer than the largest index.
    // Throws pairtune::Error for a zero batch size or missing/short textIds or lengths.
    BatchSampler(std::vector<std::size_t> indices, BatchSamplerOptions options,
        std::vector<std::vector<std::uint32_t>> textIds = {}, std::vector<std::size_t> lengths = {});

    // Interns texts (after whatever key function the caller applied) into ids for the constructor:
    // equal strings get equal ids.
    static std::vector<std::vector<std::uint32_t>> textIdsFromTexts(
        const std::vector<std::vector<std::string>> &textsPerRecord);

    std::size_t recordCount() const { return m_indices.size(); }
    const BatchSamplerOptions &options() const { return m_options; }

    // ceil(records / batchSize): the exact number of batches per epoch unless noDuplicates had to defer
    // records (see batchCount()).
    std::size_t stepsPerEpoch() const;
    // The exact number of batches of one epoch (builds that epoch's batches).
    std::size_t batchCount(int epoch) const;
    // The exact number of optimizer steps of epochs 0..epochs-1: the schedule's total steps.
    std::int64_t totalSteps(int epochs) const;

    std::vector<std::vector<std::size_t>> batchesForEpoch(int epoch) const;
    // The batches of position.epoch from position.batchInEpoch on (empty when the epoch is complete).
    // Throws pairtune::Error when the position lies beyond the epoch's batches.
    std::vector<std::vector<std::size_t>> remainingBatches(const SamplerPosition &position) const;

private:
    std::vector<std::vector<std::size_t>> plainBatches(const std::vector<std::size_t> &order) const;
    std::vector<std::vector<std::size_t>> noDuplicateBatches(const std::vector<std::size_t> &order) const;

    std::vector<std::size_t> m_indices;
    BatchSamplerOptions m_options;
    std::vector<std::vector<std::uint32_t>> m_textIds;
    std::vector<std::size_t> m_lengths;
    std::size_t m_textIdCount = 0;
};

} // namespace pairtune
