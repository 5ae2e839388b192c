#include "configcheck.h"
#include "core/error.h"
#include "recipe/trainingconfig.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

using namespace pairtune;

using testconfig::mentions;
using testconfig::runnable;

namespace {

QString joined(const std::vector<std::string> &problems)
{
    QStringList out;
    for (const auto &p : problems)
        out << QString::fromStdString(p);
    return out.join(" | ");
}

} // namespace

class TestTrainingConfig : public QObject
{
    Q_OBJECT

private slots:
    void defaultsAreTheClassicRecipe()
    {
        const TrainingConfig c;
        QCOMPARE(c.epochs, 8);
        QCOMPARE(c.batchSize, 32);
        QCOMPARE(c.warmupSteps, std::int64_t(100));
        QCOMPARE(c.trainFraction, 0.8);
        QCOMPARE(c.scoreMean, 0.9);
        QCOMPARE(c.scoreScaling, 20.0);
        QCOMPARE(c.useFileScores, FileScores::Auto);
        QCOMPARE(c.loss, std::string("mnrl"));
        QCOMPARE(c.similarity, std::string("dot"));
        QCOMPARE(c.scale, 1.0);
        QCOMPARE(c.lr, 2e-5);
        QCOMPARE(c.weightDecay, 0.01);
        QCOMPARE(c.maxGradNorm, 1.0);
        QCOMPARE(c.seed, std::uint64_t(42));
        QCOMPARE(c.maxSeqLength, 0);
        QCOMPARE(c.evalEvery, std::int64_t(0));
        QCOMPARE(c.checkpointEvery, std::int64_t(500));
        QCOMPARE(c.maxSteps, std::int64_t(0));
        QCOMPARE(c.threads, 0);
        QCOMPARE(c.device, std::string("cpu"));
        QVERIFY(c.noDuplicates);
        QVERIFY(!c.lengthGrouped);
        QCOMPARE(c.bestMetric, std::string("mrr@10"));
        QCOMPARE(c.schedule, std::string("warmuplinear"));
        QVERIFY2(validate(runnable()).empty(), qPrintable(joined(validate(runnable()))));
    }

    void jsonRoundTripIsExact()
    {
        TrainingConfig c = runnable();
        c.dataPaths = { "a.tsv", "dir with space/b.jsonl", "ünïcode.csv" };
        c.basePath = "/models/all-MiniLM-L6-v2";
        c.outPath = "/tmp/run";
        c.epochs = 3;
        c.batchSize = 64;
        c.warmupSteps = 7;
        c.trainFraction = 0.7;
        c.scoreMean = 0.123456789012345;
        c.scoreScaling = 3.3;
        c.useFileScores = FileScores::Require;
        c.loss = "cosent";
        c.similarity = "cos";
        c.scale = 20.0;
        c.lr = 3.0000000000000001e-5;
        c.weightDecay = 0.1;
        c.adamBeta1 = 0.8;
        c.adamBeta2 = 0.99;
        c.adamEpsilon = 1e-6;
        c.maxGradNorm = 0.0;
        c.schedule = "warmupcosinewithhardrestarts";
        c.scheduleCycles = 3.0;
        c.seed = 18446744073709551615ull;
        c.maxSeqLength = 128;
        c.evalEvery = 250;
        c.checkpointEvery = 1000;
        c.keepCheckpoints = 3;
        c.maxSteps = 12345678901;
        c.threads = 2;
        c.device = "cuda:1";
        c.noDuplicates = false;
        c.lengthGrouped = true;
        c.bestMetric = "ndcg@10";

        const std::string text = toJson(c).dump(2);
        const TrainingConfig back = trainingConfigFromJson(nlohmann::json::parse(text));
        QVERIFY(back == c);
        QCOMPARE(toJson(back).dump(2), text);
        QVERIFY(!(back == runnable())); // the comparison can fail

        const TrainingConfig defaults;
        QVERIFY(trainingConfigFromJson(toJson(defaults)) == defaults);
        QCOMPARE(toJson(c)["use_file_scores"].get<std::string>(), std::string("require"));
        QCOMPARE(toJson(c)["batch_size"].get<int>(), 64);
    }

    void missingKeysKeepDefaults()
    {
        const auto c = trainingConfigFromJson(nlohmann::json::parse(R"({"epochs": 2, "lr": 1})"));
        QCOMPARE(c.epochs, 2);
        QCOMPARE(c.lr, 1.0);
        QCOMPARE(c.batchSize, 32);
        // Every missing key keeps its default, except bf16: a config.json from before the automatic
        // choice has no such key and trained in float32, so a resume must too.
        TrainingConfig defaults;
        QVERIFY(defaults.bf16 == Bf16Mode::Auto);
        defaults.bf16 = Bf16Mode::Off;
        QVERIFY(trainingConfigFromJson(nlohmann::json::object()) == defaults);
    }

    void bf16IsTrueFalseOrAuto()
    {
        for (const Bf16Mode mode : { Bf16Mode::Off, Bf16Mode::On, Bf16Mode::Auto }) {
            TrainingConfig c;
            c.bf16 = mode;
            QVERIFY(trainingConfigFromJson(toJson(c)) == c);
        }
        QVERIFY(toJson(TrainingConfig {})["bf16"] == "auto");
        QVERIFY(trainingConfigFromJson(nlohmann::json::parse(R"({"bf16": true})")).bf16 == Bf16Mode::On);
        QVERIFY(trainingConfigFromJson(nlohmann::json::parse(R"({"bf16": false})")).bf16 == Bf16Mode::Off);
        QVERIFY_THROWS_EXCEPTION(Error, trainingConfigFromJson(nlohmann::json::parse(R"({"bf16": "yes"})")));
    }

    void badJsonIsRejectedWithTheKeyName()
    {
        const auto message = [](const char *text) -> std::string {
            try {
                trainingConfigFromJson(nlohmann::json::parse(text), "RUN/config.json");
            } catch (const Error &e) {
                return e.what();
            }
            return "no error";
        };
        QCOMPARE(message(R"({"epochz": 2})"), std::string("RUN/config.json: unknown setting \"epochz\""));
        QVERIFY(message(R"({"epochs": "8"})").find("\"epochs\" must be an integer") != std::string::npos);
        QVERIFY(message(R"({"epochs": 8.5})").find("\"epochs\"") != std::string::npos);
        QVERIFY(message(R"({"epochs": 99999999999})").find("\"epochs\"") != std::string::npos);
        QVERIFY(message(R"({"lr": "fast"})").find("\"lr\" must be a number") != std::string::npos);
        QVERIFY(message(R"({"no_duplicates": 1})").find("\"no_duplicates\"") != std::string::npos);
        QVERIFY(message(R"({"data_paths": "a.tsv"})").find("\"data_paths\"") != std::string::npos);
        QVERIFY(message(R"({"data_paths": ["a", 2]})").find("\"data_paths\"") != std::string::npos);
        QVERIFY(message(R"({"use_file_scores": true})").find("\"use_file_scores\"") != std::string::npos);
        QVERIFY(message(R"({"seed": -1})").find("\"seed\"") != std::string::npos);
        QVERIFY(message(R"([1, 2])").find("RUN/config.json: expected a JSON object") != std::string::npos);
        QCOMPARE(message(R"({"epochs": 8})"), std::string("no error"));
    }

    void validationNamesEachProblem()
    {
        QVERIFY(mentions(validate(TrainingConfig()), "data file"));
        QVERIFY(mentions(validate(TrainingConfig()), "base model"));
        QVERIFY(mentions(validate(TrainingConfig()), "output folder"));

        struct Case
        {
            std::function<void(TrainingConfig &)> change;
            std::string word;
        };
        const std::vector<Case> cases = {
            { [](TrainingConfig &c) { c.batchSize = 1; }, "at least 2 for the mnrl loss" },
            { [](TrainingConfig &c) { c.batchSize = 0; }, "batch size must be at least 1" },
            { [](TrainingConfig &c) { c.epochs = 0; }, "Epochs" },
            { [](TrainingConfig &c) { c.lr = 0.0; }, "learning rate" },
            { [](TrainingConfig &c) { c.lr = -1e-5; }, "learning rate" },
            { [](TrainingConfig &c) { c.trainFraction = 0.0; }, "training fraction" },
            { [](TrainingConfig &c) { c.trainFraction = 1.5; }, "training fraction" },
            { [](TrainingConfig &c) { c.scoreScaling = 0.0; }, "scaling" },
            { [](TrainingConfig &c) { c.scoreMean = NAN; }, "score mean" },
            { [](TrainingConfig &c) { c.warmupSteps = -1; }, "Warmup" },
            { [](TrainingConfig &c) { c.loss = "triplet"; }, "Unknown loss \"triplet\"" },
            { [](TrainingConfig &c) { c.similarity = "euclid"; }, "Unknown similarity" },
            { [](TrainingConfig &c) { c.scale = 0.0; }, "scale" },
            { [](TrainingConfig &c) { c.weightDecay = -0.1; }, "Weight decay" },
            { [](TrainingConfig &c) { c.adamBeta2 = 1.0; }, "betas" },
            { [](TrainingConfig &c) { c.adamEpsilon = -1.0; }, "epsilon" },
            { [](TrainingConfig &c) { c.maxGradNorm = -1.0; }, "gradient-norm" },
            { [](TrainingConfig &c) { c.schedule = "linear"; }, "Unknown learning-rate schedule" },
            { [](TrainingConfig &c) { c.scheduleCycles = -1.0; }, "cycles" },
            { [](TrainingConfig &c) { c.maxSeqLength = -1; }, "sequence length" },
            { [](TrainingConfig &c) { c.evalEvery = -1; }, "Evaluate every" },
            { [](TrainingConfig &c) { c.checkpointEvery = -5; }, "Checkpoint every" },
            { [](TrainingConfig &c) { c.keepCheckpoints = -1; }, "checkpoints to keep" },
            { [](TrainingConfig &c) { c.maxSteps = -1; }, "step limit" },
            { [](TrainingConfig &c) { c.threads = -2; }, "thread count" },
            { [](TrainingConfig &c) { c.device = "tpu"; }, "Unknown device" },
            { [](TrainingConfig &c) { c.device = "cuda:x"; }, "Unknown device" },
            { [](TrainingConfig &c) { c.bestMetric = "accuracy@2"; }, "Unknown metric" },
            { [](TrainingConfig &c) {
                 c.dataPaths = { "a.tsv", "" };
             },
                "Data file 2" },
        };
        for (const auto &testCase : cases) {
            TrainingConfig c = runnable();
            testCase.change(c);
            const auto problems = validate(c);
            QVERIFY2(problems.size() == 1 && mentions(problems, testCase.word),
                qPrintable(QString::fromStdString(testCase.word) + " -> " + joined(problems)));
        }

        // Batch size 1 is fine for losses without in-batch negatives; other valid variations pass.
        TrainingConfig c = runnable();
        c.loss = "cosine";
        c.batchSize = 1;
        c.device = "cuda:0";
        c.trainFraction = 1.0;
        c.maxGradNorm = 0.0;
        c.bestMetric = "eval_loss";
        QVERIFY2(validate(c).empty(), qPrintable(joined(validate(c))));
    }
};

QTEST_GUILESS_MAIN(TestTrainingConfig)
#include "tst_trainingconfig.moc"
