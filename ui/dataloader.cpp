#include "ui/dataloader.h"

#include "core/error.h"
#include "recipe/datasplit.h"

#include <exception>

namespace pairtune::ui {
namespace {

std::string messageOf(const std::exception &error)
{
    // pairtune::Error carries "path:line: what is wrong" already; other exceptions are unexpected.
    return dynamic_cast<const Error *>(&error) ? error.what()
                                               : std::string("could not read the data: ") + error.what();
}

// After the files failed together: each file's own problem, so every bad file can be marked (the
// joint read stops at the first). A problem between files (different columns) goes to the file the
// message names.
std::vector<std::string> problemsPerFile(
    const DataLoadRequest &request, const std::string &jointError, std::size_t &reads)
{
    std::vector<std::string> problems(request.sources.size());
    bool any = false;
    for (std::size_t i = 0; i < request.sources.size(); ++i) {
        try {
            ++reads;
            (void)PairDataset::loadSources({ request.sources[i] }, request.options);
        } catch (const std::exception &error) {
            problems[i] = messageOf(error);
            any = true;
        }
    }
    if (!any) {
        for (std::size_t i = 0; i < request.sources.size(); ++i) {
            if (jointError.rfind(request.sources[i].path, 0) == 0)
                problems[i] = jointError;
        }
    }
    return problems;
}

// Moves the shared progress to stage; false when the user stopped the load meanwhile.
bool enter(const DataLoadRequest &request, DataLoadProgress::Stage stage)
{
    if (!request.progress)
        return true;
    request.progress->stage = stage;
    return !request.progress->cancelled;
}

} // namespace

DataLoadResult loadPairData(const DataLoadRequest &request)
{
    DataLoadResult result;
    if (request.sources.empty()) {
        result.error = "no pair file chosen";
        return result;
    }
    result.previewIndex = request.previewIndex < request.sources.size() ? request.previewIndex : 0;
    const auto stop = [&result] {
        result = {};
        result.cancelled = true;
        return result;
    };
    if (!enter(request, DataLoadProgress::Preview))
        return stop();
    if (request.cachedPreview) {
        result.preview = *request.cachedPreview;
    } else {
        result.preview = preview(request.sources[result.previewIndex], request.options);
        ++result.sourceReads;
    }
    try {
        if (!enter(request, DataLoadProgress::Reading))
            return stop();
        if (request.cachedRaw) {
            result.raw = request.cachedRaw;
        } else {
            result.sourceReads += request.sources.size();
            result.raw = std::make_shared<const PairDataset>(
                PairDataset::loadSources(request.sources, request.options));
        }
        if (!enter(request, DataLoadProgress::Fixing))
            return stop();
        // Without fixes the pairs as read are those trained on: no copy of a million records.
        std::shared_ptr<const PairDataset> dataset = result.raw;
        if (request.fixes.any()) {
            auto fixed = std::make_shared<PairDataset>(*result.raw);
            if (request.fixes.dropEmpty)
                result.removedEmpty = fixed->dropEmpty();
            if (request.fixes.dropDuplicates)
                result.removedDuplicates = fixed->dropDuplicates();
            if (request.fixes.dropIdenticalSides)
                result.removedIdentical = fixed->dropIdenticalSides();
            dataset = std::move(fixed);
        }

        if (!enter(request, DataLoadProgress::Checking))
            return stop();
        Split split;
        const bool canSplit = dataset->size() >= 2 && request.trainFraction > 0 && request.trainFraction <= 1;
        if (canSplit)
            split = splitIndices(dataset->size(), request.trainFraction, request.seed);
        result.report
            = buildReport(*dataset, request.tokenCount, request.maxSeqLength, split.train, split.eval);
        result.dataset = std::move(dataset);
        (void)enter(request, DataLoadProgress::Done);
    } catch (const std::exception &error) {
        result.error = messageOf(error);
        if (request.sources.size() > 1) {
            result.fileErrors = problemsPerFile(request, result.error, result.sourceReads);
            std::string all;
            for (const std::string &problem : result.fileErrors) {
                if (!problem.empty())
                    all += (all.empty() ? "" : "\n") + problem;
            }
            if (!all.empty())
                result.error = all;
        }
        result.raw.reset();
        result.dataset.reset();
    }
    return result;
}

} // namespace pairtune::ui
