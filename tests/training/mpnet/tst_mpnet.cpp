// MPNet end to end, as a user drives it: `pairtune-cli` reads an MPNet folder in all-mpnet-base-v2's layout
// (tests/data/mpnet/tiny-mpnet and variants written by tests/interop/reference.py make-mpnet-folder),
// embeds it as the independent reference does (reference.py's MPNetEncoder, written from transformers'
// modeling_mpnet.py: relative position bias, padding_idx-1 positions, no token types), takes one
// training step as reference_train.py redoes it in float64, trains and evaluates a small run, and
// exports a folder that reloads to the same embeddings.

#include "../../common/npyfile.h"
#include "../../common/processrun.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>

namespace {

// Issue 13's bounds: embeddings within 5e-6 of the reference, one training step within 1e-5.
constexpr double kEmbeddingTolerance = 5e-6;
constexpr double kStepTolerance = 1e-5;
// As tst_onestep: gradients also within 1e-4 of each tensor's largest reference gradient (or 10x what
// PyTorch float32 itself reaches on the batch), few ill-conditioned AdamW elements, and the optimizer
// fed Pairtune's gradients within a few float32 ulps.
constexpr double kRelativeGradTolerance = 1e-4;
constexpr double kFloat32Factor = 10.0;
constexpr double kIllConditionedShare = 1e-3;
constexpr double kOptimizerUlps = 4.0;

const QString kFixture = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/mpnet/tiny-mpnet");
const QString kSentences = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/interop/sentences.txt");
const QString kVocab = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt");
const QString kReference = QStringLiteral(PAIRTUNE_INTEROP_REFERENCE);
const QString kTrainReference = QStringLiteral(PAIRTUNE_TRAIN_REFERENCE);
const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);

QString python()
{
    const QString fromEnv = qEnvironmentVariable("PAIRTUNE_PYTHON");
    return fromEnv.isEmpty() ? QStringLiteral("/usr/bin/python3") : fromEnv;
}

using pairtune::testnpy::Npy;
using pairtune::testnpy::readNpy;
using pairtune::testrun::run;
using pairtune::testrun::RunResult;

QStringList args(const char *text)
{
    return QString::fromUtf8(text).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

QJsonObject readJsonObject(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// Largest |a - b| over two embedding files of the same shape (infinity for NaN or a shape mismatch).
double maxDifference(const Npy &a, const Npy &b)
{
    if (a.rows != b.rows || a.cols != b.cols)
        return INFINITY;
    double worst = 0;
    for (std::size_t k = 0; k < a.values.size(); ++k) {
        const double d = std::abs(double(a.values[k]) - double(b.values[k]));
        worst = std::isnan(d) ? INFINITY : std::max(worst, d);
    }
    return worst;
}

// Pairs of distinct texts with varied lengths, for training and evaluation.
QByteArray pairsJsonl(int count)
{
    const QStringList nouns = { "harbour", "market", "bridge", "library", "garden", "station", "castle",
        "river", "museum", "café", "forest", "tower", "valley", "school", "theatre", "island", "village" };
    const QStringList places = { "lisbon", "kraków", "oslo", "quebec", "nairobi", "lima", "hanoi", "perth",
        "tromsø", "cusco", "dakar", "porto", "zürich", "malmö", "bergen", "sevilla", "accra", "riga" };
    QByteArray out;
    for (int i = 0; i < count; ++i) {
        const QString noun = nouns[i % nouns.size()];
        const QString place = places[(i * 7 + 3) % places.size()];
        QString anchor = QStringLiteral("Where is the %1 of %2? (%3)").arg(noun, place).arg(i);
        QString positive = QStringLiteral("The %1 of %2 opens early and is worth the trip.").arg(noun, place);
        if (i % 3 == 0)
            positive
                += QStringLiteral(" Every morning it is full of people, bikes, dogs, music and noise until "
                                  "late at night, number %1.")
                       .arg(i);
        const QString negative
            = QStringLiteral("A %1 in %2 (%3).")
                  .arg(nouns[(i * 5 + 1) % nouns.size()], places[(i * 3 + 5) % places.size()])
                  .arg(i * 13 % 97);
        out += QJsonDocument(
                   QJsonObject { { QStringLiteral("anchor"), anchor },
                       { QStringLiteral("positive"), positive }, { QStringLiteral("negative"), negative } })
                   .toJson(QJsonDocument::Compact)
            + '\n';
    }
    return out;
}

} // namespace

class TestMPNet : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void embeddingsAgree_data();
    void embeddingsAgree();
    void oneStepMatchesReference_data();
    void oneStepMatchesReference();
    void trainEvaluateExportReload();

private:
    // Tokenizes m_texts with the CLI and embeds them on both sides; returns (ours, reference).
    QPair<Npy, Npy> embedBothSides(const QString &model, const QString &tag);

    QTemporaryDir m_scratch;
    QString m_texts; // interop sentences plus texts of 150 to 600 words (truncated at max_seq_length)
};

void TestMPNet::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    if (qEnvironmentVariableIntValue("PAIRTUNE_KEEP_MPNET")) {
        m_scratch.setAutoRemove(false);
        qInfo("keeping the scratch files in %s", qPrintable(m_scratch.path()));
    }
    const RunResult probe = run(python(), { QStringLiteral("-c"), QStringLiteral("import torch, numpy") });
    if (probe.code != 0)
        QSKIP(qPrintable(python()
            + QStringLiteral(
                " cannot import torch and numpy (install python3-torch and python3-numpy, or set "
                "PAIRTUNE_PYTHON): ")
            + QString::fromUtf8(probe.err.trimmed().right(300))));
    QVERIFY(QFileInfo::exists(kCli));
    QVERIFY(QFileInfo::exists(kFixture + QStringLiteral("/model.safetensors")));

    // Long texts take the relative position buckets through their logarithmic range and past
    // max_distance 128, where they clamp.
    QFile sentences(kSentences);
    QVERIFY(sentences.open(QIODevice::ReadOnly));
    QByteArray texts = sentences.readAll();
    const QByteArray words = "the city of a river and the people who live there in the summer of their time ";
    for (int repeat : { 10, 20, 40 })
        texts += words.repeated(repeat).trimmed() + '\n';
    m_texts = m_scratch.filePath(QStringLiteral("texts.txt"));
    QFile out(m_texts);
    QVERIFY(out.open(QIODevice::WriteOnly));
    out.write(texts);
    out.close();

    QFile pairs(m_scratch.filePath(QStringLiteral("pairs.jsonl")));
    QVERIFY(pairs.open(QIODevice::WriteOnly));
    pairs.write(pairsJsonl(48));
}

QPair<Npy, Npy> TestMPNet::embedBothSides(const QString &model, const QString &tag)
{
    const QString ids = m_scratch.filePath(tag + QStringLiteral("-ids.jsonl"));
    const QString ours = m_scratch.filePath(tag + QStringLiteral("-ours.npy"));
    const QString reference = m_scratch.filePath(tag + QStringLiteral("-reference.npy"));
    const QStringList tokenize = { QStringLiteral("tokenize"), QStringLiteral("--model"), model,
        QStringLiteral("--input"), m_texts, QStringLiteral("--output"), ids };
    const QStringList embed
        = { QStringLiteral("embed"), QStringLiteral("--model"), model, QStringLiteral("--input"), m_texts,
              QStringLiteral("--output"), ours, QStringLiteral("--batch-size"), QStringLiteral("7") };
    // The reference pads batches of 5 in input order, embed sorts by length into batches of 7: padding
    // must change nothing.
    const QStringList referenceArgs = { kReference, QStringLiteral("embed"), QStringLiteral("--model"), model,
        QStringLiteral("--ids"), ids, QStringLiteral("--output"), reference, QStringLiteral("--batch-size"),
        QStringLiteral("5") };
    for (const auto &[program, arguments] :
        { qMakePair(kCli, tokenize), qMakePair(kCli, embed), qMakePair(python(), referenceArgs) }) {
        const RunResult r = run(program, arguments);
        if (r.code != 0) {
            Npy failed;
            failed.error = r.describe(program, arguments);
            return { failed, failed };
        }
    }
    // Every text is framed by MPNet's <s> (0) and </s> (2), as its TemplateProcessing post-processor says.
    QFile idsFile(ids);
    if (idsFile.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : idsFile.readAll().trimmed().split('\n')) {
            const QJsonArray row
                = QJsonDocument::fromJson(line).object().value(QLatin1String("input_ids")).toArray();
            if (row.isEmpty() || row.first().toInt() != 0 || row.last().toInt() != 2) {
                Npy failed;
                failed.error
                    = QStringLiteral("not framed by <s> ... </s>: ") + QString::fromUtf8(line.left(200));
                return { failed, failed };
            }
        }
    }
    return { readNpy(ours), readNpy(reference) };
}

void TestMPNet::embeddingsAgree_data()
{
    QTest::addColumn<QStringList>("makeArgs"); // empty: the committed fixture
    QTest::addColumn<int>("dim");
    QTest::addColumn<bool>("normalized");

    QTest::newRow("fixture mean normalize (all-mpnet-base-v2 layout)") << QStringList() << 32 << true;
    // MPNetForMaskedLM's "mpnet." key prefix, F16 weights, and a 64-row bias table of which MPNet still
    // looks up only the first 32 buckets (compute_position_bias' default num_buckets).
    QTest::newRow("mpnet.-prefix F16 cls 64-bucket table")
        << args("--prefix mpnet. --dtype F16 --pooling cls --buckets 64 --max-seq-length 200 --seed 5") << 32
        << false;
    QTest::newRow("3 layers 6 heads gelu_new max") << args(
        "--layers 3 --hidden 48 --heads 6 --intermediate 96 --hidden-act gelu_new --pooling max "
        "--max-seq-length 160 --seed 6") << 48 << false;
}

void TestMPNet::embeddingsAgree()
{
    QFETCH(QStringList, makeArgs);
    QFETCH(int, dim);
    QFETCH(bool, normalized);

    const QString tag = QString::fromLatin1(QTest::currentDataTag()).section(QLatin1Char(' '), 0, 0);
    QString model = kFixture;
    if (!makeArgs.isEmpty()) {
        model = m_scratch.filePath(QStringLiteral("made-") + tag);
        RUN_OK(python(),
            QStringList({ kReference, QStringLiteral("make-mpnet-folder"), QStringLiteral("--out"), model,
                QStringLiteral("--vocab-file"), kVocab, QStringLiteral("--words"), QStringLiteral("1000") })
                + makeArgs);
    }
    const auto [ours, reference] = embedBothSides(model, tag);
    QVERIFY2(ours.error.isEmpty(), qPrintable(ours.error));
    QVERIFY2(reference.error.isEmpty(), qPrintable(reference.error));
    QCOMPARE(ours.cols, qsizetype(dim));
    QVERIFY(ours.rows > 40);
    const double diff = maxDifference(ours, reference);
    qInfo("%s: max abs diff %.3g over %lld texts", QTest::currentDataTag(), diff, qlonglong(ours.rows));
    QVERIFY2(diff <= kEmbeddingTolerance, qPrintable(QStringLiteral("max abs diff %1").arg(diff)));

    // Not a degenerate model: texts get clearly different embeddings; normalized ones have unit norm.
    double spread = 0;
    for (qsizetype r = 1; r < ours.rows; ++r)
        for (qsizetype c = 0; c < ours.cols; ++c)
            spread = std::max(spread, double(std::abs(ours.at(r, c) - ours.at(0, c))));
    QVERIFY2(spread > 1e-2, qPrintable(QStringLiteral("spread %1").arg(spread)));
    if (normalized)
        for (qsizetype r = 0; r < ours.rows; ++r) {
            double norm = 0;
            for (qsizetype c = 0; c < ours.cols; ++c)
                norm += double(ours.at(r, c)) * ours.at(r, c);
            QVERIFY2(std::abs(std::sqrt(norm) - 1.0) < 1e-5, qPrintable(QString::number(std::sqrt(norm))));
        }
}

void TestMPNet::oneStepMatchesReference_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::newRow("mnrl cos 20") << args(
        "--loss mnrl --similarity cos --scale 20 --lr 2e-5 --weight-decay 0.01 --max-grad-norm 1");
    QTest::newRow("mnrl dot 1 lr 1e-3 clip 0.5")
        << args("--loss mnrl --similarity dot --scale 1 --lr 1e-3 --weight-decay 0.01 --max-grad-norm 0.5");
}

void TestMPNet::oneStepMatchesReference()
{
    QFETCH(QStringList, options);
    const QString tag
        = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    const QString runDir = m_scratch.filePath(QStringLiteral("step-run-") + tag);
    const QString dump = m_scratch.filePath(QStringLiteral("step-dump-") + tag);
    const QString reportPath
        = m_scratch.filePath(QStringLiteral("step-report-") + tag + QStringLiteral(".json"));
    RUN_OK(kCli,
        QStringList({ QStringLiteral("train"), QStringLiteral("--data"),
            m_scratch.filePath(QStringLiteral("pairs.jsonl")), QStringLiteral("--base"), kFixture,
            QStringLiteral("--out"), runDir, QStringLiteral("--max-steps"), QStringLiteral("1"),
            QStringLiteral("--warmup-steps"), QStringLiteral("0"), QStringLiteral("--batch-size"),
            QStringLiteral("16"), QStringLiteral("--no-dropout"), QStringLiteral("--threads"),
            QStringLiteral("1"), QStringLiteral("--quiet"), QStringLiteral("--debug-dump"), dump })
            + options);
    RUN_OK(python(),
        QStringList({ kTrainReference, QStringLiteral("--model"), kFixture, QStringLiteral("--dump"), dump,
            QStringLiteral("--run"), runDir, QStringLiteral("--warmup-steps"), QStringLiteral("0"),
            QStringLiteral("--total-steps"), QStringLiteral("1"), QStringLiteral("--report"), reportPath })
            + options);

    const QJsonObject r = readJsonObject(reportPath);
    QVERIFY2(!r.isEmpty(), "the reference wrote no report");
    const auto num = [&](const char *key) { return r.value(QLatin1String(key)).toDouble(-1.0); };
    const auto sub = [&](const char *key, const char *field) {
        return r.value(QLatin1String(key)).toObject().value(QLatin1String(field)).toDouble(-1.0);
    };
    const auto where = [&](const char *key, const char *field) {
        return r.value(QLatin1String(key)).toObject().value(QLatin1String(field)).toString();
    };
    qInfo("%s: loss %.9g (diff %.3g) | grads max abs %.3g at %s, max rel %.3g (torch float32 %.3g) | weights "
          "well-conditioned %.3g, excess %.3g, %.0f of %.0f ill-conditioned | optimizer %.3g ulps",
        qPrintable(tag), num("loss_ref"), num("loss_abs_diff"), sub("grads_raw", "max_abs"),
        qPrintable(where("grads_raw", "max_abs_at")), sub("grads_raw", "max_rel"),
        sub("float32_grads_raw", "max_rel"), num("weights_well_conditioned_max_abs"),
        num("weights_excess_over_bound"), num("weights_ill_conditioned"), num("weights_count"),
        num("optimizer_max_err_ulps"));

    QCOMPARE(r.value(QLatin1String("batch_size")).toInt(), 16);
    QCOMPARE(r.value(QLatin1String("columns")).toInt(), 3); // anchor, positive, hard negative
    QVERIFY(r.value(QLatin1String("grad_missing_in_cli")).toArray().isEmpty());
    QVERIFY(r.value(QLatin1String("grad_extra_in_cli")).toArray().isEmpty());
    QCOMPARE(num("base_matches_reference_load"), 0.0);
    // The relative position bias is trained: it has a gradient on both sides (not among the untouched).
    const QJsonArray untouched = r.value(QLatin1String("untouched")).toArray();
    QVERIFY(!untouched.contains(QStringLiteral("encoder.relative_attention_bias.weight")));
    QVERIFY(untouched.contains(QStringLiteral("pooler.dense.weight")));
    QVERIFY(r.value(QLatin1String("untouched_changed")).toArray().isEmpty());

    const double relTolerance
        = std::max(kRelativeGradTolerance, kFloat32Factor * sub("float32_grads_raw", "max_rel"));
    QVERIFY2(num("loss_abs_diff") <= kStepTolerance, qPrintable(QString::number(num("loss_abs_diff"))));
    QVERIFY2(sub("grads_raw", "max_abs") <= kStepTolerance, qPrintable(where("grads_raw", "max_abs_at")));
    QVERIFY2(sub("grads_raw", "max_rel") <= relTolerance, qPrintable(where("grads_raw", "max_rel_at")));
    QVERIFY(sub("grads_raw", "max_ref") > 0.0);
    QVERIFY2(
        sub("grads_clipped", "max_abs") <= kStepTolerance, qPrintable(where("grads_clipped", "max_abs_at")));
    QVERIFY2(std::abs(num("clip_coefficient_cli") - num("clip_coefficient_ref"))
            <= 1e-5 * num("clip_coefficient_ref"),
        "clip coefficients differ");
    QVERIFY2(num("weights_well_conditioned_max_abs") <= kStepTolerance,
        qPrintable(r.value(QLatin1String("weights_well_conditioned_at")).toString()));
    QVERIFY2(num("weights_excess_over_bound") <= kStepTolerance,
        qPrintable(r.value(QLatin1String("weights_excess_at")).toString()));
    QVERIFY(num("weights_ill_conditioned") <= kIllConditionedShare * num("weights_count"));
    QVERIFY2(num("optimizer_max_err_ulps") <= kOptimizerUlps,
        qPrintable(r.value(QLatin1String("optimizer_max_err_at")).toString()));
    QVERIFY(num("optimizer_update_max") > 0.0);
}

void TestMPNet::trainEvaluateExportReload()
{
    const QString pairs = m_scratch.filePath(QStringLiteral("pairs.jsonl"));
    const QString runDir = m_scratch.filePath(QStringLiteral("run"));
    const RunResult trained = run(kCli,
        { QStringLiteral("train"), QStringLiteral("--data"), pairs, QStringLiteral("--base"), kFixture,
            QStringLiteral("--out"), runDir, QStringLiteral("--epochs"), QStringLiteral("2"),
            QStringLiteral("--batch-size"), QStringLiteral("8"), QStringLiteral("--lr"),
            QStringLiteral("1e-3"), QStringLiteral("--warmup-steps"), QStringLiteral("2"),
            QStringLiteral("--similarity"), QStringLiteral("cos"), QStringLiteral("--scale"),
            QStringLiteral("20"), QStringLiteral("--threads"), QStringLiteral("2"), QStringLiteral("--quiet"),
            QStringLiteral("--json") });
    QVERIFY2(trained.code == 0, qPrintable(trained.describe(kCli, { QStringLiteral("train") })));
    const QJsonObject summary = QJsonDocument::fromJson(trained.out).object();
    QCOMPARE(summary.value(QLatin1String("status")).toString(), QStringLiteral("finished"));
    QVERIFY(summary.value(QLatin1String("steps")).toInt() >= 8); // 2 epochs of the 80 % training share
    qInfo("train: %d steps in %.1f s", summary.value(QLatin1String("steps")).toInt(),
        summary.value(QLatin1String("train_seconds")).toDouble());

    const QString exported = m_scratch.filePath(QStringLiteral("exported"));
    RUN_OK(kCli,
        QStringList({ QStringLiteral("export"), QStringLiteral("--run"), runDir,
            QStringLiteral("--checkpoint"), QStringLiteral("final"), QStringLiteral("--out"), exported }));

    // config.json as MPNetConfig.save_pretrained writes it for an MPNetModel.
    const QJsonObject config = readJsonObject(exported + QStringLiteral("/config.json"));
    QCOMPARE(config.value(QLatin1String("model_type")).toString(), QStringLiteral("mpnet"));
    QCOMPARE(
        config.value(QLatin1String("architectures")).toArray(), QJsonArray({ QStringLiteral("MPNetModel") }));
    QCOMPARE(config.value(QLatin1String("relative_attention_num_buckets")).toInt(), 32);
    QCOMPARE(config.value(QLatin1String("max_position_embeddings")).toInt(), 514);
    QCOMPARE(config.value(QLatin1String("pad_token_id")).toInt(), 1);
    QCOMPARE(config.value(QLatin1String("layer_norm_eps")).toDouble(), 1e-5);
    QVERIFY(!config.contains(QLatin1String("type_vocab_size")));
    QVERIFY(!config.contains(QLatin1String("position_embedding_type")));

    // The exported folder reloads: the CLI and the reference agree on it, and it is no longer the base.
    const auto [ours, reference] = embedBothSides(exported, QStringLiteral("exported"));
    QVERIFY2(ours.error.isEmpty(), qPrintable(ours.error));
    QVERIFY2(reference.error.isEmpty(), qPrintable(reference.error));
    const double diff = maxDifference(ours, reference);
    qInfo("exported: max abs diff to the reference %.3g", diff);
    QVERIFY2(diff <= kEmbeddingTolerance, qPrintable(QString::number(diff)));
    const Npy base = readNpy(m_scratch.filePath(QStringLiteral("fixture-ours.npy")));
    if (base.error.isEmpty())
        QVERIFY2(maxDifference(ours, base) > 1e-3, "training left the embeddings unchanged");

    // The run's final checkpoint and the export embed identically.
    const QString fromRun = m_scratch.filePath(QStringLiteral("final.npy"));
    const QString fromExport = m_scratch.filePath(QStringLiteral("exported-again.npy"));
    RUN_OK(kCli,
        QStringList({ QStringLiteral("embed"), QStringLiteral("--model"), runDir + QStringLiteral("/model"),
            QStringLiteral("--input"), m_texts, QStringLiteral("--output"), fromRun }));
    RUN_OK(kCli,
        QStringList({ QStringLiteral("embed"), QStringLiteral("--model"), exported, QStringLiteral("--input"),
            m_texts, QStringLiteral("--output"), fromExport }));
    QCOMPARE(maxDifference(readNpy(fromRun), readNpy(fromExport)), 0.0);

    // eval on the exported model.
    const RunResult evaluated = run(kCli,
        { QStringLiteral("eval"), QStringLiteral("--model"), exported, QStringLiteral("--data"), pairs,
            QStringLiteral("--json") });
    QVERIFY2(evaluated.code == 0, qPrintable(evaluated.describe(kCli, { QStringLiteral("eval") })));
    QVERIFY2(evaluated.out.contains("mrr@10"), evaluated.out.constData());
    qInfo("eval: %s", evaluated.out.simplified().left(300).constData());
}

QTEST_GUILESS_MAIN(TestMPNet)
#include "tst_mpnet.moc"
