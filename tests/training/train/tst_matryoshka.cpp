// Matryoshka training end to end (issue 20 part 3) through `pairtune-cli`: embed --truncate-dim gives the
// full embedding's first D numbers normalised to length 1 (sentence-transformers' truncate_dim); a run
// with --matryoshka records its sizes, logs retrieval at every size, and its model card holds the size
// table; the final MRR@10 at a cut size equals the one computed here from `embed --truncate-dim` on the
// run's held-out pairs; sizes it cannot train are refused before any run folder is written.

#include "trainingclihelpers.h"

#include <QtCore/QFileInfo>
#include <QtTest/QtTest>

#include <map>

using namespace traintest;

namespace {

// The first dim numbers of each row of a rows x cols matrix, each row divided by its length.
std::vector<float> truncatedUnitRows(const std::vector<float> &values, std::size_t cols, std::size_t dim)
{
    std::vector<float> out;
    for (std::size_t r = 0; r * cols < values.size(); ++r) {
        double squares = 0.0;
        for (std::size_t j = 0; j < dim; ++j)
            squares += static_cast<double>(values[r * cols + j]) * values[r * cols + j];
        for (std::size_t j = 0; j < dim; ++j)
            out.push_back(static_cast<float>(values[r * cols + j] / std::sqrt(squares)));
    }
    return out;
}

// MRR@10 of each anchor retrieving its positive among the distinct positives by dot product of unit rows
// (InformationRetrievalEvaluator's definition; ties are not expected with these floats).
double mrrAt10(const std::vector<float> &queries, const std::vector<float> &documents, std::size_t dim,
    const std::vector<std::size_t> &relevant)
{
    const std::size_t corpus = documents.size() / dim;
    double sum = 0.0;
    for (std::size_t q = 0; q < relevant.size(); ++q) {
        std::vector<double> scores(corpus);
        for (std::size_t c = 0; c < corpus; ++c)
            for (std::size_t j = 0; j < dim; ++j)
                scores[c] += static_cast<double>(queries[q * dim + j]) * documents[c * dim + j];
        std::size_t rank = 1;
        for (std::size_t c = 0; c < corpus; ++c)
            if (scores[c] > scores[relevant[q]])
                ++rank;
        if (rank <= 10)
            sum += 1.0 / static_cast<double>(rank);
    }
    return sum / static_cast<double>(relevant.size());
}

} // namespace

class TestMatryoshka : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void truncateDimIsTruncateThenNormalise();
    void runRecordsEverySize();
    void chosenSizesAndWeights();
    void refusesSizesItCannotTrain_data();
    void refusesSizesItCannotTrain();

private:
    QString scratch(const QString &name) { return m_dir.filePath(name); }
    QString freshFolder(const QString &prefix) { return traintest::freshFolder(m_dir, prefix, m_counter); }

    QTemporaryDir m_dir;
    QString m_model; // hidden 64: embeddings of 64 numbers, default sizes 64 and 32
    QString m_data;
    int m_counter = 0;
};

void TestMatryoshka::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = scratch("model-64");
    const CliResult created = createModel(m_model, 64, 4, 128);
    QVERIFY2(created.exitCode == 0 && !created.crashed, qPrintable(created.describe()));
    m_data = writePairs(freshFolder("data"), "pairs.tsv", 80, 5);
}

void TestMatryoshka::truncateDimIsTruncateThenNormalise()
{
    const QStringList texts { "alpha bravo delta", "apple banana cherry", "a longer sentence about fruit" };
    const EmbedOutput full = embed(m_model, texts, m_dir.path());
    QVERIFY2(!full.values.empty(), qPrintable(full.cli.describe()));
    QCOMPARE(full.cols, std::size_t { 64 });
    const QString input = scratch("truncate-in.txt");
    const QString output = scratch("truncate-out.npy");
    QVERIFY(writeFile(input, texts.join('\n').toUtf8() + '\n'));
    const CliResult r = runCli({ "embed", "--model", m_model, "--input", input, "--output", output,
        "--threads", "1", "--truncate-dim", "16" });
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.describe()));
    std::size_t rows = 0;
    std::size_t cols = 0;
    const std::vector<float> cut = pairtune::readNpyFloat32(output.toStdString(), rows, cols);
    QCOMPARE(rows, std::size_t { 3 });
    QCOMPARE(cols, std::size_t { 16 });
    const double difference = maxAbsDifference(cut, truncatedUnitRows(full.values, 64, 16));
    QVERIFY2(difference <= 1e-6, qPrintable(QString::number(difference)));
    // Larger than the model's dimension: refused with one line naming it.
    const CliResult tooLarge = runCli({ "embed", "--model", m_model, "--input", input, "--output",
        scratch("too-large.npy"), "--truncate-dim", "65" });
    QVERIFY(tooLarge.exitCode != 0 && !tooLarge.crashed);
    QVERIFY2(QString::fromUtf8(tooLarge.err).contains("64"), qPrintable(tooLarge.describe()));
}

void TestMatryoshka::runRecordsEverySize()
{
    const QString run = freshFolder("run");
    const CliResult r = runCli({ "train", "--data", m_data, "--base", m_model, "--out", run, "--epochs", "2",
        "--lr", "1e-3", "--warmup-steps", "1", "--threads", "1", "--matryoshka", "--quiet" });
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.describe()));

    // The default sizes, resolved from the model's 64 dimensions, are recorded for a resume.
    const QJsonObject training = readJsonObject(run + "/config.json").value("training").toObject();
    QCOMPARE(training.value("matryoshka").toBool(), true);
    QCOMPARE(training.value("matryoshka_dims").toArray(), QJsonArray({ 64, 32 }));

    // Every evaluation logs retrieval at each size; at the full size it is the plain metric.
    int evaluations = 0;
    for (const QJsonObject &event : readMetrics(run)) {
        if (event.value("type").toString() != "evaluation")
            continue;
        ++evaluations;
        const QJsonObject metrics = event.value("metrics").toObject();
        for (const char *key : { "dim64/mrr@10", "dim32/mrr@10", "dim32/accuracy@1", "dim32/ndcg@10" })
            QVERIFY2(metrics.contains(key), key);
        QCOMPARE(metrics.value("dim64/mrr@10").toDouble(), metrics.value("mrr@10").toDouble());
    }
    QVERIFY(evaluations >= 2);

    // The final dim32 MRR@10 is what the exported model gives through embed --truncate-dim 32.
    const QJsonObject summary = readJsonObject(run + "/summary.json");
    const QJsonObject before = summary.value("eval_before").toObject();
    const QJsonObject after = summary.value("eval_after").toObject();
    QVERIFY(after.contains("dim32/mrr@10") && before.contains("dim32/mrr@10"));
    QStringList anchors;
    QStringList corpus;
    std::vector<std::size_t> relevant;
    const QStringList lines = QString::fromUtf8(readFile(run + "/eval-pairs.tsv")).split('\n');
    for (const QString &line : lines.mid(1)) {
        const QStringList fields = line.split('\t');
        if (fields.size() < 2)
            continue;
        anchors << fields[0];
        if (!corpus.contains(fields[1]))
            corpus << fields[1];
        relevant.push_back(static_cast<std::size_t>(corpus.indexOf(fields[1])));
    }
    QCOMPARE(anchors.size(), summary.value("eval_pairs").toInt());
    const auto embedCut = [&](const QStringList &texts, const QString &name) {
        const QString input = scratch(name + ".txt");
        const QString output = scratch(name + ".npy");
        writeFile(input, texts.join('\n').toUtf8() + '\n');
        const CliResult e = runCli({ "embed", "--model", run + "/model", "--input", input, "--output", output,
            "--threads", "1", "--truncate-dim", "32" });
        std::size_t rows = 0;
        std::size_t cols = 0;
        return e.exitCode == 0 ? pairtune::readNpyFloat32(output.toStdString(), rows, cols)
                               : std::vector<float>();
    };
    const std::vector<float> queries = embedCut(anchors, "anchors");
    const std::vector<float> documents = embedCut(corpus, "corpus");
    QVERIFY(!queries.empty() && !documents.empty());
    const double mrr = mrrAt10(queries, documents, 32, relevant);
    QVERIFY2(std::abs(mrr - after.value("dim32/mrr@10").toDouble()) <= 1e-6,
        qPrintable(QString("by hand %1, run %2").arg(mrr).arg(after.value("dim32/mrr@10").toDouble())));

    // The card names the sizes and holds one table row per size with the before and after MRR@10.
    const QString card = QString::fromUtf8(readFile(run + "/model/README.md"));
    QVERIFY2(card.contains("Matryoshka sizes trained: 64, 32"), qPrintable(card));
    QVERIFY(card.contains("- loss:MatryoshkaLoss"));
    QVERIFY(card.contains(QString("| 32 | %1 | %2 |")
                              .arg(before.value("dim32/mrr@10").toDouble(), 0, 'f', 4)
                              .arg(after.value("dim32/mrr@10").toDouble(), 0, 'f', 4)));
}

void TestMatryoshka::chosenSizesAndWeights()
{
    const QString run = freshFolder("run");
    const CliResult r = runCli({ "train", "--data", m_data, "--base", m_model, "--out", run, "--max-steps",
        "1", "--threads", "1", "--matryoshka-dims", "48,16", "--matryoshka-weights", "1,0.5", "--quiet" });
    QVERIFY2(r.exitCode == 0 && !r.crashed, qPrintable(r.describe()));
    const QJsonObject training = readJsonObject(run + "/config.json").value("training").toObject();
    QCOMPARE(training.value("matryoshka").toBool(), true); // --matryoshka-dims alone switches it on
    QCOMPARE(training.value("matryoshka_dims").toArray(), QJsonArray({ 48, 16 }));
    QCOMPARE(training.value("matryoshka_weights").toArray(), QJsonArray({ 1.0, 0.5 }));
    const QJsonObject after = readJsonObject(run + "/summary.json").value("eval_after").toObject();
    QVERIFY(after.contains("dim48/mrr@10") && after.contains("dim16/mrr@10"));
    QVERIFY(!after.contains("dim64/mrr@10") && !after.contains("dim32/mrr@10"));
}

void TestMatryoshka::refusesSizesItCannotTrain_data()
{
    QTest::addColumn<QStringList>("flags");
    QTest::addColumn<QString>("message");
    QTest::newRow("above the model") << QStringList { "--matryoshka-dims", "128,64" }
                                     << "larger than the model";
    QTest::newRow("ascending") << QStringList { "--matryoshka-dims", "16,32" } << "largest first";
    QTest::newRow("zero") << QStringList { "--matryoshka-dims", "32,0" } << "at least 1";
    QTest::newRow("weights") << QStringList { "--matryoshka-dims", "32,16", "--matryoshka-weights", "1" }
                             << "one Matryoshka weight per size";
}

void TestMatryoshka::refusesSizesItCannotTrain()
{
    QFETCH(QStringList, flags);
    QFETCH(QString, message);
    const QString run = freshFolder("refused");
    const CliResult r = runCli(QStringList { "train", "--data", m_data, "--base", m_model, "--out", run,
                                   "--threads", "1", "--quiet" }
        + flags);
    QVERIFY2(r.exitCode != 0 && !r.crashed, qPrintable(r.describe()));
    QVERIFY2(QString::fromUtf8(r.err).contains(message), qPrintable(r.describe()));
    QVERIFY(!QFileInfo::exists(run + "/config.json"));
}

QTEST_GUILESS_MAIN(TestMatryoshka)
#include "tst_matryoshka.moc"
