// Cached MNRL (GradCache, `train --grad-cache`, training/train/gradcache.h) through the real executable:
// one step's gradients of every parameter (the --debug-dump's grads_raw.safetensors) equal the plain
// step's on the same batch, for a batch larger than the mini-batch, both MNRL forms, hard negatives and
// either sampler; with dropout on, the second pass replays the first exactly; a resumed run ends where an
// uninterrupted one does; under bf16 autocast the replay is exact and the gradients are the plain bf16
// step's to within bf16 rounding (tests/common/gradcacheprobe.h); losses without in-batch negatives are
// refused. Also the automatic mini-batch rule (training/train/minibatchsize.h) against numbers worked out
// by hand from its documented formula.

#include "gradcacheprobe.h"
#include "train/minibatchsize.h"
#include "trainingclihelpers.h"

#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>

using namespace traintest;

namespace {

using GradientList = std::vector<std::pair<std::string, std::vector<float>>>;

// Loss values and gradients of two runs of the same batch in float32: summing the batch in
// mini-batches reorders the additions, nothing more.
constexpr double kGradientTolerance = 1e-5;
// The same under bf16 autocast, per parameter tensor: |cached - plain| / |float32| (Frobenius norms).
// Autocast rounds every matrix product's result to bf16's 8 significant bits, and grad cache rounds each
// mini-batch's weight gradient before adding them where the plain step rounds the whole batch's once, so
// the two differ by bf16 rounding: measured up to 2.3 % here, while plain bf16 itself is up to 3.1 % from
// float32 (LayerNorm and embedding gradients, kept in float32, agree to 1e-6). A real fault (a mini-batch
// left out or given another's rows of the cached gradients) moves a tensor by about a quarter or more.
constexpr double kBf16GradientTolerance = 0.05;

// The largest per-tensor |a - b| / |reference|; tensors whose reference gradient is negligible (below
// 1e-6 of the largest tensor's: the attention key biases, whose exact gradient is zero because softmax
// ignores a shift shared by every key) are skipped. `where` names the worst tensor or the mismatch.
double worstRelativeDifference(
    const GradientList &a, const GradientList &b, const GradientList &reference, QString &where)
{
    if (a.size() != b.size() || a.size() != reference.size()) {
        where = QString("%1 vs %2 tensors").arg(a.size()).arg(b.size());
        return std::numeric_limits<double>::infinity();
    }
    std::vector<double> norms;
    for (const auto &[name, values] : reference) {
        double sum = 0;
        for (const float v : values)
            sum += double(v) * v;
        norms.push_back(std::sqrt(sum));
    }
    const double largest = *std::max_element(norms.begin(), norms.end());
    double worst = 0;
    for (std::size_t t = 0; t < a.size(); ++t) {
        if (a[t].first != b[t].first || a[t].second.size() != b[t].second.size()) {
            where = QString::fromStdString(a[t].first + " vs " + b[t].first);
            return std::numeric_limits<double>::infinity();
        }
        if (norms[t] < 1e-6 * largest)
            continue;
        double sum = 0;
        for (std::size_t i = 0; i < a[t].second.size(); ++i)
            sum += (double(a[t].second[i]) - b[t].second[i]) * (double(a[t].second[i]) - b[t].second[i]);
        if (std::sqrt(sum) / norms[t] > worst) {
            worst = std::sqrt(sum) / norms[t];
            where = QString::fromStdString(a[t].first);
        }
    }
    return worst;
}

} // namespace

class TestGradCache : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void miniBatchRule();
    void meminfo();
    void sameGradientsAsPlainStep_data();
    void sameGradientsAsPlainStep();
    void dropoutReplayedExactly();
    void oneMiniBatchWithDropoutIsThePlainStep();
    void resumeMatchesUninterrupted();
    void bf16ReplaysDropoutAndTracksPlainStep();
    void refusedForOtherLosses();

private:
    QString freshFolder(const QString &prefix) { return traintest::freshFolder(m_dir, prefix, m_counter); }
    // One step with --debug-dump; returns the dump folder (empty on failure, reported through QVERIFY).
    QString oneStep(const QStringList &extra, CliResult &result);

    QTemporaryDir m_dir;
    QString m_model; // hidden 32, 2 layers, max_seq_length 24
    QString m_pairs; // anchor, positive, negative_1; some positives repeated
    int m_counter = 0;
};

void TestGradCache::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFileInfo(cliPath()).isExecutable(), qPrintable(cliPath()));
    m_model = m_dir.filePath("tiny-model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0 && !created.crashed, qPrintable(created.describe()));
    // Every fifth positive is the same text, so the no-duplicates sampler has pairs to keep apart.
    const std::vector<Pair> pairs = mappingPairs(60, 5);
    QByteArray tsv = "anchor\tpositive\tnegative_1\n";
    for (std::size_t i = 0; i < pairs.size(); ++i) {
        const Pair &p = pairs[i];
        const QString positive = i % 5 == 0 ? QStringLiteral("a shared positive") : p.positive;
        const Pair &other = pairs[(i * 7 + 3) % pairs.size()];
        tsv += p.anchor.toUtf8() + '\t' + positive.toUtf8() + '\t' + other.positive.toUtf8() + '\n';
    }
    m_pairs = m_dir.filePath("pairs.tsv");
    QVERIFY(writeFile(m_pairs, tsv));
}

// hidden 384, intermediate 1536, 6 layers, 12 heads, 64 tokens: 4 · (3840 + 3072) + 8 · 12 · 64 = 33792
// bytes per token and layer, × 6 × 64 = 12976128 per text, × 2 columns = 25952256 per pair; a quarter of
// 8 GiB is 2147483648 bytes, room for 82 pairs, rounded down to 80.
void TestGradCache::miniBatchRule()
{
    pairtune::MiniBatchInputs in;
    in.batch = 256;
    in.columns = 2;
    in.tokensPerText = 64;
    in.hiddenSize = 384;
    in.intermediateSize = 1536;
    in.layers = 6;
    in.heads = 12;
    in.availableBytes = std::uint64_t { 8 } << 30;
    QCOMPARE(pairtune::chooseMiniBatch(in).pairs, std::size_t { 80 });
    in.batch = 64; // all of it fits: one mini-batch, the plain step's memory
    QCOMPARE(pairtune::chooseMiniBatch(in).pairs, std::size_t { 64 });
    in.batch = 256;
    in.columns = 3; // a hard-negative column: 38928384 per pair, room for 55, rounded down to 48
    QCOMPARE(pairtune::chooseMiniBatch(in).pairs, std::size_t { 48 });
    in.availableBytes = 1 << 20; // nothing fits: still one pair at a time
    QCOMPARE(pairtune::chooseMiniBatch(in).pairs, std::size_t { 1 });
    QVERIFY(pairtune::chooseMiniBatch(in).reason.find("--mini-batch-size") != std::string::npos);
}

void TestGradCache::meminfo()
{
    const std::string text = "MemTotal:       16303112 kB\nMemFree:          512000 kB\n"
                             "MemAvailable:    9000000 kB\nBuffers:          100 kB\n";
    QCOMPARE(pairtune::memAvailableFromMeminfo(text).value_or(0), std::uint64_t { 9000000 } * 1024);
    QVERIFY(!pairtune::memAvailableFromMeminfo("MemTotal: 1 kB\n").has_value());
    QVERIFY(pairtune::availableTrainingBytes(false) > 0); // this machine's /proc/meminfo
}

QString TestGradCache::oneStep(const QStringList &extra, CliResult &result)
{
    const QString dump = freshFolder("dump");
    result = runCli(
        QStringList { "train", "--data", m_pairs, "--base", m_model, "--out", freshFolder("run"),
            "--batch-size", "12", "--max-steps", "1", "--threads", "1", "--debug-dump", dump, "--quiet" }
        + extra);
    return dump;
}

void TestGradCache::sameGradientsAsPlainStep_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::newRow("mnrl, hard negatives, no-duplicates sampler") << QStringList {};
    QTest::newRow("mnrl_symmetric, hard negatives") << QStringList { "--loss", "mnrl_symmetric" };
    QTest::newRow("mnrl, any sampler") << QStringList { "--allow-duplicates" };
    QTest::newRow("mnrl cosine, scale 20") << QStringList { "--similarity", "cos", "--scale", "20" };
    QTest::newRow("mnrl_symmetric cosine, scale 20")
        << QStringList { "--loss", "mnrl_symmetric", "--similarity", "cos", "--scale", "20" };
}

// Dropout off: the plain step and grad cache with mini-batches of 5, 5 and 2 pairs see the same batch
// (batch.json), give the same loss and the same gradient for every parameter.
void TestGradCache::sameGradientsAsPlainStep()
{
    QFETCH(QStringList, flags);
    flags << "--no-dropout"
          << "--fp32"; // float32 also where bf16 is the default: the two paths agree to float rounding
    CliResult plainRun;
    const QString plain = oneStep(flags, plainRun);
    QVERIFY2(plainRun.exitCode == 0, qPrintable(plainRun.describe()));
    CliResult cachedRun;
    const QString cached
        = oneStep(flags + QStringList { "--grad-cache", "--mini-batch-size", "5" }, cachedRun);
    QVERIFY2(cachedRun.exitCode == 0, qPrintable(cachedRun.describe()));

    const QJsonObject plainBatch = readJsonObject(plain + "/batch.json");
    const QJsonObject cachedBatch = readJsonObject(cached + "/batch.json");
    QCOMPARE(cachedBatch.value("columns"), plainBatch.value("columns"));
    QCOMPARE(plainBatch.value("columns").toArray().size(), 3); // anchor, positive, negative_1
    QCOMPARE(plainBatch.value("columns").toArray().at(0).toArray().size(), 12);
    const double loss = plainBatch.value("loss").toDouble();
    QVERIFY2(std::abs(cachedBatch.value("loss").toDouble() - loss) <= 1e-6 * std::max(1.0, loss),
        qPrintable(QString("loss %1 vs %2").arg(cachedBatch.value("loss").toDouble()).arg(loss)));
    QCOMPARE(readJsonObject(cached + "/grad_cache.json").value("mini_batch_size").toInt(), 5);

    QString problem;
    const double worst = maxWeightDifference(
        plain + "/grads_raw.safetensors", cached + "/grads_raw.safetensors", nullptr, &problem);
    QVERIFY2(worst <= kGradientTolerance,
        qPrintable(QString("largest gradient difference %1 %2").arg(worst).arg(problem)));
    // Not vacuous: the gradients are not all zero.
    const pairtune::SafetensorsFile grads
        = pairtune::SafetensorsFile::open((plain + "/grads_raw.safetensors").toStdString());
    double largest = 0;
    for (const pairtune::TensorInfo &t : grads.tensors())
        for (const float v : grads.toFloat32(t))
            largest = std::max(largest, static_cast<double>(std::abs(v)));
    QVERIFY2(largest > 100 * kGradientTolerance, qPrintable(QString("largest gradient %1").arg(largest)));
}

// Dropout on, mini-batches of 5: the second pass reproduces the first pass's embeddings exactly (the
// random state before each mini-batch is replayed), so the loss recomputed from them is pass 1's loss.
void TestGradCache::dropoutReplayedExactly()
{
    CliResult run;
    const QString dump
        = oneStep({ "--grad-cache", "--mini-batch-size", "5", "--loss", "mnrl_symmetric" }, run);
    QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
    const QJsonObject replay = readJsonObject(dump + "/grad_cache.json");
    QCOMPARE(replay.value("replay_max_abs_difference").toDouble(), 0.0);
    QCOMPARE(replay.value("replayed_loss").toDouble(),
        readJsonObject(dump + "/batch.json").value("loss").toDouble());

    // The replay matters: without dropout the loss differs, so dropout was really on.
    CliResult off;
    const QString noDropout = oneStep(
        { "--grad-cache", "--mini-batch-size", "5", "--loss", "mnrl_symmetric", "--no-dropout" }, off);
    QVERIFY2(off.exitCode == 0, qPrintable(off.describe()));
    QVERIFY(readJsonObject(noDropout + "/batch.json").value("loss").toDouble()
        != readJsonObject(dump + "/batch.json").value("loss").toDouble());
}

// Our dropout masks depend on a seed drawn per call and on each element's place in the pass, so only a
// mini-batch holding the whole batch draws the plain step's masks: then the gradients are the plain
// step's with dropout on too.
void TestGradCache::oneMiniBatchWithDropoutIsThePlainStep()
{
    CliResult plainRun;
    const QString plain = oneStep({}, plainRun);
    QVERIFY2(plainRun.exitCode == 0, qPrintable(plainRun.describe()));
    CliResult cachedRun;
    const QString cached = oneStep({ "--grad-cache", "--mini-batch-size", "12" }, cachedRun);
    QVERIFY2(cachedRun.exitCode == 0, qPrintable(cachedRun.describe()));
    QCOMPARE(readJsonObject(cached + "/batch.json").value("loss").toDouble(),
        readJsonObject(plain + "/batch.json").value("loss").toDouble());
    const double worst
        = maxWeightDifference(plain + "/grads_raw.safetensors", cached + "/grads_raw.safetensors");
    QVERIFY2(worst <= kGradientTolerance, qPrintable(QString("largest gradient difference %1").arg(worst)));
}

// Nothing beyond what a checkpoint already keeps is needed: a run stopped with SIGTERM and resumed ends
// with the weights of the same run done in one go (dropout on, mini-batches of 3).
void TestGradCache::resumeMatchesUninterrupted()
{
    const QStringList recipe { "--data", m_pairs, "--epochs", "6", "--batch-size", "8", "--lr", "1e-3",
        "--warmup-steps", "2", "--checkpoint-every", "1000", "--threads", "1", "--grad-cache",
        "--mini-batch-size", "3", "--eval-every", "1000", "--quiet" };
    const QString whole = freshFolder("whole");
    const CliResult oneGo = runCli(QStringList { "train", "--base", m_model, "--out", whole } + recipe);
    QVERIFY2(oneGo.exitCode == 0, qPrintable(oneGo.describe()));
    // The model card names the loss as sentence-transformers' card of such a run does: its tag and the
    // training details name the cached class, with the mini-batch size.
    const QString card = QString::fromUtf8(readFile(whole + "/model/README.md"));
    QVERIFY2(card.contains("\n- loss:CachedMultipleNegativesRankingLoss\n"), qPrintable(card));
    QVERIFY2(
        card.contains(
            "\n- Loss: CachedMultipleNegativesRankingLoss (similarity dot, scale 1, mini-batch size 3)\n"),
        qPrintable(card));

    const QString run = freshFolder("interrupted");
    QProcess process;
    process.start(cliPath(), QStringList { "train", "--base", m_model, "--out", run } + recipe);
    QVERIFY(process.waitForStarted(30000));
    const std::int64_t seen = waitForStep(process, run, 3, 240000);
    if (process.state() != QProcess::Running)
        QSKIP("the run ended before it could be interrupted (a very fast machine)");
    QVERIFY(seen >= 3);
    process.terminate();
    QVERIFY(process.waitForFinished(120000));
    QCOMPARE(process.exitCode(), 130);
    const CliResult resumed = runCli({ "train", "--resume", run, "--quiet" });
    QVERIFY2(resumed.exitCode == 0, qPrintable(resumed.describe()));
    const double difference
        = maxWeightDifference(whole + "/model/model.safetensors", run + "/model/model.safetensors");
    QVERIFY2(difference <= 1e-6, qPrintable(QString("resumed vs uninterrupted weights: %1").arg(difference)));
}

// bf16 autocast (issue 20) through the trainer's arithmetic on any CPU (tests/common/gradcacheprobe.h;
// the CLI refuses --bf16 on CPUs without native bf16): 8 pairs, mini-batches of 2. Dropout on, pass 2
// replays pass 1 exactly under autocast too; dropout off, the gradients are the plain bf16 step's to
// within bf16 rounding, and not float32's (autocast really ran).
void TestGradCache::bf16ReplaysDropoutAndTracksPlainStep()
{
    std::vector<std::pair<std::string, std::string>> pairs;
    for (const Pair &p : mappingPairs(8, 41))
        pairs.emplace_back(p.anchor.toStdString(), p.positive.toStdString());
    const std::string model = m_model.toStdString();

    pairtune::GradCacheProbeOptions options;
    options.dropout = true;
    const pairtune::GradCacheProbeResult dropout = pairtune::probeGradCacheStep(model, pairs, options);
    QCOMPARE(dropout.replayDifference, 0.0);
    QCOMPARE(dropout.replayedLoss, dropout.loss);

    options.dropout = false;
    const pairtune::GradCacheProbeResult cached = pairtune::probeGradCacheStep(model, pairs, options);
    QVERIFY(cached.loss != dropout.loss); // dropout was really on above
    options.gradCache = false;
    const pairtune::GradCacheProbeResult plain = pairtune::probeGradCacheStep(model, pairs, options);
    options.bf16 = false;
    const pairtune::GradCacheProbeResult float32 = pairtune::probeGradCacheStep(model, pairs, options);
    QVERIFY(!plain.gradients.empty());

    QVERIFY2(std::abs(cached.loss - plain.loss) <= 1e-3 * std::max(1.0, plain.loss),
        qPrintable(QString("loss %1 vs %2").arg(cached.loss).arg(plain.loss)));
    QString where;
    const double worst = worstRelativeDifference(cached.gradients, plain.gradients, float32.gradients, where);
    QString whereFloat;
    const double fromFloat32
        = worstRelativeDifference(plain.gradients, float32.gradients, float32.gradients, whereFloat);
    qInfo("bf16 grad cache vs plain bf16: %g (%s); plain bf16 vs float32: %g (%s)", worst, qPrintable(where),
        fromFloat32, qPrintable(whereFloat));
    QVERIFY2(worst <= kBf16GradientTolerance,
        qPrintable(QString("largest relative gradient difference %1 in %2").arg(worst).arg(where)));
    QVERIFY2(fromFloat32 > 1e-3, qPrintable(QString("bf16 gradients equal float32's: %1").arg(fromFloat32)));
}

void TestGradCache::refusedForOtherLosses()
{
    for (const char *loss : { "cosine", "cosent" }) {
        CliResult run;
        oneStep({ "--grad-cache", "--loss", loss }, run);
        QVERIFY2(run.exitCode != 0 && !run.crashed, qPrintable(run.describe()));
        const QString err = QString::fromUtf8(run.err);
        QVERIFY2(
            err.contains("Grad cache works only with the in-batch-negative losses") && err.contains(loss),
            qPrintable(err));
    }
}

QTEST_GUILESS_MAIN(TestGradCache)
#include "tst_gradcache.moc"
