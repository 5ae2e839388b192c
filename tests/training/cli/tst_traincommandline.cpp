// recipe/traincommandline.h against the real CLI: the `pairtune-cli train` arguments made from a
// TrainingConfig, inside the torchrun command (and Slurm script) the studio's "Run on a cluster..." shows,
// are split by bash and parsed by pairtune-cli itself (--print-config), and must give back the config.

#include "recipe/traincommandline.h"
#include "recipe/trainingconfig.h"
#include "torchruncheck.h"

#include <QTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace {

using pairtune::TorchrunLaunch;
using pairtune::TrainingConfig;
using pairtune::testrun::launchWithStandIns;

const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);

// Every field away from its default (testConfigChangesEveryField checks that), with paths a shell must
// quote: a field the command forgot would come back as its default and fail the comparison.
TrainingConfig everyFieldChanged()
{
    TrainingConfig c;
    c.dataPaths = { "/shared/data/train pairs.tsv", "/shared/data/it's more.jsonl" };
    c.dataSheet = "Sheet 2";
    c.basePath = "/shared/models/my base";
    c.outPath = "/shared/runs/a $run";
    c.epochs = 3;
    c.batchSize = 24;
    c.warmupSteps = 7;
    c.trainFraction = 0.7;
    c.scoreMean = 0.85;
    c.scoreScaling = 10.5;
    c.useFileScores = pairtune::FileScores::Ignore;
    c.loss = "mnrl_symmetric";
    c.similarity = "cos";
    c.scale = 20.0;
    c.lr = 3.3e-05;
    c.weightDecay = 0.02;
    c.adamBeta1 = 0.8;
    c.adamBeta2 = 0.99;
    c.adamEpsilon = 1e-07;
    c.maxGradNorm = 0.5;
    c.schedule = "warmupcosine";
    c.scheduleCycles = 1.5;
    c.seed = 7;
    c.maxSeqLength = 64;
    c.evalEvery = 11;
    c.evalSample = 0;
    c.checkpointEvery = 13;
    c.keepCheckpoints = 2;
    c.maxSteps = 99;
    c.threads = 3;
    c.device = "cuda:1";
    c.noDuplicates = false;
    c.lengthGrouped = true;
    c.nearDuplicateThreshold = 0.9;
    c.groupNearDuplicates = true;
    c.dropNearDuplicates = true;
    c.dropout = false;
    c.generalCheck = false;
    c.bf16 = pairtune::Bf16Mode::On;
    c.gradCache = true;
    c.miniBatchSize = 4;
    c.bestMetric = "ndcg@10";
    c.matryoshka = true;
    c.matryoshkaDims = { 64, 32 };
    c.matryoshkaWeights = { 1.0, 1.0 / 3.0 };
    return c;
}

TrainingConfig withPaths(TrainingConfig config)
{
    config.dataPaths = { "/shared/pairs.tsv" };
    config.basePath = "builtin";
    config.outPath = "/shared/runs/one";
    return config;
}

} // namespace

class TestTrainCommandLine : public QObject
{
    Q_OBJECT

private slots:
    void testConfigChangesEveryField()
    {
        // A field added to TrainingConfig later must be added here too (and to the command), or this fails.
        const nlohmann::json defaults = pairtune::toJson(TrainingConfig {});
        const nlohmann::json changed = pairtune::toJson(everyFieldChanged());
        const std::set<std::string> hubOnly { "base_repo_id", "base_revision", "base_commit" };
        for (const auto &[key, value] : defaults.items()) {
            if (!hubOnly.count(key))
                QVERIFY2(changed.at(key) != value, key.c_str());
        }
    }

    void commandRoundTrips_data()
    {
        QTest::addColumn<int>("configIndex");
        QTest::newRow("every field changed") << 0;
        QTest::newRow("defaults") << 1;
        QTest::newRow("float32 forced") << 2;
    }

    void commandRoundTrips()
    {
        QFETCH(int, configIndex);
        TrainingConfig config = everyFieldChanged();
        if (configIndex == 1)
            config = withPaths(TrainingConfig {});
        if (configIndex == 2) {
            config = withPaths(TrainingConfig {});
            config.bf16 = pairtune::Bf16Mode::Off;
        }
        TorchrunLaunch launch;
        launch.processesPerNode = 2;
        const std::string command
            = pairtune::torchrunCommand(launch, pairtune::trainCommandArguments(config));
        const auto launched = launchWithStandIns(QString::fromStdString(command), kCli);
        QVERIFY2(launched.failure.isEmpty(), qPrintable(launched.failure));
        QCOMPARE(
            launched.launcher, QStringList({ "--nproc_per_node", "2", "--redirects", "2", "--tee", "2" }));
        const TrainingConfig parsed = pairtune::trainingConfigFromJson(launched.config, "--print-config");
        QVERIFY2(parsed == config, launched.config.dump(1).c_str());
    }

    void severalNodesAndSlurm()
    {
        const TrainingConfig config = everyFieldChanged();
        TorchrunLaunch launch;
        launch.processesPerNode = 4;
        launch.nodes = 2;
        launch.endpoint = "head.cluster:29400";
        const auto arguments = pairtune::trainCommandArguments(config);

        const auto direct
            = launchWithStandIns(QString::fromStdString(pairtune::torchrunCommand(launch, arguments)), kCli);
        QVERIFY2(direct.failure.isEmpty(), qPrintable(direct.failure));
        QCOMPARE(direct.launcher,
            QStringList(
                { "--nproc_per_node", "4", "--redirects", "2", "--tee", "2", "--nnodes", "2", "--rdzv_id",
                    "pairtune", "--rdzv_backend", "c10d", "--rdzv_endpoint", "head.cluster:29400" }));
        QVERIFY(pairtune::trainingConfigFromJson(direct.config) == config);

        // The script takes the node count, job id and endpoint from Slurm (the stand-ins: 2 nodes,
        // job 77, first node node-a), the port from the dialog's endpoint.
        const std::string script = pairtune::slurmScript(launch, arguments);
        QVERIFY(QString::fromStdString(script).contains(QStringLiteral("#SBATCH --nodes=2")));
        const auto slurm = launchWithStandIns(QString::fromStdString(script), kCli);
        QVERIFY2(slurm.failure.isEmpty(), qPrintable(slurm.failure));
        QCOMPARE(slurm.launcher,
            QStringList({ "--nproc_per_node", "4", "--redirects", "2", "--tee", "2", "--nnodes", "2",
                "--rdzv_id", "77", "--rdzv_backend", "c10d", "--rdzv_endpoint", "node-a:29400" }));
        QVERIFY(pairtune::trainingConfigFromJson(slurm.config) == config);
        // Whole nodes (Slurm's default of one CPU per task would put the node's 4 processes on one core),
        // and a GPU per process for a CUDA run (everyFieldChanged trains on cuda:1).
        const QString text = QString::fromStdString(script);
        QVERIFY2(text.contains("#SBATCH --exclusive\n") && text.contains("#SBATCH --gpus-per-node=4\n"),
            qPrintable(text));
        TrainingConfig onCpu = config;
        onCpu.device = "cpu";
        QVERIFY(!QString::fromStdString(pairtune::slurmScript(launch, pairtune::trainCommandArguments(onCpu)))
                     .contains("--gpus-per-node"));
    }

    void hubBaseIsPinnedToItsCommit()
    {
        // The snapshot folder is this computer's cache: the command names the repo at the resolved commit.
        TrainingConfig config = withPaths(TrainingConfig {});
        config.basePath = "/home/me/.cache/huggingface/hub/models--owner--name/snapshots/abc123";
        config.baseRepoId = "owner/name";
        config.baseRevision = "main";
        config.baseCommit = "abc123";
        const auto arguments = pairtune::trainCommandArguments(config);
        const auto base = std::find(arguments.begin(), arguments.end(), "--base");
        QVERIFY(base != arguments.end() && base + 3 < arguments.end());
        QCOMPARE(base[1], std::string("owner/name"));
        QCOMPARE(base[2], std::string("--revision"));
        QCOMPARE(base[3], std::string("abc123"));
    }

    void quoting()
    {
        QCOMPARE(pairtune::shellQuoted("/a/b-c_1.tsv"), std::string("/a/b-c_1.tsv"));
        QCOMPARE(pairtune::shellQuoted("it's here"), std::string("'it'\\''s here'"));
        QCOMPARE(pairtune::shellQuoted(""), std::string("''"));
    }
};

QTEST_GUILESS_MAIN(TestTrainCommandLine)
#include "tst_traincommandline.moc"
