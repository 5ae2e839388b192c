#include "train/similaritythreshold.h"

#include "core/error.h"
#include "eval/blockedsearch.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"
#include "recipe/rng.h"
#include "train/modelverdict.h"
#include "train/runverdict.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <unordered_map>
#include <unordered_set>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

// The in-batch sample's own stream, apart from recipe/rng.h's (split, sampler, bootstrap, ...).
constexpr std::uint64_t kThresholdSampleStream = 0x7468726573686f6cULL; // "threshol"

const char *kCardHeading = "## Similarity threshold";

float dot(const Embeddings &a, std::size_t i, const Embeddings &b, std::size_t j)
{
    double sum = 0.0;
    for (std::size_t c = 0; c < a.dim; ++c)
        sum += static_cast<double>(a.row(i)[c]) * b.row(j)[c];
    return static_cast<float>(sum);
}

std::string fixed(double value, int digits)
{
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
    return buffer;
}

} // namespace

ThresholdPairs scoreThresholdPairs(
    const SentenceModel &model, const EvalSet &set, const ThresholdPairOptions &options)
{
    if (set.anchors.empty())
        return {};
    if (options.progress)
        options.progress(0.0, "encoding the anchors and positives");
    const EvalCorpus corpus = evalCorpus(set);
    return scoreThresholdPairs(embedEvalSet(model, set, corpus, options.batchSize), set, corpus, options);
}

ThresholdPairs scoreThresholdPairs(const EvalEmbeddings &embedded, const EvalSet &set,
    const EvalCorpus &corpus, const ThresholdPairOptions &options)
{
    auto report = [&](double done, const std::string &stage) {
        if (options.progress)
            options.progress(done, stage);
    };
    ThresholdPairs result;
    const std::size_t n = set.anchors.size();
    if (n == 0)
        return result;
    // Every positive an anchor text has anywhere in the set: none of them may serve as its non-pair.
    std::unordered_map<std::string, std::unordered_set<std::size_t>> truePositivesOf;
    for (std::size_t i = 0; i < n; ++i)
        truePositivesOf[set.anchors[i]].insert(corpus.positiveOf[i]);
    std::size_t mostTrue = 1;
    for (const auto &entry : truePositivesOf)
        mostTrue = std::max(mostTrue, entry.second.size());
    const Embeddings &anchors = embedded.anchors;
    const Embeddings &documents = embedded.documents;
    report(0.8, "scoring pairs and non-pairs");

    result.pairs.reserve(n * (2 + options.inBatchPerAnchor));
    for (std::size_t i = 0; i < n; ++i)
        result.pairs.push_back({ dot(anchors, i, documents, corpus.positiveOf[i]), true });
    result.truePairs = n;

    const std::size_t c = corpus.texts.size();
    Rng rng(options.seed, kThresholdSampleStream);
    for (std::size_t i = 0; i < n && c > 1; ++i) {
        const auto &truths = truePositivesOf[set.anchors[i]];
        if (truths.size() >= c)
            continue;
        // Draws until `inBatchPerAnchor` non-pairs or a bounded number of tries (a set where almost every
        // positive is true for this anchor must not loop long).
        std::size_t taken = 0;
        for (std::size_t tries = 0; taken < options.inBatchPerAnchor && tries < 4 * options.inBatchPerAnchor;
             ++tries) {
            const std::size_t j = static_cast<std::size_t>(rng.uniformInt(c));
            if (truths.count(j))
                continue;
            result.pairs.push_back({ dot(anchors, i, documents, j), false });
            ++taken;
        }
        result.inBatchNonPairs += taken;
    }

    const std::size_t depth = std::min(c, mostTrue + 1);
    blockedTopK(anchors.values, n, documents.values, c, documents.dim, depth, [&](const TopKHits &hits) {
        for (std::size_t q = 0; q < hits.count; ++q) {
            const auto &truths = truePositivesOf[set.anchors[hits.firstQuery + q]];
            const auto ids = hits.idsOf(q);
            const auto scores = hits.scoresOf(q);
            for (std::size_t k = 0; k < ids.size(); ++k) {
                if (!truths.count(ids[k])) {
                    result.pairs.push_back({ scores[k], false });
                    ++result.hardNonPairs;
                    break;
                }
            }
        }
    });
    report(1.0, "done");
    return result;
}

SimilarityThreshold chooseSimilarityThreshold(
    const ThresholdPairs &pairs, const ThresholdTarget &target, const std::string &dataName)
{
    const ThresholdCurve curve = thresholdCurve(pairs.pairs);
    std::string whyNot;
    const std::optional<ThresholdPoint> point = chooseThreshold(curve, target, &whyNot);
    if (!point)
        throw Error("similarity threshold on " + dataName + ": " + whyNot
            + "; choose a lower precision or best F1 (--threshold f1)");
    SimilarityThreshold result;
    result.target = target;
    result.point = *point;
    result.truePairs = pairs.truePairs;
    result.inBatchNonPairs = pairs.inBatchNonPairs;
    result.hardNonPairs = pairs.hardNonPairs;
    result.data = dataName;
    return result;
}

nlohmann::json toJson(const SimilarityThreshold &t)
{
    return { { "threshold", t.point.threshold }, { "similarity", "cosine" },
        { "rule", "cosine >= threshold is a match" },
        { "target", t.user ? std::string("user") : thresholdTargetName(t.target) },
        { "precision", t.point.precision }, { "recall", t.point.recall }, { "f1", t.point.f1 },
        { "true_positives", t.point.truePositives }, { "false_positives", t.point.falsePositives },
        { "true_pairs", t.truePairs }, { "in_batch_non_pairs", t.inBatchNonPairs },
        { "hard_non_pairs", t.hardNonPairs }, { "data", t.data } };
}

SimilarityThreshold similarityThresholdFromJson(const nlohmann::json &json, const std::string &path)
{
    try {
        SimilarityThreshold t;
        t.point.threshold = json.at("threshold").get<float>();
        const std::string target = json.value("target", "f1");
        t.user = target == "user";
        if (!t.user)
            t.target = parseThresholdTarget(target);
        t.point.precision = json.value("precision", 0.0);
        t.point.recall = json.value("recall", 0.0);
        t.point.f1 = json.value("f1", 0.0);
        t.point.truePositives = json.value("true_positives", std::size_t { 0 });
        t.point.falsePositives = json.value("false_positives", std::size_t { 0 });
        t.truePairs = json.value("true_pairs", std::size_t { 0 });
        t.inBatchNonPairs = json.value("in_batch_non_pairs", std::size_t { 0 });
        t.hardNonPairs = json.value("hard_non_pairs", std::size_t { 0 });
        t.data = json.value("data", "");
        if (!std::isfinite(t.point.threshold))
            throw Error("the threshold is not a finite number");
        return t;
    } catch (const nlohmann::json::exception &e) {
        throw Error(path + ": not a similarity threshold file (" + e.what()
            + "); measure one with pairtune-cli eval --threshold f1 --model FOLDER --data FILE --write");
    } catch (const Error &e) {
        throw Error(path + ": " + e.what());
    }
}

std::optional<SimilarityThreshold> readSimilarityThreshold(const std::string &modelFolder)
{
    const std::string path = (fs::path(modelFolder) / kSimilarityThresholdFile).string();
    if (!fs::exists(path))
        return std::nullopt;
    return similarityThresholdFromJson(readJsonFile(path), path);
}

std::string thresholdCardSection(const SimilarityThreshold &t)
{
    const std::size_t nonPairs = t.inBatchNonPairs + t.hardNonPairs;
    std::string why = t.user ? "set by hand in Pairtune's studio"
        : t.target.kind == ThresholdTarget::Kind::BestF1
        ? "the best F1"
        : "the lowest threshold with precision ≥ " + fixed(t.target.precision, 2);
    return std::string(kCardHeading) + "\n\nTwo texts match when their cosine similarity is at least **"
        + fixed(t.point.threshold, 4) + "** (" + why + "), as measured on " + t.data + ": "
        + std::to_string(t.truePairs) + " true pairs and " + std::to_string(nonPairs) + " non-pairs ("
        + std::to_string(t.inBatchNonPairs) + " other anchors' positives drawn at random, "
        + std::to_string(t.hardNonPairs) + " the most similar wrong positive of each anchor).\n\n"
        + "| threshold | precision | recall | F1 |\n|---|---|---|---|\n| " + fixed(t.point.threshold, 4)
        + " | " + fixed(t.point.precision, 4) + " | " + fixed(t.point.recall, 4) + " | "
        + fixed(t.point.f1, 4) + " |\n\nThe value is stored in `" + kSimilarityThresholdFile
        + "`; `pairtune-cli match --model FOLDER --threshold auto --input PAIRS` applies it.\n";
}

void storeSimilarityThreshold(const std::string &modelFolder, const SimilarityThreshold &threshold)
{
    writeJsonFile((fs::path(modelFolder) / kSimilarityThresholdFile).string(), toJson(threshold), 2);
    const std::string cardPath = (fs::path(modelFolder) / "README.md").string();
    if (!fs::exists(cardPath))
        return;
    std::string card = readFileBytes(cardPath);
    const std::string section = thresholdCardSection(threshold);
    const std::size_t start = card.find(std::string("\n") + kCardHeading + "\n");
    if (start == std::string::npos) {
        // Before "## Training details" when the card has it (next to the evaluation), else at the end.
        const std::size_t training = card.find("\n## Training details");
        if (training != std::string::npos)
            card.insert(training + 1, section + "\n");
        else
            card += (card.empty() || card.back() == '\n' ? "\n" : "\n\n") + section;
    } else {
        const std::size_t next = card.find("\n## ", start + 1);
        const std::size_t end = next == std::string::npos ? card.size() : next + 1;
        card.replace(start + 1, end - start - 1, section + (next == std::string::npos ? "" : "\n"));
    }
    writeFileAtomic(cardPath, card);
}

void storeRunThreshold(const SentenceModel &model, const EvalSet &heldOut, const std::string &modelFolder)
{
    if (heldOut.anchors.size() < 2)
        return;
    const EvalCorpus corpus = evalCorpus(heldOut);
    storeRunThreshold(embedEvalSet(model, heldOut, corpus), heldOut, corpus, modelFolder);
}

void storeRunThreshold(const EvalEmbeddings &embedded, const EvalSet &heldOut, const EvalCorpus &corpus,
    const std::string &modelFolder)
{
    if (heldOut.anchors.size() < 2)
        return;
    const ThresholdPairs pairs = scoreThresholdPairs(embedded, heldOut, corpus);
    storeSimilarityThreshold(modelFolder,
        chooseSimilarityThreshold(pairs, ThresholdTarget {},
            "the run's " + std::to_string(heldOut.anchors.size()) + " held-out pairs"));
}

void storeBestRunThreshold(const EvalSet &heldOut, const std::string &finalFolder,
    const std::string &bestFolder, bool bestIsFinal, const TrainingConfig &config)
{
    std::error_code ec;
    if (heldOut.anchors.size() < 2 || !fs::exists(fs::path(bestFolder) / "modules.json", ec))
        return;
    if (bestIsFinal) {
        if (const std::optional<SimilarityThreshold> finalThreshold = readSimilarityThreshold(finalFolder)) {
            storeSimilarityThreshold(bestFolder, *finalThreshold);
            return;
        }
    }
    storeRunThreshold(loadModelAsTrained(bestFolder, config), heldOut, bestFolder);
}

} // namespace pairtune
