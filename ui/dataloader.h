#pragma once

// The data page's work, done off the GUI thread: read the pair files, apply the chosen fixes, split
// with the settings' seed and build the engine's data report. Plain function over plain structs so it
// can run on a pool thread and be tested without widgets.

#include "data/datareport.h"
#include "data/importoptions.h"
#include "data/pairdataset.h"
#include "data/pairsource.h"
#include "data/previewtable.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pairtune::ui {

struct DataFixes
{
    bool dropDuplicates = false;
    bool dropEmpty = false;
    bool dropIdenticalSides = false;

    bool any() const { return dropDuplicates || dropEmpty || dropIdenticalSides; }
    bool operator==(const DataFixes &) const = default;
};

// Shared between the GUI and the load on its pool thread: which stage the load is in (the page
// shows it as a progress bar) and whether the user stopped it. The reader has no hook inside one
// file, so a stop takes effect at the next stage.
struct DataLoadProgress
{
    enum Stage : int { Preview, Reading, Fixing, Checking, Done };
    static constexpr int kStages = Done;
    std::atomic<int> stage { Preview };
    std::atomic<bool> cancelled { false };
};

struct DataLoadRequest
{
    std::vector<PairSource> sources; // files and pasted cells
    ImportOptions options;
    // The sources as read before, with the same options: skips reading them again.
    std::shared_ptr<const PairDataset> cachedRaw;
    DataFixes fixes;
    // Token lengths with the chosen model (empty: words) and its max_seq_length.
    std::function<std::size_t(std::string_view)> tokenCount;
    std::size_t maxSeqLength = 0;
    double trainFraction = 0.8;
    std::uint64_t seed = 42;
    // The source to preview (an index into sources).
    std::size_t previewIndex = 0;
    // That source's preview as read before with the same options: not read again (a change of the
    // fixes or of what the report measures with keeps the files as they were).
    std::optional<PreviewTable> cachedPreview;
    // Optional: stage reports and the stop flag (a stopped load returns with cancelled set).
    std::shared_ptr<DataLoadProgress> progress;
};

struct DataLoadResult
{
    std::shared_ptr<const PairDataset> raw; // as read
    std::shared_ptr<const PairDataset> dataset; // after fixes (raw itself when no fix applies)
    std::size_t removedDuplicates = 0;
    std::size_t removedEmpty = 0;
    std::size_t removedIdentical = 0;
    DataReport report;
    PreviewTable preview; // of sources[previewIndex], with the request's options
    std::size_t previewIndex = 0;
    // How often this load read a source (a preview of the first rows counts as one read): each
    // action parses the files at most once more than the preview needs (tests check it).
    std::size_t sourceReads = 0;
    bool cancelled = false; // stopped through DataLoadRequest::progress; nothing else is set
    std::string error; // every file's problem, one a line; empty on success (then raw and dataset are set)
    // When the sources cannot be used: each one's own problem ("" for one that is fine on its own),
    // in the order of the request's sources.
    std::vector<std::string> fileErrors;
};

DataLoadResult loadPairData(const DataLoadRequest &request);

} // namespace pairtune::ui
