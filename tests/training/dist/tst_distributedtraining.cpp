// `pairtune-cli train` launched by Debian's torchrun (python3 -m torch.distributed.run, docs/pitfalls.md
// §8) as 2 processes × batch 16 on 127.0.0.1, against one process × batch 32 with the same seed and
// dropout off (issue 19): the global batch is drawn as the single process draws it, MNRL sees all 32
// pairs through the gathered embeddings, and the gradients are averaged, so both runs end at the same
// weights up to float rounding. The run folder is the same shape (only rank 0 writes it), the verdict,
// its general check and the similarity threshold (sharded too) agree with one process's, and what this
// build does not support (CUDA without NCCL) or cannot do exactly (resuming with another process count)
// is refused with a message. Resume and faults: tst_distributedfaults.

#include "io/safetensors.h"
#include "torchruntest.h"

#include <QtCore/QDir>
#include <QtCore/QDirIterator>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>

namespace {

// Float32 rounding differs between one forward over 32 pairs and two over 16 (matrix blocking, the
// gradient mean); after a few AdamW steps that stays far below this.
constexpr double kWeightTolerance = 1e-5;
constexpr double kLossTolerance = 1e-5;
// The same weights embedded in shares of 20 texts instead of all 40 at once (issue 19: 1e-6).
constexpr double kMetricTolerance = 1e-6;
// The threshold is a cosine of the final model (weights within kWeightTolerance of one process's).
constexpr double kThresholdTolerance = 1e-4;
constexpr int kTimeoutMs = 600000;

const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);

using namespace pairtune::testrun;

RunResult torchrun(const QStringList &cliArgs)
{
    return pairtune::testrun::torchrun(kCli, cliArgs, kTimeoutMs);
}

QStringList filesUnder(const QString &root)
{
    QStringList files;
    QDirIterator it(root, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << QDir(root).relativeFilePath(it.next());
    files.sort();
    return files;
}

QList<QJsonObject> metricLines(const QString &run, const QString &type)
{
    QFile file(run + "/metrics.jsonl");
    QList<QJsonObject> lines;
    if (!file.open(QIODevice::ReadOnly))
        return lines;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const QJsonObject object = QJsonDocument::fromJson(line).object();
        if (object.value("type").toString() == type)
            lines << object;
    }
    return lines;
}

// The ranks files of the verdict (RUN/eval-ranks-base.json, general-ranks-base.json): how many entries of
// their "rank" and "top_hit" lists differ, or -1 when they were made for other sets.
int differingRanks(const QString &a, const QString &b)
{
    const QJsonObject x = readJson(a);
    const QJsonObject y = readJson(b);
    if (x.isEmpty() || x.value("pairs") != y.value("pairs") || x.value("corpus") != y.value("corpus")
        || x.value("depth") != y.value("depth"))
        return -1;
    int differing = 0;
    for (const char *list : { "rank", "top_hit" }) {
        const QJsonArray p = x.value(list).toArray();
        const QJsonArray q = y.value(list).toArray();
        if (p.size() != x.value("pairs").toInt() || q.size() != p.size())
            return -1;
        for (qsizetype i = 0; i < p.size(); ++i)
            differing += p[i] != q[i] ? 1 : 0;
    }
    return differing;
}

// The largest difference of a verdict's metrics (before and after) between two verdict objects, or
// infinity when they hold other metrics.
double metricsDifference(const QJsonObject &a, const QJsonObject &b)
{
    const QJsonObject x = a.value("metrics").toObject();
    const QJsonObject y = b.value("metrics").toObject();
    if (x.isEmpty() || x.keys() != y.keys())
        return INFINITY;
    double diff = 0.0;
    for (const QString &metric : x.keys())
        for (const char *side : { "before", "after" })
            diff = std::max(diff,
                std::abs(x.value(metric).toObject().value(side).toDouble()
                    - y.value(metric).toObject().value(side).toDouble()));
    return diff;
}

} // namespace

class TestDistributedTraining : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (const QString missing = torchrunMissing(); !missing.isEmpty())
            QSKIP(qPrintable(missing));
        QVERIFY(m_dir.isValid());
        // 161 training pairs (80%): per epoch 5 global batches of 32 and one of a single pair, which
        // rank 0 embeds alone (rank 1 contributes no row). Every text is distinct: no deferred pairs.
        QVERIFY(!writePairs(m_dir.filePath("pairs.tsv"), 201).isEmpty());
    }

    void twoProcessesEndWhereOneEndsAtTwiceTheBatch_data()
    {
        QTest::addColumn<QStringList>("loss");
        QTest::newRow("mnrl dot scale 1 (the recipe's default)") << QStringList {};
        QTest::newRow("mnrl_symmetric cos scale 20")
            << QStringList { "--loss", "mnrl_symmetric", "--similarity", "cos", "--scale", "20" };
    }

    void twoProcessesEndWhereOneEndsAtTwiceTheBatch()
    {
        QFETCH(QStringList, loss);
        const QString name = QString::number(m_runs++);
        const QStringList recipe = QStringList { "train", "--data", m_dir.filePath("pairs.tsv"), "--base",
            "builtin", "--epochs", "2", "--lr", "2e-4", "--warmup-steps", "2", "--no-dropout", "--fp32",
            "--max-seq-length", "16", "--eval-sample", "all", "--threads", "1", "--quiet" }
            + loss;
        const QString single = m_dir.filePath("single-" + name);
        const QStringList singleArgs = recipe + QStringList { "--batch-size", "32", "--out", single };
        const RunResult one = run(kCli, singleArgs, kTimeoutMs);
        QVERIFY2(one.code == 0, qPrintable(one.describe(kCli, singleArgs)));

        m_distributedRun = m_dir.filePath("two-" + name);
        const QStringList twoArgs = recipe + QStringList { "--batch-size", "16", "--out", m_distributedRun };
        const RunResult two = torchrun(twoArgs);
        QVERIFY2(two.code == 0, qPrintable(two.describe("torchrun ... pairtune-cli", twoArgs)));

        // The same run folder shape: rank 1 wrote nothing beside rank 0's files.
        QCOMPARE(filesUnder(m_distributedRun), filesUnder(single));
        const QJsonObject config = readJson(m_distributedRun + "/config.json");
        QCOMPARE(config.value("processes").toInt(), 2);
        QCOMPARE(config.value("global_batch_size").toInt(), 32);
        QVERIFY(!readJson(single + "/config.json").contains("processes"));

        // One step line per step (rank 1 recorded none) and the same losses.
        const QList<QJsonObject> oneSteps = metricLines(single, "step");
        const QList<QJsonObject> twoSteps = metricLines(m_distributedRun, "step");
        QCOMPARE(oneSteps.size(), 12);
        QCOMPARE(twoSteps.size(), oneSteps.size());
        double lossDiff = 0.0;
        for (qsizetype i = 0; i < oneSteps.size(); ++i)
            lossDiff = std::max(lossDiff,
                std::abs(oneSteps[i].value("loss").toDouble() - twoSteps[i].value("loss").toDouble()));
        qInfo(
            "max |loss difference| over %lld steps: %.3g", static_cast<long long>(oneSteps.size()), lossDiff);
        QVERIFY2(lossDiff < kLossTolerance, qPrintable(QString::number(lossDiff)));
        QCOMPARE(
            metricLines(m_distributedRun, "evaluation").size(), metricLines(single, "evaluation").size());

        // Evaluation is sharded: each process embeds half of the held-out texts, rank 0 gathers them and
        // computes the metrics. The baseline (step 0) scores the same weights in both runs, so every
        // metric must be the single process's up to float rounding.
        const QJsonObject oneBaseline
            = metricLines(single, "evaluation").value(0).value("metrics").toObject();
        const QJsonObject twoBaseline
            = metricLines(m_distributedRun, "evaluation").value(0).value("metrics").toObject();
        QVERIFY(oneBaseline.contains("mrr@10") && oneBaseline.contains("eval_loss"));
        QCOMPARE(twoBaseline.keys(), oneBaseline.keys());
        double metricDiff = 0.0;
        for (const QString &key : oneBaseline.keys())
            metricDiff = std::max(
                metricDiff, std::abs(oneBaseline.value(key).toDouble() - twoBaseline.value(key).toDouble()));
        qInfo("max |baseline metric difference| over %lld metrics: %.3g",
            static_cast<long long>(oneBaseline.size()), metricDiff);
        QVERIFY2(metricDiff < kMetricTolerance, qPrintable(QString::number(metricDiff)));

        // The verdict's passes are sharded as the evaluations are: the base model's ranks of the held-out
        // and the general pairs (before the first step, the same weights in both runs), the final model's
        // for the verdict and the similarity threshold. Rows gathered out of order would move most ranks;
        // float rounding may at most swap a near-tie, which moves a mean over the pairs by 1/pairs.
        for (const char *file : { "eval-ranks-base.json", "general-ranks-base.json" }) {
            const int differing = differingRanks(single + "/" + file, m_distributedRun + "/" + file);
            qInfo("%s: %d entries differ", file, differing);
            QVERIFY2(differing >= 0 && differing <= 1, file);
        }
        const QJsonObject oneVerdict = readJson(single + "/verdict.json");
        const QJsonObject twoVerdict = readJson(m_distributedRun + "/verdict.json");
        const QJsonObject oneGeneral = oneVerdict.value("general_check").toObject();
        const QJsonObject twoGeneral = twoVerdict.value("general_check").toObject();
        QVERIFY(oneVerdict.value("pairs").toInt() > 0 && oneGeneral.value("pairs").toInt() > 0);
        QCOMPARE(twoVerdict.value("pairs"), oneVerdict.value("pairs"));
        QCOMPARE(twoGeneral.value("pairs"), oneGeneral.value("pairs"));
        const double verdictDiff = metricsDifference(oneVerdict, twoVerdict);
        const double generalDiff = metricsDifference(oneGeneral, twoGeneral);
        qInfo("verdict metrics differ by %.3g, the general check's by %.3g", verdictDiff, generalDiff);
        QVERIFY2(verdictDiff <= 1.0 / oneVerdict.value("pairs").toDouble(),
            qPrintable(QString::number(verdictDiff)));
        QVERIFY2(generalDiff <= 1.0 / oneGeneral.value("pairs").toDouble(),
            qPrintable(QString::number(generalDiff)));
        const QJsonObject oneThreshold = readJson(single + "/model/similarity_threshold.json");
        const QJsonObject twoThreshold = readJson(m_distributedRun + "/model/similarity_threshold.json");
        QVERIFY(oneThreshold.value("true_pairs").toInt() > 0);
        QCOMPARE(twoThreshold.value("true_pairs"), oneThreshold.value("true_pairs"));
        QCOMPARE(twoThreshold.value("hard_non_pairs"), oneThreshold.value("hard_non_pairs"));
        const double thresholdDiff = std::abs(
            oneThreshold.value("threshold").toDouble() - twoThreshold.value("threshold").toDouble());
        qInfo("similarity threshold %.7f vs %.7f", oneThreshold.value("threshold").toDouble(),
            twoThreshold.value("threshold").toDouble());
        QVERIFY2(thresholdDiff < kThresholdTolerance, qPrintable(QString::number(thresholdDiff)));

        // The exported models' weights.
        const auto a = pairtune::SafetensorsFile::open((single + "/model/model.safetensors").toStdString());
        const auto b
            = pairtune::SafetensorsFile::open((m_distributedRun + "/model/model.safetensors").toStdString());
        QCOMPARE(a.tensors().size(), b.tensors().size());
        double weightDiff = 0.0;
        double moved = 0.0; // how far training moved the weights: the comparison must not be trivial
        const auto base = pairtune::SafetensorsFile::open(
            QStringLiteral(PAIRTUNE_BUILTIN_MODEL "/model.safetensors").toStdString());
        for (const pairtune::TensorInfo &t : a.tensors()) {
            const pairtune::TensorInfo *other = b.find(t.name);
            QVERIFY2(other, t.name.c_str());
            const std::vector<float> x = a.toFloat32(t);
            const std::vector<float> y = b.toFloat32(*other);
            QCOMPARE(x.size(), y.size());
            for (std::size_t i = 0; i < x.size(); ++i)
                weightDiff = std::max(weightDiff, static_cast<double>(std::abs(x[i] - y[i])));
            if (const pairtune::TensorInfo *start = base.find(t.name)) {
                const std::vector<float> z = base.toFloat32(*start);
                for (std::size_t i = 0; i < x.size() && i < z.size(); ++i)
                    moved = std::max(moved, static_cast<double>(std::abs(x[i] - z[i])));
            }
        }
        qInfo("max |weight difference| over %zu tensors: %.3g (training moved weights by up to %.3g)",
            a.tensors().size(), weightDiff, moved);
        QVERIFY2(weightDiff < kWeightTolerance, qPrintable(QString::number(weightDiff)));
        QVERIFY2(moved > 10 * kWeightTolerance, qPrintable(QString::number(moved)));
    }

    void refusesWhatCannotRunExactly()
    {
        if (m_distributedRun.isEmpty())
            QSKIP("needs the run of twoProcessesEndWhereOneEndsAtTwiceTheBatch");
        const QStringList alone { "train", "--resume", m_distributedRun };
        const RunResult single = run(kCli, alone);
        QVERIFY2(single.code != 0 && single.err.contains("trained by 2 processes and is resumed with 1"),
            qPrintable(single.describe(kCli, alone)));
        const RunResult cuda = torchrun({ "train", "--data", m_dir.filePath("pairs.tsv"), "--base", "builtin",
            "--out", m_dir.filePath("cuda"), "--device", "cuda", "--quiet" });
#if PAIRTUNE_TORCH_HAS_NCCL
        // A CUDA LibTorch (scripts/check_cuda_build.sh): the ranks join ProcessGroupNCCL, so without
        // GPUs each stops at its choice of GPU; with two they train.
        QVERIFY2(cuda.code == 0 || cuda.err.contains("chooses a GPU, but this machine has 0"),
            qPrintable(cuda.describe("torchrun ... --device cuda", {})));
#else
        QVERIFY2(cuda.code != 0 && cuda.err.contains("needs NCCL"), // Debian bookworm's LibTorch has none
            qPrintable(cuda.describe("torchrun ... --device cuda", {})));
        QVERIFY(!QFileInfo::exists(m_dir.filePath("cuda") + "/config.json"));
#endif
    }

private:
    QTemporaryDir m_dir;
    QString m_distributedRun;
    int m_runs = 0;
};

QTEST_GUILESS_MAIN(TestDistributedTraining)
#include "tst_distributedtraining.moc"
