// One training step of `pairtune-cli train` against an independent PyTorch computation
// (tests/interop/reference_train.py, Debian's python3-torch): the same base weights and the same batch
// (batch.json from --debug-dump), dropout off, float64 on the Python side. Compared: the loss, every
// gradient before and after clip_grad_norm_, the weights after the first AdamW step (torch.optim.AdamW
// with the sentence-transformers no-decay groups), the AdamW moments, and that parameters without a
// gradient (the pooler) are left bit-identical. The optimizer is also checked on its own: AdamW fed
// Pairtune's clipped gradients must reproduce Pairtune's weights to a few float32 ulps.

#include "processrun.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>

namespace {

// Issue 3's acceptance bound for loss, gradients and updated weights.
constexpr double kTolerance = 1e-5;
// Gradients are also held to a bound relative to the tensor's largest reference gradient (floored at 1%
// of the largest gradient of the model, see reference_train.py `compare`), because many gradients are
// ~1e-4..1e-3, where 1e-5 absolute would let 1-10% errors through. Float32 gives ~1e-6..1e-5 relative
// here, so 1e-4 has a wide margin. Where the reference's own float32 run is further off than that (a
// fresh model's CLS vectors are nearly identical, so the MNRL gradient is a small difference of large
// vectors), the bound is 10x what PyTorch float32 itself reaches on the same batch.
constexpr double kRelativeGradTolerance = 1e-4;
constexpr double kFloat32Factor = 10.0;
// End to end, AdamW's first step is lr * g / (|g| + eps): where g is within rounding of 0 (attention key
// biases, whose exact gradient is 0) the update is rounding noise in any implementation. Such elements
// are compared with the part the measured gradient difference explains added to the tolerance; there
// must be few of them for the check to mean something.
constexpr double kIllConditionedShare = 1e-3;
// AdamW fed Pairtune's own clipped gradients: weights agree to a few float32 ulps (two roundings: the
// decay multiply and the addcdiv), plus 1e-6 * lr for the float32 arithmetic of m/(sqrt(v)+eps).
constexpr double kOptimizerUlps = 4.0;

const QString kVocab = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt");
const QString kReference = QStringLiteral(PAIRTUNE_TRAIN_REFERENCE);
const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);
// reference.py make-folder writes a folder with spread-out random weights (embeddings std 0.5,
// LayerNorm 1 +- 0.1), where CLS vectors differ visibly between texts.
const QString kFolderMaker = QFileInfo(kReference).dir().filePath(QStringLiteral("reference.py"));

using pairtune::testrun::python;
using pairtune::testrun::run;
using pairtune::testrun::RunResult;

// ~40 pairs of distinct texts with varied lengths (some beyond max_seq_length 32, so truncation and
// per-column padding both matter), accents and punctuation, plus a hard negative and a score per pair.
struct GeneratedPair
{
    QString anchor;
    QString positive;
    QString negative;
    double score = 0.0;
};

QList<GeneratedPair> generatePairs(int count)
{
    const QStringList adjectives = { "quiet", "bright", "ancient", "narrow", "frozen", "busy", "green",
        "hidden", "famous", "empty", "crowded", "sunny", "rocky" };
    const QStringList nouns = { "harbour", "market", "bridge", "library", "garden", "station", "castle",
        "river", "museum", "café", "forest", "tower", "valley", "school", "theatre", "island", "village" };
    const QStringList places
        = { "lisbon", "kraków", "oslo", "quebec", "nairobi", "lima", "hanoi", "perth", "tromsø", "cusco",
              "dakar", "porto", "zürich", "malmö", "bergen", "sevilla", "accra", "cádiz", "riga" };
    const QStringList verbs = { "opens", "closes", "shines", "floods", "sleeps", "grows", "waits", "sings" };
    QList<GeneratedPair> pairs;
    for (int i = 0; i < count; ++i) {
        const QString adj = adjectives[i % adjectives.size()];
        const QString adj2 = adjectives[(i * 5 + 3) % adjectives.size()];
        const QString noun = nouns[i % nouns.size()];
        const QString noun2 = nouns[(i * 7 + 2) % nouns.size()];
        const QString place = places[i % places.size()];
        const QString place2 = places[(i * 3 + 5) % places.size()];
        const QString verb = verbs[i % verbs.size()];
        GeneratedPair p;
        p.anchor = QStringLiteral("Where is the %1 %2 of %3? (%4)").arg(adj, noun, place).arg(i);
        p.positive
            = QStringLiteral("The %1 of %2 %3 early; it is %4 and %5.").arg(noun, place, verb, adj, adj2);
        if (i % 2 == 0)
            p.positive += QStringLiteral(" Visitors say number %1 is worth the trip.").arg(i);
        if (i % 6 == 0) // longer than 32 tokens: cut by the model's max_seq_length
            p.positive
                += QStringLiteral(" Every morning the %1 %2 near the %3 is full of people, bikes, dogs, "
                                  "music and noise until late at night.")
                       .arg(adj2, noun2, noun);
        if (i % 9 == 4)
            p.anchor += QStringLiteral(" Is it really the most %1 %2 in all of %3, or only in the old town?")
                            .arg(adj2, noun2, place2);
        p.negative = QStringLiteral("A %1 %2 in %3 %4 (%5).").arg(adj2, noun2, place2, verb).arg(i * 13 % 97);
        p.score = ((i * 7) % 11) / 10.0;
        pairs.append(p);
    }
    return pairs;
}

// The [PAD] token written literally in a few texts: the tokenizer keeps it as id 0, and transformers'
// word embedding has padding_idx = pad_token_id, so that row must get no gradient.
QList<GeneratedPair> withPadTokens(QList<GeneratedPair> pairs)
{
    for (qsizetype i = 1; i < pairs.size(); i += 5)
        pairs[i].anchor += QStringLiteral(" [PAD] or not?");
    return pairs;
}

bool writePairs(const QString &path, const QList<GeneratedPair> &pairs, bool negatives, bool scores)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    for (const GeneratedPair &p : pairs) {
        QJsonObject o { { QStringLiteral("anchor"), p.anchor }, { QStringLiteral("positive"), p.positive } };
        if (negatives)
            o.insert(QStringLiteral("negative"), p.negative);
        if (scores)
            o.insert(QStringLiteral("score"), p.score);
        file.write(QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n');
    }
    return true;
}

enum class Clip { Active, Inactive, Off };

struct CaseSummary
{
    QString name;
    double loss = 0.0;
    double grads = 0.0;
    double gradsRel = 0.0;
    double float32Rel = 0.0;
    double clipped = 0.0;
    double weights = 0.0;
    double wellConditioned = 0.0;
    double illConditioned = 0.0;
    double optimizerUlps = 0.0;
    double norm = 0.0;
};

} // namespace

class TestOneStep : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void stepMatchesReference_data();
    void stepMatchesReference();
    void cleanupTestCase();

private:
    QTemporaryDir m_scratch;
    QList<CaseSummary> m_summaries;
};

void TestOneStep::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    if (qEnvironmentVariableIntValue("PAIRTUNE_KEEP_ONESTEP")) {
        m_scratch.setAutoRemove(false);
        qInfo("keeping the scratch files in %s", qPrintable(m_scratch.path()));
    }
    const QString missing = pairtune::testrun::torchMissing();
    if (!missing.isEmpty())
        QSKIP(qPrintable(missing));
    QVERIFY(QFileInfo::exists(kReference));
    QVERIFY(QFileInfo::exists(kCli));

    const QStringList tiny = { QStringLiteral("--vocab"), kVocab, QStringLiteral("--layers"),
        QStringLiteral("2"), QStringLiteral("--hidden"), QStringLiteral("64"), QStringLiteral("--heads"),
        QStringLiteral("4"), QStringLiteral("--intermediate"), QStringLiteral("128"),
        QStringLiteral("--max-seq-length"), QStringLiteral("32") };
    const QList<QPair<QString, QStringList>> models = {
        { QStringLiteral("mean-normalize"), {} },
        { QStringLiteral("cls-raw"),
            { QStringLiteral("--pooling"), QStringLiteral("cls"), QStringLiteral("--no-normalize") } },
        { QStringLiteral("dense"), { QStringLiteral("--dense"), QStringLiteral("16") } },
    };
    RUN_OK(python(),
        QStringList({ kFolderMaker, QStringLiteral("make-folder"), QStringLiteral("--out"),
            m_scratch.filePath(QStringLiteral("spread-cls")), QStringLiteral("--arch"),
            QStringLiteral("bert"), QStringLiteral("--vocab-file"), kVocab, QStringLiteral("--pooling"),
            QStringLiteral("cls"), QStringLiteral("--max-seq-length"), QStringLiteral("32"),
            QStringLiteral("--seed"), QStringLiteral("3") }));
    for (const auto &[name, extra] : models)
        RUN_OK(kCli,
            QStringList({ QStringLiteral("create"), QStringLiteral("--out"), m_scratch.filePath(name) })
                + tiny + extra);

    const QList<GeneratedPair> pairs = generatePairs(40);
    QVERIFY(writePairs(m_scratch.filePath(QStringLiteral("pairs.jsonl")), pairs, false, false));
    QVERIFY(writePairs(m_scratch.filePath(QStringLiteral("negatives.jsonl")), pairs, true, false));
    QVERIFY(writePairs(m_scratch.filePath(QStringLiteral("scores.jsonl")), pairs, false, true));
    QVERIFY(
        writePairs(m_scratch.filePath(QStringLiteral("padtoken.jsonl")), withPadTokens(pairs), false, false));
}

void TestOneStep::stepMatchesReference_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("data");
    QTest::addColumn<QString>("loss");
    QTest::addColumn<QString>("similarity");
    QTest::addColumn<double>("scale");
    QTest::addColumn<double>("lr");
    QTest::addColumn<double>("weightDecay");
    QTest::addColumn<double>("maxGradNorm");
    QTest::addColumn<int>("clip");
    QTest::addColumn<int>("warmup");

    const QString mean = QStringLiteral("mean-normalize");
    const QString cls = QStringLiteral("cls-raw");
    const QString dense = QStringLiteral("dense");
    const QString spread = QStringLiteral("spread-cls");
    const QString pairs = QStringLiteral("pairs.jsonl");
    const QString negatives = QStringLiteral("negatives.jsonl");
    const QString scores = QStringLiteral("scores.jsonl");
    const QString mnrl = QStringLiteral("mnrl");
    const QString dot = QStringLiteral("dot");
    const QString cos = QStringLiteral("cos");
    const int any = -1;

    // The recipe: MNRL, dot product, scale 1, lr 2e-5, weight decay 0.01, clip at 1.
    QTest::newRow("recipe mnrl dot 1")
        << mean << pairs << mnrl << dot << 1.0 << 2e-5 << 0.01 << 1.0 << any << 0;
    QTest::newRow("mnrl cos 20") << mean << pairs << mnrl << cos << 20.0 << 2e-5 << 0.01 << 1.0 << any << 0;
    QTest::newRow("mnrl hard negatives")
        << mean << negatives << mnrl << cos << 20.0 << 2e-5 << 0.01 << 1.0 << any << 0;
    QTest::newRow("mnrl cls unnormalized")
        << spread << negatives << mnrl << dot << 1.0 << 2e-5 << 0.01 << 1.0 << any << 0;
    // The created cls model: a fresh model's CLS vectors are nearly identical (the loss is ~ln 16), so the
    // gradient is a small difference of large vectors and float32 cancellation dominates it (PyTorch
    // float32 is off by a few % of that gradient as well): held to the float32 yardstick.
    QTest::newRow("mnrl cls created")
        << cls << negatives << mnrl << dot << 1.0 << 2e-5 << 0.01 << 1.0 << any << 0;
    QTest::newRow("mnrl_symmetric") << mean << pairs << QStringLiteral("mnrl_symmetric") << cos << 20.0
                                    << 2e-5 << 0.01 << 1.0 << any << 0;
    QTest::newRow("mnrl dense") << dense << negatives << mnrl << cos << 20.0 << 2e-5 << 0.01 << 1.0 << any
                                << 0;
    QTest::newRow("cosine scores") << mean << scores << QStringLiteral("cosine") << cos << 1.0 << 2e-5 << 0.01
                                   << 1.0 << any << 0;
    QTest::newRow("cosent scores") << dense << scores << QStringLiteral("cosent") << cos << 20.0 << 2e-5
                                   << 0.01 << 1.0 << any << 0;
    // Clipping: a bound below the raw norm (coefficient < 1), far above it (coefficient clamped to 1),
    // and off.
    QTest::newRow("clip active") << mean << pairs << mnrl << cos << 20.0 << 2e-5 << 0.01 << 0.5
                                 << int(Clip::Active) << 0;
    QTest::newRow("clip inactive") << mean << pairs << mnrl << cos << 20.0 << 2e-5 << 0.01 << 1000.0
                                   << int(Clip::Inactive) << 0;
    QTest::newRow("clip off") << mean << pairs << mnrl << cos << 20.0 << 2e-5 << 0.01 << 0.0 << int(Clip::Off)
                              << 0;
    QTest::newRow("pad token in text")
        << mean << QStringLiteral("padtoken.jsonl") << mnrl << cos << 20.0 << 2e-5 << 0.01 << 1.0 << any << 0;
    // Weight decay on and off with a learning rate large enough that lr * wd * |w| is many float32 ulps
    // of w (at the recipe's lr 2e-5 it is about one ulp and could not be told apart from rounding).
    QTest::newRow("decay 0.01 lr 1e-3")
        << dense << pairs << mnrl << cos << 20.0 << 1e-3 << 0.01 << 1.0 << any << 0;
    // Warm-up: LambdaLR applies lr * 0/W at the first step, so the weights stay exactly as they were while
    // AdamW's moments (and its step count) still advance.
    QTest::newRow("warmup 10") << mean << pairs << mnrl << cos << 20.0 << 2e-5 << 0.01 << 1.0 << any << 10;
    QTest::newRow("decay 0 lr 1e-3") << dense << pairs << mnrl << cos << 20.0 << 1e-3 << 0.0 << 1.0 << any
                                     << 0;
}

void TestOneStep::stepMatchesReference()
{
    QFETCH(QString, model);
    QFETCH(QString, data);
    QFETCH(QString, loss);
    QFETCH(QString, similarity);
    QFETCH(double, scale);
    QFETCH(double, lr);
    QFETCH(double, weightDecay);
    QFETCH(double, maxGradNorm);
    QFETCH(int, clip);
    QFETCH(int, warmup);

    const QString tag
        = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    const QString base = m_scratch.filePath(model);
    const QString runDir = m_scratch.filePath(QStringLiteral("run-") + tag);
    const QString dump = m_scratch.filePath(QStringLiteral("dump-") + tag);
    const QString reportPath = m_scratch.filePath(QStringLiteral("report-") + tag + QStringLiteral(".json"));
    const QString number = QStringLiteral("%1");
    const QStringList common = { QStringLiteral("--loss"), loss, QStringLiteral("--similarity"), similarity,
        QStringLiteral("--scale"), number.arg(scale, 0, 'g', 17), QStringLiteral("--lr"),
        number.arg(lr, 0, 'g', 17), QStringLiteral("--weight-decay"), number.arg(weightDecay, 0, 'g', 17),
        QStringLiteral("--max-grad-norm"), number.arg(maxGradNorm, 0, 'g', 17) };
    RUN_OK(kCli,
        QStringList({ QStringLiteral("train"), QStringLiteral("--data"), m_scratch.filePath(data),
            QStringLiteral("--base"), base, QStringLiteral("--out"), runDir, QStringLiteral("--max-steps"),
            QStringLiteral("1"), QStringLiteral("--warmup-steps"), QString::number(warmup),
            QStringLiteral("--batch-size"), QStringLiteral("16"), QStringLiteral("--no-dropout"),
            QStringLiteral("--fp32"), QStringLiteral("--threads"), QStringLiteral("1"),
            QStringLiteral("--quiet"), QStringLiteral("--debug-dump"), dump })
            + common);
    RUN_OK(python(),
        QStringList({ kReference, QStringLiteral("--model"), base, QStringLiteral("--dump"), dump,
            QStringLiteral("--run"), runDir, QStringLiteral("--warmup-steps"), QString::number(warmup),
            QStringLiteral("--total-steps"), QStringLiteral("1"), QStringLiteral("--report"), reportPath })
            + common);

    QFile file(reportPath);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonObject r = QJsonDocument::fromJson(file.readAll()).object();
    QVERIFY2(!r.isEmpty(), "the reference wrote no report");
    const auto num = [&](const char *key) { return r.value(QLatin1String(key)).toDouble(-1.0); };
    const auto sub = [&](const char *key, const char *field) {
        return r.value(QLatin1String(key)).toObject().value(QLatin1String(field)).toDouble(-1.0);
    };
    const auto where = [&](const char *key, const char *field) {
        return r.value(QLatin1String(key)).toObject().value(QLatin1String(field)).toString();
    };

    const auto str = [&](const char *key) { return r.value(QLatin1String(key)).toString(); };
    // The relative gradient bound: 1e-4, or 10x PyTorch float32's own error on this batch if larger.
    const double relTolerance
        = std::max(kRelativeGradTolerance, kFloat32Factor * sub("float32_grads_raw", "max_rel"));
    const double count = num("weights_count");
    const double ill = num("weights_ill_conditioned");

    qInfo("%s: loss %.9g (ref %.9g, diff %.3g) | raw grad norm %.6g, grads max abs %.3g at %s, max rel %.3g "
          "(torch float32 %.3g) | clipped %.3g | weights %.3g at %s, well-conditioned %.3g, %.0f of %.0f "
          "ill-conditioned, excess %.3g (update ~%.3g) | optimizer alone %.3g ulps at %s",
        qPrintable(tag), num("loss_cli"), num("loss_ref"), num("loss_abs_diff"), num("grad_norm_ref"),
        sub("grads_raw", "max_abs"), qPrintable(where("grads_raw", "max_abs_at")),
        sub("grads_raw", "max_rel"), sub("float32_grads_raw", "max_rel"), sub("grads_clipped", "max_abs"),
        sub("weights", "max_abs"), qPrintable(where("weights", "max_abs_at")),
        num("weights_well_conditioned_max_abs"), ill, count, num("weights_excess_over_bound"),
        num("weight_update_ref_max"), num("optimizer_max_err_ulps"), qPrintable(str("optimizer_max_err_at")));
    m_summaries.append({ tag, num("loss_abs_diff"), sub("grads_raw", "max_abs"), sub("grads_raw", "max_rel"),
        sub("float32_grads_raw", "max_rel"), sub("grads_clipped", "max_abs"), sub("weights", "max_abs"),
        num("weights_well_conditioned_max_abs"), ill, num("optimizer_max_err_ulps"), num("grad_norm_ref") });

    // The reference saw the batch Pairtune trained on and the same set of trainable tensors.
    QCOMPARE(r.value(QLatin1String("batch_size")).toInt(), 16);
    QCOMPARE(r.value(QLatin1String("columns")).toInt(),
        data == QLatin1String("negatives.jsonl") && loss.startsWith(QLatin1String("mnrl")) ? 3 : 2);
    QVERIFY2(r.value(QLatin1String("grad_missing_in_cli")).toArray().isEmpty(),
        qPrintable(QJsonDocument(r.value(QLatin1String("grad_missing_in_cli")).toArray()).toJson()));
    QVERIFY2(r.value(QLatin1String("grad_extra_in_cli")).toArray().isEmpty(),
        qPrintable(QJsonDocument(r.value(QLatin1String("grad_extra_in_cli")).toArray()).toJson()));
    QVERIFY(r.value(QLatin1String("grad_names")).toInt() > 30);
    for (const QJsonValue &length : r.value(QLatin1String("column_lengths")).toArray())
        QVERIFY2(length.toInt() >= 3 && length.toInt() <= 32, "a column is not cut to max_seq_length 32");
    QCOMPARE(num("base_matches_reference_load"), 0.0);

    // Loss and gradients.
    QVERIFY2(num("loss_abs_diff") <= kTolerance, qPrintable(QString::number(num("loss_abs_diff"))));
    QVERIFY(num("loss_ref") > 0.0);
    QVERIFY2(sub("grads_raw", "max_abs") <= kTolerance, qPrintable(where("grads_raw", "max_abs_at")));
    QVERIFY2(sub("grads_raw", "max_rel") <= relTolerance, qPrintable(where("grads_raw", "max_rel_at")));
    QVERIFY(sub("grads_raw", "max_ref") > 0.0);
    QVERIFY2(sub("grads_clipped", "max_abs") <= kTolerance, qPrintable(where("grads_clipped", "max_abs_at")));
    QVERIFY2(
        sub("grads_clipped", "max_rel") <= relTolerance, qPrintable(where("grads_clipped", "max_rel_at")));

    // Clipping: the coefficient max_norm / (norm + 1e-6), clamped to 1.
    const double norm = num("grad_norm_ref");
    const double coefRef = num("clip_coefficient_ref");
    const double coefCli = num("clip_coefficient_cli");
    QVERIFY2(std::abs(coefCli - coefRef) <= 1e-5 * coefRef,
        qPrintable(QStringLiteral("clip coefficient %1 vs reference %2").arg(coefCli).arg(coefRef)));
    if (clip == int(Clip::Active)) {
        QVERIFY2(norm > 2 * maxGradNorm,
            qPrintable(QStringLiteral("raw norm %1 does not exceed the bound").arg(norm)));
        QVERIFY(coefRef < 0.5);
    } else if (clip == int(Clip::Inactive)) {
        QVERIFY2(
            norm < maxGradNorm, qPrintable(QStringLiteral("raw norm %1 is not below the bound").arg(norm)));
        QCOMPARE(coefRef, 1.0);
    }
    if (clip == int(Clip::Inactive) || clip == int(Clip::Off))
        QCOMPARE(sub("grads_clipped", "max_abs"), sub("grads_raw", "max_abs"));

    // The AdamW step: end to end, and the optimizer alone.
    const double lrUsed = warmup > 0 ? 0.0 : lr; // one step in all: T = 1, lambda(0) = 0 / W
    QCOMPARE(num("lr_used"), lrUsed);
    QVERIFY2(num("weights_well_conditioned_max_abs") <= kTolerance,
        qPrintable(str("weights_well_conditioned_at")));
    QVERIFY2(num("weights_excess_over_bound") <= kTolerance, qPrintable(str("weights_excess_at")));
    QVERIFY2(count > 2e6 && ill <= kIllConditionedShare * count,
        qPrintable(QStringLiteral("%1 of %2 elements ill-conditioned").arg(ill).arg(count)));
    QVERIFY2(num("optimizer_max_err_ulps") <= kOptimizerUlps,
        qPrintable(QStringLiteral("%1 ulps at %2")
                       .arg(num("optimizer_max_err_ulps"))
                       .arg(str("optimizer_max_err_at"))));
    if (lrUsed > 0)
        QVERIFY(num("optimizer_update_max") > 0.5 * lr);
    else
        QCOMPARE(sub("weights", "max_abs"), 0.0);
    QVERIFY2(sub("exp_avg", "max_rel") <= relTolerance, qPrintable(where("exp_avg", "max_rel_at")));
    QVERIFY2(sub("exp_avg_sq", "max_rel") <= 2 * relTolerance, qPrintable(where("exp_avg_sq", "max_rel_at")));
    QVERIFY2(
        sub("optimizer_exp_avg", "max_rel") <= 1e-6, qPrintable(where("optimizer_exp_avg", "max_rel_at")));
    QVERIFY2(sub("optimizer_exp_avg_sq", "max_rel") <= 1e-6,
        qPrintable(where("optimizer_exp_avg_sq", "max_rel_at")));
    // Elements with a zero gradient move by exactly lr * wd * w: nothing without decay.
    if (weightDecay == 0.0)
        QCOMPARE(num("decay_only_update_max"), 0.0);
    else if (lrUsed >= 1e-3)
        QVERIFY(num("decay_only_update_max") > 0.0);

    // Parameters no path from the loss reaches (BERT's pooler) get no gradient and no update at all.
    const QJsonArray untouched = r.value(QLatin1String("untouched")).toArray();
    QVERIFY2(untouched.contains(QStringLiteral("pooler.dense.weight")),
        qPrintable(QJsonDocument(untouched).toJson(QJsonDocument::Compact)));
    QVERIFY2(r.value(QLatin1String("untouched_changed")).toArray().isEmpty(),
        qPrintable(QJsonDocument(r.value(QLatin1String("untouched_changed")).toArray())
                       .toJson(QJsonDocument::Compact)));
}

void TestOneStep::cleanupTestCase()
{
    if (m_summaries.isEmpty())
        return;
    qInfo("%-24s %9s %9s %9s %9s %9s %9s %9s %6s %8s %9s", "case", "loss", "grad abs", "grad rel", "f32 rel",
        "clipped", "weights", "well-cond", "ill", "opt ulps", "raw norm");
    for (const CaseSummary &s : m_summaries)
        qInfo("%-24s %9.3g %9.3g %9.3g %9.3g %9.3g %9.3g %9.3g %6.0f %8.3g %9.4g", qPrintable(s.name), s.loss,
            s.grads, s.gradsRel, s.float32Rel, s.clipped, s.weights, s.wellConditioned, s.illConditioned,
            s.optimizerUlps, s.norm);
}

QTEST_GUILESS_MAIN(TestOneStep)
#include "tst_onestep.moc"
