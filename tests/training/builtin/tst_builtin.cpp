// The shipped built-in model and demo data (resources/), checked through pairtune-cli as a user meets
// them: the folder is complete and small, `--base builtin` resolves to it from the build tree, it
// embeds with the documented dimension, it retrieves dictionary definitions it never saw far better
// than chance, and the demo pairs are clean and reproducible from WordNet.

#include "builtinpaths.h"

#include <QtCore/QDirIterator>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonArray>
#include <QtCore/QRegularExpression>
#include <QtCore/QSet>
#include <QtCore/QStandardPaths>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace builtin;

namespace {

QJsonObject readJson(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

// (anchor, positive) rows of a TSV pair file with a header line.
QList<QPair<QString, QString>> readPairs(const QString &path)
{
    QList<QPair<QString, QString>> pairs;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return pairs;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QStringList cells = lines[i].split(QLatin1Char('\t'));
        if (cells.size() == 2)
            pairs.append({ cells[0], cells[1] });
    }
    return pairs;
}

} // namespace

class TestBuiltin : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY2(QFileInfo(cli()).isExecutable(), qPrintable(cli() + QStringLiteral(" is missing")));
        QVERIFY2(QFileInfo(modelFolder()).isDir(), qPrintable(modelFolder() + QStringLiteral(" is missing")));
        QVERIFY2(QFileInfo::exists(demoData()), qPrintable(demoData() + QStringLiteral(" is missing")));
    }

    void modelFolderIsCompleteAndSmall()
    {
        const QStringList required = { "modules.json", "config.json", "model.safetensors",
            "sentence_bert_config.json", "config_sentence_transformers.json", "1_Pooling/config.json",
            "tokenizer.json", "tokenizer_config.json", "vocab.txt", "README.md" };
        for (const QString &name : required)
            QVERIFY2(
                QFileInfo::exists(modelFolder() + QLatin1Char('/') + name), qPrintable(name + " is missing"));

        qint64 bytes = 0;
        QDirIterator it(modelFolder(), QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext())
            bytes += QFileInfo(it.next()).size();
        QVERIFY2(bytes <= kMaxModelBytes, qPrintable(QStringLiteral("%1 bytes").arg(bytes)));

        const QJsonObject config = readJson(modelFolder() + "/config.json");
        QCOMPARE(config.value("model_type").toString(), QStringLiteral("bert"));
        QCOMPARE(config.value("hidden_size").toInt(), kEmbeddingDimension);
        QCOMPARE(config.value("vocab_size").toInt(), 30522);
        QCOMPARE(readJson(modelFolder() + "/sentence_bert_config.json").value("max_seq_length").toInt(),
            kMaxSeqLength);

        // The card says how the model was made and how well it does.
        QFile card(modelFolder() + "/README.md");
        QVERIFY(card.open(QIODevice::ReadOnly));
        const QString text = QString::fromUtf8(card.readAll());
        QVERIFY(text.contains("scripts/build_builtin_model.sh"));
        QVERIFY(text.contains("MRR@10"));
    }

    void embedGivesNormalizedVectorsOfTheDocumentedDimension()
    {
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString input = scratch.filePath("texts.txt");
        QFile file(input);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(
            "dog\na domesticated carnivorous mammal\nthe stock exchange closed early\n\xc3\xa9t\xc3\xa9\n");
        file.close();
        const QString output = scratch.filePath("out.jsonl");
        BUILTIN_RUN_OK(embed, cli(),
            (QStringList { "embed", "--model", modelFolder(), "--input", input, "--output", output }));
        QFile out(output);
        QVERIFY(out.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = out.readAll().split('\n');
        int rows = 0;
        for (const QByteArray &line : lines) {
            if (line.trimmed().isEmpty())
                continue;
            const QJsonArray row = QJsonDocument::fromJson(line).object().value("embedding").toArray();
            QCOMPARE(row.size(), kEmbeddingDimension);
            double norm = 0;
            for (const auto &v : row) {
                QVERIFY(std::isfinite(v.toDouble()));
                norm += v.toDouble() * v.toDouble();
            }
            QVERIFY2(std::abs(std::sqrt(norm) - 1.0) < 1e-4, qPrintable(QString::number(std::sqrt(norm))));
            ++rows;
        }
        QCOMPARE(rows, 4);
    }

    // `--base builtin` (and inspect's --model builtin) find resources/models/builtin from the build tree.
    void builtinResolvesFromTheBuildTree()
    {
        BUILTIN_RUN_OK(inspect, cli(),
            (QStringList { "inspect", "--data", demoData(), "--model", "builtin", "--json" }));
        const QJsonObject report = jsonOutput(inspect);
        QCOMPARE(report.value("length_unit").toString(), QStringLiteral("tokens"));
        QCOMPARE(report.value("max_seq_length").toInt(), kMaxSeqLength);
        // Dictionary definitions are short: almost none is cut at max_seq_length.
        QVERIFY(
            report.value("lengths").toObject().value("positive").toObject().value("over_limit").toInt() <= 5);
    }

    void demoDataIsClean()
    {
        BUILTIN_RUN_OK(inspect, cli(), (QStringList { "inspect", "--data", demoData(), "--json" }));
        const QJsonObject report = jsonOutput(inspect);
        const int rows = report.value("rows").toInt();
        QVERIFY2(rows >= 1000 && rows <= 4000, qPrintable(QString::number(rows)));
        QCOMPARE(rows, readPairs(demoData()).size());
        QCOMPARE(report.value("empty_texts").toInt(), 0);
        QCOMPARE(report.value("identical_sides").toInt(), 0);
        QCOMPARE(report.value("duplicate_pairs").toInt(), 0);
        // One pair per synset, unique on both sides: every held-out query has exactly one right answer.
        QCOMPARE(report.value("repeated_anchors").toInt(), 0);
        QCOMPARE(report.value("repeated_positives").toInt(), 0);
        QVERIFY(QFileInfo::exists(resources() + "/data/LICENSE.wordnet"));
    }

    // Far above chance on definitions from synsets that pretraining never saw, asked the way the
    // pretraining pairs never ask. Chance MRR@10 over 2000 definitions is about 0.0015; an untrained
    // model of this shape scores 0.03, the built-in one 0.157 (its model card); the bound leaves room for
    // other BLAS kernels' rounding.
    void builtinModelRetrievesUnseenDefinitions()
    {
        BUILTIN_RUN_OK(
            eval, cli(), (QStringList { "eval", "--model", modelFolder(), "--data", demoData(), "--json" }));
        const QJsonObject metrics = jsonOutput(eval).value("metrics").toObject();
        const double mrr = metrics.value("mrr@10").toDouble();
        QVERIFY2(mrr >= 0.12, qPrintable(QStringLiteral("mrr@10 %1").arg(mrr)));
        QVERIFY(metrics.value("mean_cos_pos").toDouble() > metrics.value("mean_cos_neg").toDouble() + 0.1);
    }

    // scripts/make_sample_data.py rebuilds the committed demo and general-check files byte for byte, no
    // demo definition or usage example occurs anywhere in the pretraining set, and no text of the
    // general check (the do-no-harm set, train/generalcheck.h) occurs in the demo or pretraining set.
    void demoDataIsReproducibleAndUnseenInPretraining()
    {
        if (!QFileInfo::exists("/usr/share/wordnet/data.noun"))
            QSKIP("wordnet-base is not installed");
        const QString python = QStandardPaths::findExecutable("python3");
        if (python.isEmpty())
            QSKIP("no python3");
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString demo = scratch.filePath("demo.tsv");
        const QString pretrain = scratch.filePath("pretrain.tsv");
        const QString general = scratch.filePath("general.tsv");
        BUILTIN_RUN_OK(make, python,
            (QStringList { repoRoot() + "/scripts/make_sample_data.py", "--demo", demo, "--pretrain",
                pretrain, "--general", general }));

        QFile committed(demoData()), rebuilt(demo);
        QVERIFY(committed.open(QIODevice::ReadOnly) && rebuilt.open(QIODevice::ReadOnly));
        QVERIFY2(committed.readAll() == rebuilt.readAll(), "the committed demo file differs from a rebuild");
        QFile committedGeneral(generalCheckData()), rebuiltGeneral(general);
        QVERIFY(committedGeneral.open(QIODevice::ReadOnly) && rebuiltGeneral.open(QIODevice::ReadOnly));
        QVERIFY2(committedGeneral.readAll() == rebuiltGeneral.readAll(),
            "the committed general-check file differs from a rebuild");

        const auto demoPairs = readPairs(demo);
        const auto pretrainPairs = readPairs(pretrain);
        QVERIFY(pretrainPairs.size() > 100000);
        QSet<QString> pretrainTexts;
        QSet<QPair<QString, QString>> pretrainSet;
        for (const auto &pair : pretrainPairs) {
            pretrainTexts.insert(pair.first.toLower());
            pretrainTexts.insert(pair.second.toLower());
            pretrainSet.insert(pair);
        }
        // Anchors are usage examples or lookup queries ("define glissade"): neither occurs in
        // pretraining, and neither do the definitions.
        int lookups = 0;
        for (const auto &pair : demoPairs) {
            QVERIFY2(!pretrainSet.contains(pair), qPrintable(pair.first + " | " + pair.second));
            QVERIFY2(!pretrainTexts.contains(pair.first.toLower()), qPrintable(pair.first));
            QVERIFY2(!pretrainTexts.contains(pair.second.toLower()), qPrintable(pair.second));
            if (pair.first.contains(QRegularExpression("\\b(mean|meaning|define|definition)\\b")))
                ++lookups;
        }
        // Mostly lookup queries, some usage examples.
        QVERIFY2(lookups > demoPairs.size() / 2 && lookups < demoPairs.size(),
            qPrintable(QString::number(lookups)));

        QSet<QString> demoTexts, generalAnchors, generalPositives;
        for (const auto &pair : demoPairs) {
            demoTexts.insert(pair.first.toLower());
            demoTexts.insert(pair.second.toLower());
        }
        const auto generalPairs = readPairs(general);
        QCOMPARE(generalPairs.size(), 500);
        for (const auto &pair : generalPairs) {
            for (const QString &text : { pair.first.toLower(), pair.second.toLower() }) {
                QVERIFY2(!pretrainTexts.contains(text), qPrintable(text));
                QVERIFY2(!demoTexts.contains(text), qPrintable(text));
            }
            generalAnchors.insert(pair.first.toLower());
            generalPositives.insert(pair.second.toLower());
        }
        // One right answer per query.
        QCOMPARE(generalAnchors.size(), generalPairs.size());
        QCOMPARE(generalPositives.size(), generalPairs.size());
    }
};

QTEST_GUILESS_MAIN(TestBuiltin)
#include "tst_builtin.moc"
