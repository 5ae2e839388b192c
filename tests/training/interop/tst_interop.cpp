// Interop: pairtune-cli's embeddings against tests/interop/reference.py, an independent PyTorch
// implementation of docs/formats.md §1-3. Folders come from our own `create` and from the reference's
// `make-folder` (so the reader is tested on files we did not write), optionally rewritten by
// `mutate` (F16/BF16 weights, `bert.`/`roberta.` key prefixes, tensors a loader must ignore).
// Both sides embed the same token ids (`pairtune-cli tokenize`), so this checks the model, not the
// tokenizer; `embed` tokenizes on its own, so tokenize/embed disagreeing would show up here as well.

#include "npyfile.h"
#include "processrun.h"

#include <QtCore/QByteArray>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QRegularExpression>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <algorithm>
#include <cmath>

namespace {

constexpr double kTolerance = 5e-6;
const QString kSentences = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/interop/sentences.txt");
const QString kVocab = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt");
const QString kReference = QStringLiteral(PAIRTUNE_INTEROP_REFERENCE);
const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);

using pairtune::testnpy::Npy;
using pairtune::testnpy::readNpy;
using pairtune::testrun::python;
using pairtune::testrun::run;
using pairtune::testrun::RunResult;

QStringList substitute(QStringList args, const QString &spm)
{
    for (QString &arg : args) {
        arg.replace(QLatin1String("@VOCAB@"), kVocab);
        arg.replace(QLatin1String("@SPM@"), spm);
    }
    return args;
}

QStringList split(const QByteArray &args)
{
    return QString::fromUtf8(args).split(QLatin1Char(' '), Qt::SkipEmptyParts);
}

} // namespace

class TestInterop : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void referenceIsSelfConsistent();
    void toleranceIsMeaningful();
    void embeddingsAgree_data();
    void embeddingsAgree();
    void cleanupTestCase();

private:
    void prepareSentencePieceModel();

    QTemporaryDir m_scratch;
    QString m_spm; // a trained sentencepiece model, empty when none could be made
    QString m_spmSkipReason; // why not
    QList<QPair<QString, QPair<double, double>>> m_diffs; // case, (absolute, scaled) max diff
};

void TestInterop::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    const QString missing = pairtune::testrun::torchMissing();
    if (!missing.isEmpty())
        QSKIP(qPrintable(missing));
    QVERIFY(QFileInfo::exists(kReference));
    QVERIFY(QFileInfo::exists(kSentences));
    prepareSentencePieceModel();
    if (m_spm.isEmpty())
        qInfo("XLM-R cases will be skipped: %s", qPrintable(m_spmSkipReason));
}

// A 500-piece model trained on the sentences plus words of the BERT vocabulary. Preference: our own
// `pairtune-cli train-spm`, then Debian's python3-sentencepiece.
void TestInterop::prepareSentencePieceModel()
{
    const QString corpusPath = m_scratch.filePath(QStringLiteral("spm-corpus.txt"));
    {
        QFile vocab(kVocab);
        QVERIFY(vocab.open(QIODevice::ReadOnly));
        QStringList words;
        for (const QByteArray &line : vocab.readAll().split('\n')) {
            const QString word = QString::fromUtf8(line.trimmed());
            if (word.size() > 1 && !word.startsWith(QLatin1Char('['))
                && !word.startsWith(QLatin1String("##")))
                words << word;
        }
        QFile sentences(kSentences);
        QVERIFY(sentences.open(QIODevice::ReadOnly));
        QByteArray corpus = sentences.readAll();
        for (qsizetype i = 0; i < words.size(); i += 12)
            corpus += words.mid(i, 12).join(QLatin1Char(' ')).toUtf8() + '\n';
        QFile out(corpusPath);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(corpus);
    }
    const QString model = m_scratch.filePath(QStringLiteral("spm500.model"));
    // `--help` after an unknown word prints the main help and exits 0, so look for the command in the list.
    const RunResult help = run(kCli, { QStringLiteral("--help") });
    const QRegularExpression listed(QStringLiteral("^\\s+train-spm\\s"), QRegularExpression::MultilineOption);
    if (help.code == 0 && QString::fromUtf8(help.out).contains(listed)) {
        const QStringList args { QStringLiteral("train-spm"), QStringLiteral("--input"), corpusPath,
            QStringLiteral("--output"), model, QStringLiteral("--vocab-size"), QStringLiteral("500") };
        const RunResult r = run(kCli, args);
        QVERIFY2(r.code == 0, qPrintable(r.describe(kCli, args)));
        QVERIFY2(QFileInfo::exists(model), qPrintable(QStringLiteral("train-spm wrote no ") + model));
        m_spm = model;
        qInfo("sentencepiece model from pairtune-cli train-spm");
        return;
    }
    if (run(python(), { QStringLiteral("-c"), QStringLiteral("import sentencepiece") }).code == 0) {
        const QString prefix = m_scratch.filePath(QStringLiteral("spm500"));
        const QString script = QStringLiteral("import sentencepiece as s, sys; s.SentencePieceTrainer.train("
                                              "input=sys.argv[1], model_prefix=sys.argv[2], vocab_size=500, "
                                              "model_type='unigram', character_coverage=1.0)");
        const QStringList args { QStringLiteral("-c"), script, corpusPath, prefix };
        const RunResult r = run(python(), args);
        QVERIFY2(r.code == 0, qPrintable(r.describe(python(), args)));
        m_spm = model;
        qInfo("sentencepiece model from python3-sentencepiece");
        return;
    }
    m_spmSkipReason = QStringLiteral("no sentencepiece trainer: pairtune-cli has no train-spm command and ")
        + python() + QStringLiteral(" cannot import sentencepiece (python3-sentencepiece)");
}

void TestInterop::referenceIsSelfConsistent()
{
    // The reference's batched, padded forward against a second, naive numpy forward; the safetensors
    // writer/reader round trip; hand-written ops against torch's.
    const QStringList args { kReference, QStringLiteral("selfcheck"), QStringLiteral("--vocab-file"),
        kVocab };
    const RunResult r = run(python(), args);
    QVERIFY2(r.code == 0, qPrintable(r.describe(python(), args) + QString::fromUtf8(r.out)));
    QVERIFY(r.out.contains("selfcheck: all ok"));
}

void TestInterop::toleranceIsMeaningful()
{
    // 5e-6 must be far below the effect of the mistakes this suite is meant to catch: reading F16 weights as
    // if they were rounded differently, or a position off by one. F32 vs F16 of the same weights must
    // differ by more than ten times the tolerance.
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString f32 = dir.filePath(QStringLiteral("f32"));
    const QString f16 = dir.filePath(QStringLiteral("f16"));
    RUN_OK(python(),
        (QStringList { kReference, QStringLiteral("make-folder"), QStringLiteral("--out"), f32,
            QStringLiteral("--vocab-file"), kVocab, QStringLiteral("--normalize") }));
    RUN_OK(python(),
        (QStringList { kReference, QStringLiteral("mutate"), QStringLiteral("--in"), f32,
            QStringLiteral("--out"), f16, QStringLiteral("--dtype"), QStringLiteral("F16") }));
    const QString ids = dir.filePath(QStringLiteral("ids.jsonl"));
    {
        QFile file(ids);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"input_ids\":[101,7592,2088,102]}\n{\"input_ids\":[101,1037,4937,2938,2006,1996,13523,"
                   "1012,102]}\n");
    }
    Npy embeddings[2];
    for (int i = 0; i < 2; ++i) {
        const QString out = dir.filePath(QStringLiteral("e%1.npy").arg(i));
        RUN_OK(python(),
            (QStringList { kReference, QStringLiteral("embed"), QStringLiteral("--model"), i ? f16 : f32,
                QStringLiteral("--ids"), ids, QStringLiteral("--output"), out }));
        embeddings[i] = readNpy(out);
        QVERIFY2(embeddings[i].error.isEmpty(), qPrintable(embeddings[i].error));
        QCOMPARE(embeddings[i].rows, 2);
        QCOMPARE(embeddings[i].cols, 64);
    }
    double diff = 0;
    for (std::size_t k = 0; k < embeddings[0].values.size(); ++k)
        diff = std::max(diff, double(std::abs(embeddings[0].values[k] - embeddings[1].values[k])));
    qInfo("F32 vs F16 weights: max abs diff %.3g", diff);
    QVERIFY(diff > 10 * kTolerance);
}

void TestInterop::embeddingsAgree_data()
{
    QTest::addColumn<QString>("source"); // "cli": pairtune-cli create; "python": reference.py make-folder
    QTest::addColumn<QStringList>("makeArgs");
    QTest::addColumn<QStringList>("mutateArgs"); // empty: no mutate step
    QTest::addColumn<int>("maxSeqLength");
    QTest::addColumn<int>("dim");
    QTest::addColumn<bool>("normalized");
    // Unbounded outputs (mean_sqrt_len_tokens grows like sqrt(tokens), here up to ~25) are compared with the
    // tolerance scaled by max(1, largest |value| of the reference row): float32 itself cannot hold 5e-6
    // absolute at that size (the reference computed in float32 is itself up to 5.7e-6 off its float64
    // result).
    QTest::addColumn<bool>("scaledTolerance");

    const auto cli = [](const char *tag, const QByteArray &args, int maxSeq, int dim, bool norm,
                         const QByteArray &mutate = {}, bool scaled = false) {
        QTest::newRow(tag) << QStringLiteral("cli") << split(args) << split(mutate) << maxSeq << dim << norm
                           << scaled;
    };
    const auto py = [](const char *tag, const QByteArray &args, int maxSeq, int dim, bool norm,
                        const QByteArray &mutate = {}, bool scaled = false) {
        QTest::newRow(tag) << QStringLiteral("python") << split(args) << split(mutate) << maxSeq << dim
                           << norm << scaled;
    };
    const auto b = [](const char *rest) { return QByteArray("--vocab @VOCAB@ --max-seq-length 64 ") + rest; };
    cli("cli bert mean normalize", b("--pooling mean"), 64, 64, true);
    cli("cli bert mean", b("--pooling mean --no-normalize"), 64, 64, false);
    cli("cli bert cls", b("--pooling cls --no-normalize"), 64, 64, false);
    cli("cli bert max", b("--pooling max --no-normalize"), 64, 64, false);
    cli("cli bert mean_sqrt_len_tokens", b("--pooling mean_sqrt_len_tokens --no-normalize"), 64, 64, false,
        {}, true);
    cli("cli bert weightedmean", b("--pooling weightedmean --no-normalize"), 64, 64, false);
    cli("cli bert lasttoken", b("--pooling lasttoken --no-normalize"), 64, 64, false);
    cli("cli bert cls+mean normalize", b("--pooling cls,mean"), 64, 128, true);
    cli("cli bert all modes dense normalize",
        b("--pooling cls,max,mean,mean_sqrt_len_tokens,weightedmean,lasttoken --dense 32"), 64, 32, true);
    cli("cli bert dense", b("--pooling mean --dense 48 --no-normalize"), 64, 48, false);
    cli("cli bert cased 3 layers 6 heads",
        b("--cased --layers 3 --hidden 48 --heads 6 --intermediate 96 --no-normalize --seed 7"), 64, 48,
        false);
    cli("cli bert F16", b("--pooling mean --no-normalize"), 64, 64, false, "--dtype F16");
    cli("cli bert BF16 normalize", b("--pooling max"), 64, 64, true, "--dtype BF16");
    cli("cli bert bert.-prefix extra heads", b("--pooling cls --no-normalize"), 64, 64, false,
        "--prefix bert. --extra-heads");
    cli("cli xlm-r mean normalize", "--arch xlm-roberta --spm @SPM@ --max-seq-length 64", 64, 64, true);
    cli("cli xlm-r cls+lasttoken F16 roberta.-prefix extra heads",
        "--arch xlm-roberta --spm @SPM@ --max-seq-length 48 --pooling cls,lasttoken --no-normalize", 48, 128,
        false, "--dtype F16 --prefix roberta. --extra-heads");
    // DistilBERT and RoBERTa (issue 13): DistilBertModel's and RobertaModel's names and config keys.
    cli("cli distilbert mean normalize", "--arch distilbert --vocab @VOCAB@ --max-seq-length 64", 64, 64,
        true);
    cli("cli distilbert cls F16 distilbert.-prefix extra heads",
        "--arch distilbert --vocab @VOCAB@ --max-seq-length 48 --pooling cls --no-normalize", 48, 64, false,
        "--dtype F16 --prefix distilbert. --extra-heads");
    cli("cli roberta wordpiece mean", "--arch roberta --vocab @VOCAB@ --max-seq-length 64 --no-normalize", 64,
        64, false);
    cli("cli roberta spm cls+mean roberta.-prefix extra heads",
        "--arch roberta --spm @SPM@ --max-seq-length 64 --pooling cls,mean --no-normalize", 64, 128, false,
        "--prefix roberta. --extra-heads");

    const auto p = [](const char *rest) {
        return QByteArray("--arch bert --vocab-file @VOCAB@ --max-seq-length 64 ") + rest;
    };
    py("python bert mean", p("--pooling mean --seed 1"), 64, 64, false);
    py("python bert mean normalize", p("--pooling mean --normalize --seed 2"), 64, 64, true);
    py("python bert cls", p("--pooling cls --seed 3"), 64, 64, false);
    py("python bert max", p("--pooling max --seed 4"), 64, 64, false);
    py("python bert mean_sqrt_len_tokens", p("--pooling mean_sqrt_len_tokens --seed 5"), 64, 64, false, {},
        true);
    py("python bert weightedmean", p("--pooling weightedmean --seed 6"), 64, 64, false);
    py("python bert lasttoken", p("--pooling lasttoken --seed 7"), 64, 64, false);
    py("python bert cls+mean normalize", p("--pooling cls,mean --normalize --seed 8"), 64, 128, true);
    py("python bert all modes dense normalize",
        p("--pooling cls,max,mean,mean_sqrt_len_tokens,weightedmean,lasttoken --dense 40 --normalize --seed "
          "9"),
        64, 40, true);
    py("python bert dense", p("--pooling max --dense 24 --seed 10"), 64, 24, false);
    py("python bert F16", p("--dtype F16 --seed 11"), 64, 64, false);
    py("python bert BF16 normalize", p("--dtype BF16 --normalize --seed 12"), 64, 64, true);
    py("python bert bert.-prefix extra heads no pooler",
        p("--prefix bert. --extra-heads --no-pooler --seed 13"), 64, 64, false);
    py("python bert F16 via mutate", p("--pooling weightedmean --seed 14"), 64, 64, false,
        "--dtype F16 --prefix bert. --extra-heads");
    py("python bert 1 layer 128 positions",
        p("--layers 1 --hidden 32 --heads 2 --intermediate 64 --max-positions 128 "
          "--seed 15"),
        64, 32, false);
    py("python bert legacy layout 0_Transformer",
        p("--legacy-layout --pooling cls,mean_sqrt_len_tokens --seed 16"), 64, 128, false, {}, true);
    py("python bert gelu_new eps 1e-3", p("--hidden-act gelu_new --layer-norm-eps 0.001 --seed 17"), 64, 64,
        false);
    py("python xlm-r mean normalize",
        "--arch xlm-roberta --spm-model @SPM@ --max-seq-length 64 --normalize --seed 21", 64, 64, true);
    py("python xlm-r max+lasttoken F16 roberta.-prefix extra heads",
        "--arch xlm-roberta --spm-model @SPM@ --max-seq-length 40 --pooling max,lasttoken --dtype F16 "
        "--prefix roberta. --extra-heads --seed 22",
        40, 128, false);
    py("python xlm-r mean_sqrt_len BF16 via mutate",
        "--arch xlm-roberta --spm-model @SPM@ --max-seq-length 64 --pooling mean_sqrt_len_tokens --seed 23",
        64, 64, false, "--dtype BF16", true);
    const auto d = [](const char *rest) {
        return QByteArray("--arch distilbert --vocab-file @VOCAB@ --max-seq-length 64 ") + rest;
    };
    py("python distilbert mean", d("--seed 31"), 64, 64, false);
    py("python distilbert relu dense normalize distilbert.-prefix extra heads",
        d("--hidden-act relu --pooling cls,mean --dense 24 --normalize --prefix distilbert. --extra-heads "
          "--seed "
          "32"),
        64, 24, true);
    py("python distilbert 3 layers BF16 via mutate",
        d("--layers 3 --hidden 48 --heads 6 --intermediate 96 --pooling max --seed 33"), 64, 48, false,
        "--dtype BF16 --prefix distilbert. --extra-heads");
    py("python roberta wordpiece cls",
        "--arch roberta --vocab-file @VOCAB@ --max-seq-length 64 --pooling cls --seed 34", 64, 64, false);
    py("python roberta spm BF16 roberta.-prefix extra heads",
        "--arch roberta --spm-model @SPM@ --max-seq-length 64 --dtype BF16 --prefix roberta. --extra-heads "
        "--normalize --seed 35",
        64, 64, true);
}

void TestInterop::embeddingsAgree()
{
    QFETCH(QString, source);
    QFETCH(QStringList, makeArgs);
    QFETCH(QStringList, mutateArgs);
    QFETCH(int, maxSeqLength);
    QFETCH(int, dim);
    QFETCH(bool, normalized);
    QFETCH(bool, scaledTolerance);

    QVERIFY2(QFileInfo::exists(kCli), qPrintable(kCli + QStringLiteral(" is not built")));
    if (makeArgs.contains(QLatin1String("@SPM@")) && m_spm.isEmpty())
        QSKIP(qPrintable(m_spmSkipReason));
    makeArgs = substitute(makeArgs, m_spm);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    if (qEnvironmentVariableIsSet("PAIRTUNE_KEEP_INTEROP")) {
        dir.setAutoRemove(false);
        qInfo("files kept in %s", qPrintable(dir.path()));
    }
    const QString made = dir.filePath(QStringLiteral("made"));
    if (source == QLatin1String("cli"))
        RUN_OK(kCli, (QStringList { QStringLiteral("create"), QStringLiteral("--out"), made } + makeArgs));
    else
        RUN_OK(python(),
            (QStringList { kReference, QStringLiteral("make-folder"), QStringLiteral("--out"), made }
                + makeArgs));
    QString model = made;
    if (!mutateArgs.isEmpty()) {
        model = dir.filePath(QStringLiteral("mutated"));
        RUN_OK(python(),
            (QStringList { kReference, QStringLiteral("mutate"), QStringLiteral("--in"), made,
                 QStringLiteral("--out"), model }
                + mutateArgs));
    }

    const QString ids = dir.filePath(QStringLiteral("ids.jsonl"));
    const QString ours = dir.filePath(QStringLiteral("ours.npy"));
    const QString reference = dir.filePath(QStringLiteral("reference.npy"));
    RUN_OK(kCli,
        (QStringList { QStringLiteral("tokenize"), QStringLiteral("--model"), model,
            QStringLiteral("--input"), kSentences, QStringLiteral("--output"), ids }));
    // Different batch sizes on the two sides: embed sorts by length and pads per batch of 7, the reference
    // pads batches of 5 in input order. Padding is masked, so it must not change any result.
    RUN_OK(kCli,
        (QStringList { QStringLiteral("embed"), QStringLiteral("--model"), model, QStringLiteral("--input"),
            kSentences, QStringLiteral("--output"), ours, QStringLiteral("--batch-size"),
            QStringLiteral("7") }));
    RUN_OK(python(),
        (QStringList { kReference, QStringLiteral("embed"), QStringLiteral("--model"), model,
            QStringLiteral("--ids"), ids, QStringLiteral("--output"), reference,
            QStringLiteral("--batch-size"), QStringLiteral("5") }));

    // The inputs exercise truncation: the longest texts are cut to exactly max_seq_length.
    QFile sentences(kSentences);
    QVERIFY(sentences.open(QIODevice::ReadOnly));
    const qsizetype texts = sentences.readAll().count('\n');
    QFile idsFile(ids);
    QVERIFY(idsFile.open(QIODevice::ReadOnly));
    const QList<QByteArray> idLines = idsFile.readAll().trimmed().split('\n');
    QCOMPARE(idLines.size(), texts);
    qsizetype longest = 0;
    qsizetype shortest = 1 << 30;
    for (const QByteArray &line : idLines) {
        const qsizetype n
            = QJsonDocument::fromJson(line).object().value(QLatin1String("input_ids")).toArray().size();
        longest = std::max(longest, n);
        shortest = std::min(shortest, n);
    }
    QCOMPARE(longest, qsizetype(maxSeqLength));
    QVERIFY(shortest <= 4);

    const Npy a = readNpy(ours);
    const Npy b = readNpy(reference);
    QVERIFY2(a.error.isEmpty(), qPrintable(a.error));
    QVERIFY2(b.error.isEmpty(), qPrintable(b.error));
    QCOMPARE(a.rows, texts);
    QCOMPARE(b.rows, texts);
    QCOMPARE(a.cols, qsizetype(dim));
    QCOMPARE(b.cols, qsizetype(dim));

    double maxDiff = 0; // absolute
    double maxScaled = 0; // |ours - reference| / max(1, largest |value| in the reference row)
    std::size_t worst = 0;
    for (qsizetype r = 0; r < b.rows; ++r) {
        double rowScale = 1.0;
        for (qsizetype c = 0; c < b.cols; ++c)
            rowScale = std::max(rowScale, double(std::abs(b.values[r * b.cols + c])));
        for (qsizetype c = 0; c < b.cols; ++c) {
            const std::size_t k = std::size_t(r * b.cols + c);
            const double d = std::abs(double(a.values[k]) - double(b.values[k]));
            if (!(d <= maxDiff)) { // also catches NaN
                maxDiff = std::isnan(d) ? INFINITY : d;
                worst = k;
            }
            maxScaled = std::max(maxScaled, std::isnan(d) ? INFINITY : d / rowScale);
        }
    }
    qInfo("%s: max abs diff %.3g, scaled %.3g (worst: row %zu, column %zu: ours %.9g, reference %.9g)",
        QTest::currentDataTag(), maxDiff, maxScaled, worst / std::size_t(dim), worst % std::size_t(dim),
        double(a.values[worst]), double(b.values[worst]));
    m_diffs.append({ QString::fromUtf8(QTest::currentDataTag()), { maxDiff, maxScaled } });
    if (scaledTolerance)
        QVERIFY2(maxScaled <= kTolerance,
            qPrintable(QStringLiteral("max diff / max(1, row scale) = %1 exceeds %2")
                           .arg(maxScaled)
                           .arg(kTolerance)));
    else
        QVERIFY2(maxDiff <= kTolerance,
            qPrintable(QStringLiteral("max abs diff %1 exceeds %2").arg(maxDiff).arg(kTolerance)));

    // Not a degenerate model: different texts get clearly different embeddings, normalized ones unit norm.
    double spread = 0;
    for (qsizetype r = 1; r < a.rows; ++r)
        for (qsizetype c = 0; c < a.cols; ++c)
            spread = std::max(spread, double(std::abs(a.values[r * a.cols + c] - a.values[c])));
    QVERIFY2(
        spread > 1e-3, qPrintable(QStringLiteral("all embeddings are nearly equal (spread %1)").arg(spread)));
    for (qsizetype r = 0; r < a.rows; ++r) {
        double norm = 0;
        for (qsizetype c = 0; c < a.cols; ++c)
            norm += double(a.values[r * a.cols + c]) * a.values[r * a.cols + c];
        if (normalized)
            QVERIFY2(std::abs(std::sqrt(norm) - 1.0) < 1e-5,
                qPrintable(QStringLiteral("row %1 norm %2").arg(r).arg(std::sqrt(norm))));
    }
}

void TestInterop::cleanupTestCase()
{
    if (m_diffs.isEmpty())
        return;
    QString table = QStringLiteral("max abs diff | max diff/max(1,row scale) per case (tolerance %1):\n")
                        .arg(kTolerance);
    for (const auto &[tag, diff] : std::as_const(m_diffs))
        table += QStringLiteral("  %1 %2  %3\n")
                     .arg(diff.first, 10, 'g', 3)
                     .arg(diff.second, 10, 'g', 3)
                     .arg(tag);
    qInfo("%s", qPrintable(table));
}

QTEST_GUILESS_MAIN(TestInterop)
#include "tst_interop.moc"
