#include "data/pairfilewriter.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "io/atomicfile.h"

#include <nlohmann/json.hpp>

#include <filesystem>

namespace pairtune {

namespace {

void stopIfAsked(const PairWriteCallbacks &callbacks, const std::string &path)
{
    if (callbacks.cancelRequested && callbacks.cancelRequested())
        throw Error(locate(path, 0, 0, "saving the pairs was cancelled; nothing was written"),
            Error::Kind::Cancelled);
}

} // namespace

void writePairsJsonl(const PairDataset &dataset, const std::string &path, const PairWriteCallbacks &callbacks)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    if (target.has_parent_path()) {
        std::error_code ec;
        fs::create_directories(target.parent_path(), ec); // AtomicFile names the folder if this failed
    }
    AtomicFile file(path);
    // Lines are gathered into blocks of about a megabyte: one write per line would be a system call
    // per pair, one string for the whole file would double the memory of a big data set.
    constexpr std::size_t kBlockBytes = std::size_t(1) << 20;
    std::string block;
    const std::size_t total = dataset.size();
    std::size_t written = 0;
    for (const PairRecord &record : dataset.records()) {
        if (written % kPairWriteChunk == 0) {
            stopIfAsked(callbacks, path); // the AtomicFile's destructor removes the temporary file
            if (callbacks.onProgress)
                callbacks.onProgress(written, total);
        }
        ++written;
        nlohmann::json line = { { "anchor", record.anchor }, { "positive", record.positive } };
        for (std::size_t i = 0; i < record.negatives.size(); ++i)
            line["negative_" + std::to_string(i + 1)] = record.negatives[i];
        if (record.score)
            line["score"] = *record.score;
        block += line.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
        block += '\n';
        if (block.size() >= kBlockBytes) {
            file.write(block);
            block.clear();
        }
    }
    file.write(block);
    stopIfAsked(callbacks, path);
    file.commit();
    if (callbacks.onProgress)
        callbacks.onProgress(total, total);
}

void PairsToWrite::write() const
{
    if (pairs)
        writePairsJsonl(*pairs, path);
}

} // namespace pairtune
