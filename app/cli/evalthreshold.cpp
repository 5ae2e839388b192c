#include "cli/evalthreshold.h"

#include "cli/evalcompare.h"
#include "cli/modelargument.h"
#include "core/error.h"
#include "model/sentencemodel.h"
#include "train/similaritythreshold.h"

#include <cstdio>
#include <filesystem>

namespace pairtune::cli {

void runEvalThreshold(const EvalThresholdArgs &args)
{
    const ThresholdTarget target = parseThresholdTarget(args.target);
    const EvalSet set = readEvalSet(args.data);
    if (set.anchors.size() < 2)
        throw Error(args.data + ": a threshold needs at least 2 pairs (true pairs and non-pairs)");
    const ResolvedModel resolved = resolveModelArgument(args.model, args.revision);
    if (args.write && (args.model == "builtin" || !resolved.repoId.empty()))
        throw Error("--write stores the threshold in a model folder of yours; " + args.model
            + " is not one (export or save it to a folder first)");
    const SentenceModel model = SentenceModel::load(resolved.folder);
    const ThresholdPairs pairs = scoreThresholdPairs(model, set);
    const SimilarityThreshold threshold
        = chooseSimilarityThreshold(pairs, target, std::filesystem::path(args.data).filename().string());
    if (args.write)
        storeSimilarityThreshold(resolved.folder, threshold);
    if (args.json) {
        std::printf("%s\n", toJson(threshold).dump(2).c_str());
        return;
    }
    std::printf("threshold %.4f (%s): precision %.4f, recall %.4f, F1 %.4f on %zu true pairs and %zu "
                "non-pairs (%zu in-batch, %zu hard)\n",
        threshold.point.threshold, thresholdTargetName(target).c_str(), threshold.point.precision,
        threshold.point.recall, threshold.point.f1, threshold.truePairs,
        threshold.inBatchNonPairs + threshold.hardNonPairs, threshold.inBatchNonPairs,
        threshold.hardNonPairs);
    if (args.write)
        std::printf("written to %s\n",
            (std::filesystem::path(resolved.folder) / kSimilarityThresholdFile).string().c_str());
}

} // namespace pairtune::cli
