#include "ui/dataloader.h"

#include "core/error.h"
#include "recipe/datasplit.h"

#include <exception>

namespace pairtune::ui {

DataLoadResult loadPairData(const DataLoadRequest &request)
{
    DataLoadResult result;
    if (request.paths.empty()) {
        result.error = "no pair file chosen";
        return result;
    }
    result.preview = preview(request.paths.front(), request.options);
    try {
        result.raw = request.cachedRaw
            ? request.cachedRaw
            : std::make_shared<const PairDataset>(PairDataset::loadMany(request.paths, request.options));
        auto dataset = std::make_shared<PairDataset>(*result.raw);
        if (request.fixes.dropEmpty)
            result.removedEmpty = dataset->dropEmpty();
        if (request.fixes.dropDuplicates)
            result.removedDuplicates = dataset->dropDuplicates();
        if (request.fixes.dropIdenticalSides)
            result.removedIdentical = dataset->dropIdenticalSides();

        Split split;
        const bool canSplit = dataset->size() >= 2 && request.trainFraction > 0 && request.trainFraction <= 1;
        if (canSplit)
            split = splitIndices(dataset->size(), request.trainFraction, request.seed);
        result.report
            = buildReport(*dataset, request.tokenCount, request.maxSeqLength, split.train, split.eval);
        result.dataset = std::move(dataset);
    } catch (const std::exception &error) {
        // pairtune::Error carries "path:line: what is wrong" already; other exceptions are unexpected.
        result.error = dynamic_cast<const Error *>(&error)
            ? error.what()
            : std::string("could not read the data: ") + error.what();
        result.raw.reset();
        result.dataset.reset();
    }
    return result;
}

} // namespace pairtune::ui
