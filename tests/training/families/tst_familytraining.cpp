// DistilBERT and RoBERTa through pairtune-cli, end to end, from folders in each model's real layout
// (tests/interop/reference.py make-folder: DistilBertModel / RobertaModel weight names and config keys,
// the base-model prefix and MLM head tensors a *ForMaskedLM checkpoint carries):
// - one training step against reference_train.py (float64 PyTorch, dropout off): loss, gradients before
//   and after clipping, the weights after AdamW, each within 1e-5;
// - a run with evaluation, interrupted (SIGTERM) and resumed: it must end bit-identical to an
//   uninterrupted run;
// - export: config.json with the family's model_type, architectures and keys, weights under the base
//   model's names, a folder that embeds within 5e-6 of the reference and exactly as the run's model, and
//   that `eval` reads.

#include "../train/trainingclihelpers.h"
#include "processrun.h"

#include <QtCore/QJsonArray>
#include <QtTest/QtTest>

#include <set>

using namespace traintest;
using pairtune::testrun::python;

namespace {

constexpr double kStepTolerance = 1e-5; // issue 3's bound, as tst_onestep
constexpr double kEmbeddingTolerance = 5e-6; // as tst_interop
const QString kReference = QStringLiteral(PAIRTUNE_INTEROP_REFERENCE);
const QString kTrainReference = QStringLiteral(PAIRTUNE_TRAIN_REFERENCE);

// The transformers class and the base_model_prefix of each family.
QString architectureOf(const QString &family)
{
    return family == QLatin1String("distilbert") ? QStringLiteral("DistilBertModel")
                                                 : QStringLiteral("RobertaModel");
}

std::set<std::string> tensorNames(const QString &path)
{
    std::set<std::string> names;
    const pairtune::SafetensorsFile file = pairtune::SafetensorsFile::open(path.toStdString());
    for (const pairtune::TensorInfo &info : file.tensors())
        names.insert(info.name);
    return names;
}

} // namespace

class TestFamilyTraining : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void oneStepMatchesReference_data();
    void oneStepMatchesReference();
    void sinusoidalPositionsMatchReference();
    void trainResumeExport_data();
    void trainResumeExport();

private:
    // reference.py make-folder for the family; extra: more arguments.
    QString makeFolder(const QString &name, const QString &family, const QStringList &extra);

    QTemporaryDir m_scratch;
    QString m_pairs;
};

void TestFamilyTraining::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    const QString missing = pairtune::testrun::torchMissing();
    if (!missing.isEmpty())
        QSKIP(qPrintable(missing));
    QVERIFY(QFileInfo::exists(cliPath()));
    m_pairs = writePairs(m_scratch.path(), QStringLiteral("pairs.tsv"), 400, 13);
    QVERIFY(!m_pairs.isEmpty());
}

QString TestFamilyTraining::makeFolder(const QString &name, const QString &family, const QStringList &extra)
{
    const QString out = m_scratch.filePath(name);
    const QStringList args = QStringList { kReference, QStringLiteral("make-folder"), QStringLiteral("--out"),
        out, QStringLiteral("--arch"), family, QStringLiteral("--vocab-file"), vocabPath(),
        QStringLiteral("--max-seq-length"), QStringLiteral("32") }
        + extra;
    const pairtune::testrun::RunResult made = pairtune::testrun::run(python(), args);
    if (made.code != 0)
        qWarning("%s", qPrintable(made.describe(python(), args)));
    return made.code == 0 ? out : QString();
}

void TestFamilyTraining::oneStepMatchesReference_data()
{
    QTest::addColumn<QString>("family");
    QTest::addColumn<QStringList>("folderArgs");
    QTest::addColumn<QString>("loss");
    QTest::newRow("distilbert mnrl") << QStringLiteral("distilbert")
                                     << QStringList { QStringLiteral("--seed"), QStringLiteral("41") }
                                     << QStringLiteral("mnrl");
    QTest::newRow("distilbert cosent dense")
        << QStringLiteral("distilbert")
        << QStringList { QStringLiteral("--seed"), QStringLiteral("42"), QStringLiteral("--dense"),
               QStringLiteral("16"), QStringLiteral("--pooling"), QStringLiteral("cls,mean") }
        << QStringLiteral("cosent");
    // sinusoidal_pos_embds: the fixed table is loaded, gets no gradient and must come out unchanged.
    QTest::newRow("distilbert sinusoidal mnrl")
        << QStringLiteral("distilbert")
        << QStringList { QStringLiteral("--seed"), QStringLiteral("45"), QStringLiteral("--sinusoidal") }
        << QStringLiteral("mnrl");
    QTest::newRow("roberta mnrl") << QStringLiteral("roberta")
                                  << QStringList { QStringLiteral("--seed"), QStringLiteral("43") }
                                  << QStringLiteral("mnrl");
    QTest::newRow("roberta cosine normalize")
        << QStringLiteral("roberta")
        << QStringList { QStringLiteral("--seed"), QStringLiteral("44"), QStringLiteral("--normalize") }
        << QStringLiteral("cosine");
}

void TestFamilyTraining::oneStepMatchesReference()
{
    QFETCH(QString, family);
    QFETCH(QStringList, folderArgs);
    QFETCH(QString, loss);
    const QString tag
        = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('_'));
    const QString base = makeFolder(QStringLiteral("step-base-") + tag, family, folderArgs);
    QVERIFY(!base.isEmpty());
    const QString runDir = m_scratch.filePath(QStringLiteral("step-run-") + tag);
    const QString dump = m_scratch.filePath(QStringLiteral("step-dump-") + tag);
    const QString reportPath
        = m_scratch.filePath(QStringLiteral("step-report-") + tag + QStringLiteral(".json"));
    const QStringList common = { QStringLiteral("--loss"), loss, QStringLiteral("--similarity"),
        QStringLiteral("cos"), QStringLiteral("--scale"), QStringLiteral("20"), QStringLiteral("--lr"),
        QStringLiteral("0.001"), QStringLiteral("--weight-decay"), QStringLiteral("0.01"),
        QStringLiteral("--max-grad-norm"), QStringLiteral("1") };
    const CliResult trained
        = runCli(QStringList { QStringLiteral("train"), QStringLiteral("--data"), m_pairs,
                     QStringLiteral("--base"), base, QStringLiteral("--out"), runDir,
                     QStringLiteral("--max-steps"), QStringLiteral("1"), QStringLiteral("--warmup-steps"),
                     QStringLiteral("0"), QStringLiteral("--batch-size"), QStringLiteral("16"),
                     QStringLiteral("--no-dropout"), QStringLiteral("--fp32"), QStringLiteral("--threads"),
                     QStringLiteral("1"), QStringLiteral("--quiet"), QStringLiteral("--debug-dump"), dump }
            + common);
    QVERIFY2(trained.exitCode == 0 && !trained.crashed, qPrintable(trained.describe()));
    RUN_OK(python(),
        QStringList({ kTrainReference, QStringLiteral("--model"), base, QStringLiteral("--dump"), dump,
            QStringLiteral("--run"), runDir, QStringLiteral("--warmup-steps"), QStringLiteral("0"),
            QStringLiteral("--total-steps"), QStringLiteral("1"), QStringLiteral("--report"), reportPath })
            + common);

    const QJsonObject r = readJsonObject(reportPath);
    QVERIFY2(!r.isEmpty(), "the reference wrote no report");
    const auto num = [&](const char *key) { return r.value(QLatin1String(key)).toDouble(-1.0); };
    const auto sub = [&](const char *key, const char *field) {
        return r.value(QLatin1String(key)).toObject().value(QLatin1String(field)).toDouble(-1.0);
    };
    const auto where = [&](const char *key, const char *field) {
        return r.value(QLatin1String(key)).toObject().value(QLatin1String(field)).toString();
    };
    qInfo("%s: loss diff %.3g, grads max abs %.3g (max rel %.3g, largest %.3g), clipped %.3g, weights "
          "well-conditioned %.3g, "
          "excess %.3g, %.0f tensors with gradients",
        qPrintable(tag), num("loss_abs_diff"), sub("grads_raw", "max_abs"), sub("grads_raw", "max_rel"),
        sub("grads_raw", "max_ref"), sub("grads_clipped", "max_abs"), num("weights_well_conditioned_max_abs"),
        num("weights_excess_over_bound"), num("grad_names"));

    QCOMPARE(num("base_matches_reference_load"), 0.0);
    QVERIFY2(r.value(QLatin1String("grad_missing_in_cli")).toArray().isEmpty(), "gradients missing");
    QVERIFY2(r.value(QLatin1String("grad_extra_in_cli")).toArray().isEmpty(), "extra gradients");
    QVERIFY(num("grad_names") > 20);
    QVERIFY(num("loss_ref") > 0.0);
    QVERIFY2(num("loss_abs_diff") <= kStepTolerance, qPrintable(QString::number(num("loss_abs_diff"))));
    QVERIFY(sub("grads_raw", "max_ref") > 0.0);
    // Raw gradients before clipping can be large (CoSENT at scale 20: up to ~10 here), where float32 alone
    // cannot hold 1e-5 absolute: they are held to 1e-5 of max(1, the largest reference gradient), the
    // clipped ones that AdamW uses to 1e-5 absolute.
    const double rawScale = std::max(1.0, sub("grads_raw", "max_ref"));
    QVERIFY2(sub("grads_raw", "max_abs") <= kStepTolerance * rawScale,
        qPrintable(where("grads_raw", "max_abs_at") + QStringLiteral(" (scale %1)").arg(rawScale)));
    QVERIFY2(
        sub("grads_clipped", "max_abs") <= kStepTolerance, qPrintable(where("grads_clipped", "max_abs_at")));
    QVERIFY2(num("weights_well_conditioned_max_abs") <= kStepTolerance,
        qPrintable(r.value(QLatin1String("weights_well_conditioned_at")).toString()));
    QVERIFY2(num("weights_excess_over_bound") <= kStepTolerance,
        qPrintable(r.value(QLatin1String("weights_excess_at")).toString()));
    QVERIFY(num("optimizer_update_max") > 0.5e-3);
    // No gradient may reach a parameter the loss does not use (RoBERTa's pooler) and it must not move.
    QVERIFY(r.value(QLatin1String("untouched_changed")).toArray().isEmpty());
    if (family == QLatin1String("roberta"))
        QVERIFY(
            r.value(QLatin1String("untouched")).toArray().contains(QStringLiteral("pooler.dense.weight")));
    if (folderArgs.contains(QStringLiteral("--sinusoidal")))
        QVERIFY(r.value(QLatin1String("untouched"))
                    .toArray()
                    .contains(QStringLiteral("embeddings.position_embeddings.weight")));
}

// DistilBERT with sinusoidal_pos_embds and no table in its weights: the engine computes
// create_sinusoidal_embeddings' table as the reference does, so both embed alike; the export carries it.
void TestFamilyTraining::sinusoidalPositionsMatchReference()
{
    const QString base = makeFolder(QStringLiteral("sinusoidal"), QStringLiteral("distilbert"),
        { QStringLiteral("--sinusoidal"), QStringLiteral("--no-position-table"), QStringLiteral("--seed"),
            QStringLiteral("9") });
    QVERIFY(!base.isEmpty());
    QVERIFY(!tensorNames(base + QStringLiteral("/model.safetensors"))
                 .count("embeddings.position_embeddings.weight"));
    const QString sentences = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/interop/sentences.txt");
    const QString ids = m_scratch.filePath(QStringLiteral("ids-sinusoidal.jsonl"));
    const QString ours = m_scratch.filePath(QStringLiteral("ours-sinusoidal.npy"));
    const QString theirs = m_scratch.filePath(QStringLiteral("reference-sinusoidal.npy"));
    RUN_OK(cliPath(),
        QStringList({ QStringLiteral("embed"), QStringLiteral("--model"), base, QStringLiteral("--input"),
            sentences, QStringLiteral("--output"), ours }));
    RUN_OK(cliPath(),
        QStringList({ QStringLiteral("tokenize"), QStringLiteral("--model"), base, QStringLiteral("--input"),
            sentences, QStringLiteral("--output"), ids }));
    RUN_OK(python(),
        QStringList({ kReference, QStringLiteral("embed"), QStringLiteral("--model"), base,
            QStringLiteral("--ids"), ids, QStringLiteral("--output"), theirs }));
    std::size_t rows = 0, cols = 0, rows2 = 0, cols2 = 0;
    const std::vector<float> a = pairtune::readNpyFloat32(ours.toStdString(), rows, cols);
    const std::vector<float> b = pairtune::readNpyFloat32(theirs.toStdString(), rows2, cols2);
    QVERIFY(rows > 10 && rows == rows2 && cols == 64 && cols2 == 64);
    const double diff = maxAbsDifference(a, b);
    qInfo("sinusoidal DistilBERT vs reference: max abs diff %.3g", diff);
    QVERIFY2(diff <= kEmbeddingTolerance, qPrintable(QString::number(diff)));
}

void TestFamilyTraining::trainResumeExport_data()
{
    QTest::addColumn<QString>("family");
    QTest::newRow("distilbert") << QStringLiteral("distilbert");
    QTest::newRow("roberta") << QStringLiteral("roberta");
}

void TestFamilyTraining::trainResumeExport()
{
    QFETCH(QString, family);
    // As a *ForMaskedLM checkpoint stores it: the base model under its prefix, an MLM head bias and the
    // old position_ids buffer next to it.
    const QString base = makeFolder(QStringLiteral("base-") + family, family,
        { QStringLiteral("--prefix"), family + QLatin1Char('.'), QStringLiteral("--extra-heads"),
            QStringLiteral("--pooling"), QStringLiteral("mean"), QStringLiteral("--normalize"),
            QStringLiteral("--seed"), QStringLiteral("5") });
    QVERIFY(!base.isEmpty());
    const QStringList trainArgs = { QStringLiteral("train"), QStringLiteral("--data"), m_pairs,
        QStringLiteral("--base"), base, QStringLiteral("--epochs"), QStringLiteral("6"),
        QStringLiteral("--batch-size"), QStringLiteral("16"), QStringLiteral("--lr"), QStringLiteral("1e-3"),
        QStringLiteral("--warmup-steps"), QStringLiteral("5"), QStringLiteral("--eval-every"),
        QStringLiteral("40"), QStringLiteral("--checkpoint-every"), QStringLiteral("1000"),
        QStringLiteral("--threads"), QStringLiteral("1"), QStringLiteral("--quiet") };

    // The uninterrupted run, with evaluation.
    const QString straight = m_scratch.filePath(QStringLiteral("straight-") + family);
    const CliResult done
        = runCli(trainArgs + QStringList { QStringLiteral("--out"), straight, QStringLiteral("--json") });
    QVERIFY2(done.exitCode == 0 && !done.crashed, qPrintable(done.describe()));
    const QJsonObject summary = parseJsonObject(done.out);
    QCOMPARE(summary.value("status").toString(), QStringLiteral("finished"));
    const int total = summary.value("steps").toInt();
    QCOMPARE(total, 120); // 320 training pairs / 16 x 6 epochs
    int evaluations = 0;
    for (const QJsonObject &event : readMetrics(straight))
        evaluations += event.value("type").toString() == QLatin1String("evaluation");
    QVERIFY2(evaluations >= 3, qPrintable(QString::number(evaluations)));

    // Interrupted after a few steps (SIGTERM: stop after the step, keep a checkpoint), then resumed.
    const QString resumed = m_scratch.filePath(QStringLiteral("resumed-") + family);
    QProcess process;
    process.start(cliPath(), trainArgs + QStringList { QStringLiteral("--out"), resumed });
    QVERIFY(process.waitForStarted(30000));
    const std::int64_t seen = waitForStep(process, resumed, 3, 240000);
    QVERIFY2(process.state() == QProcess::Running, "the run ended before it could be interrupted");
    QVERIFY(seen >= 3);
    process.terminate();
    const CliResult stopped = finishCli(process);
    QCOMPARE(stopped.exitCode, 130);
    const std::int64_t at = lastLoggedStep(resumed);
    QVERIFY2(at >= 3 && at < total, qPrintable(QString::number(at)));
    const CliResult again = runCli({ QStringLiteral("train"), QStringLiteral("--resume"), resumed,
        QStringLiteral("--json"), QStringLiteral("--quiet") });
    QVERIFY2(again.exitCode == 0 && !again.crashed, qPrintable(again.describe()));
    QCOMPARE(parseJsonObject(again.out).value("steps").toInt(), total);
    bool identical = false;
    QString problem;
    const double resumeDiff = maxWeightDifference(resumed + QStringLiteral("/model/model.safetensors"),
        straight + QStringLiteral("/model/model.safetensors"), &identical, &problem);
    qInfo("%s: interrupted at step %lld; resumed vs straight: max |difference| %g, bit-identical %s",
        qPrintable(family), static_cast<long long>(at), resumeDiff, identical ? "yes" : "no");
    QVERIFY2(identical, qPrintable(problem + QStringLiteral(" max diff %1").arg(resumeDiff)));

    // Export: the family's config.json and weight names, as transformers' save_pretrained writes them.
    const QString exported = m_scratch.filePath(QStringLiteral("exported-") + family);
    RUN_OK(cliPath(),
        QStringList({ QStringLiteral("export"), QStringLiteral("--run"), straight, QStringLiteral("--out"),
            exported }));
    const QJsonObject config = readJsonObject(exported + QStringLiteral("/config.json"));
    QCOMPARE(config.value("model_type").toString(), family);
    QCOMPARE(config.value("architectures").toArray(), QJsonArray { architectureOf(family) });
    const QJsonObject baseConfig = readJsonObject(base + QStringLiteral("/config.json"));
    for (auto it = baseConfig.begin(); it != baseConfig.end(); ++it)
        if (it.key() != QLatin1String("architectures") && it.key() != QLatin1String("transformers_version"))
            QVERIFY2(
                config.value(it.key()) == it.value(), qPrintable(QStringLiteral("config.json ") + it.key()));
    QCOMPARE(config.keys(), baseConfig.keys()); // nothing added: exactly the family's keys
    // The tokenizer class Python saves: DistilBertTokenizer for DistilBERT's WordPiece; this RoBERTa
    // fixture's tokenizer is a WordPiece one too, so BertTokenizer's files stand.
    QCOMPARE(readJsonObject(exported + QStringLiteral("/tokenizer_config.json"))
                 .value("tokenizer_class")
                 .toString(),
        family == QLatin1String("distilbert") ? QStringLiteral("DistilBertTokenizer")
                                              : QStringLiteral("BertTokenizer"));
    std::set<std::string> expected;
    for (const std::string &name : tensorNames(base + QStringLiteral("/model.safetensors"))) {
        const std::string prefix = family.toStdString() + ".";
        if (name.rfind(prefix, 0) == 0 && name != prefix + "embeddings.position_ids")
            expected.insert(name.substr(prefix.size()));
    }
    QVERIFY(expected.size() > 20);
    QVERIFY(tensorNames(exported + QStringLiteral("/model.safetensors")) == expected);

    // The exported folder embeds as the reference computes it, and exactly as the run's final model.
    const QString sentences = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/interop/sentences.txt");
    const QString ids = m_scratch.filePath(QStringLiteral("ids-") + family + QStringLiteral(".jsonl"));
    const QString ours = m_scratch.filePath(QStringLiteral("ours-") + family + QStringLiteral(".npy"));
    const QString theirs = m_scratch.filePath(QStringLiteral("reference-") + family + QStringLiteral(".npy"));
    const QString fromRun = m_scratch.filePath(QStringLiteral("run-") + family + QStringLiteral(".npy"));
    for (const auto &[model, output] :
        { std::pair { exported, ours }, std::pair { straight + "/model", fromRun } })
        RUN_OK(cliPath(),
            QStringList({ QStringLiteral("embed"), QStringLiteral("--model"), model,
                QStringLiteral("--input"), sentences, QStringLiteral("--output"), output }));
    RUN_OK(cliPath(),
        QStringList({ QStringLiteral("tokenize"), QStringLiteral("--model"), exported,
            QStringLiteral("--input"), sentences, QStringLiteral("--output"), ids }));
    RUN_OK(python(),
        QStringList({ kReference, QStringLiteral("embed"), QStringLiteral("--model"), exported,
            QStringLiteral("--ids"), ids, QStringLiteral("--output"), theirs }));
    std::size_t rows = 0, cols = 0, rows2 = 0, cols2 = 0, rows3 = 0, cols3 = 0;
    const std::vector<float> a = pairtune::readNpyFloat32(ours.toStdString(), rows, cols);
    const std::vector<float> b = pairtune::readNpyFloat32(theirs.toStdString(), rows2, cols2);
    const std::vector<float> c = pairtune::readNpyFloat32(fromRun.toStdString(), rows3, cols3);
    QVERIFY(rows > 10 && rows == rows2 && rows == rows3 && cols == 64 && cols2 == 64 && cols3 == 64);
    const double referenceDiff = maxAbsDifference(a, b);
    qInfo("%s: exported model vs reference: max abs diff %.3g", qPrintable(family), referenceDiff);
    QVERIFY2(referenceDiff <= kEmbeddingTolerance, qPrintable(QString::number(referenceDiff)));
    QCOMPARE(maxAbsDifference(a, c), 0.0);

    // The base embeds differently: training changed the model.
    const QString fromBase = m_scratch.filePath(QStringLiteral("base-") + family + QStringLiteral(".npy"));
    RUN_OK(cliPath(),
        QStringList({ QStringLiteral("embed"), QStringLiteral("--model"), base, QStringLiteral("--input"),
            sentences, QStringLiteral("--output"), fromBase }));
    QVERIFY(maxAbsDifference(a, pairtune::readNpyFloat32(fromBase.toStdString(), rows, cols)) > 1e-3);

    // eval reads the exported folder.
    const CliResult evaluated = runCli(
        { QStringLiteral("eval"), QStringLiteral("--model"), exported, QStringLiteral("--data"), m_pairs });
    QVERIFY2(evaluated.exitCode == 0 && !evaluated.crashed, qPrintable(evaluated.describe()));
    QVERIFY2(
        evaluated.out.contains("mrr") || evaluated.err.contains("mrr"), qPrintable(evaluated.describe()));
}

QTEST_GUILESS_MAIN(TestFamilyTraining)
#include "tst_familytraining.moc"
