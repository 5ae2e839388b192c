#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace pairtune {

class PairDataset;

// Writes pairs as JSON Lines with the column names the importer recognises ("anchor", "positive",
// "negative_1", ..., "score"), so the trainer reads back exactly these records. The studio uses it
// when the user cleaned the data or mapped columns: the trainer takes file paths, so the cleaned
// pairs are trained from this file (which stays in the run folder for reproducibility).
// Writes through AtomicFile (io/atomicfile.h): readers and a crash see the whole file or none; creates
// the parent folder. Throws pairtune::Error (Kind::Io) naming the path on failure.
//
// A big data set takes seconds, so a caller on a worker thread (the studio's "Save the prepared
// pairs...") can follow it and stop it. Both callbacks run on the writing thread, every
// kPairWriteChunk pairs; either may be empty.
struct PairWriteCallbacks
{
    std::function<void(std::size_t written, std::size_t total)> onProgress;
    // True stops the write with Error (Kind::Cancelled); the temporary file is removed, so nothing is
    // left at the path (a file that was there before stays as it was). Also asked just before the
    // rename that publishes the file.
    std::function<bool()> cancelRequested;
};
inline constexpr std::size_t kPairWriteChunk = 1024;

void writePairsJsonl(
    const PairDataset &dataset, const std::string &path, const PairWriteCallbacks &callbacks = {});

// Pairs that exist only in memory (cleaned or re-mapped in the studio) and the file a run reads them
// from: the studio hands this to the training worker, which writes it before training starts, so a
// big file is never written on the GUI thread. Empty (pairs null) when the run reads the user's
// files as they are.
struct PairsToWrite
{
    std::shared_ptr<const PairDataset> pairs;
    std::string path;

    explicit operator bool() const { return pairs != nullptr; }
    // writePairsJsonl(*pairs, path); nothing when empty.
    void write() const;
};

} // namespace pairtune
