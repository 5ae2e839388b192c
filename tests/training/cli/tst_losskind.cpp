// The loss and similarity vocabulary (training/recipe/losskind.h) against what reads and writes those
// names: config.json as an older run wrote it (the spellings may never change), the recipe check,
// `pairtune-cli train --help` and its --loss/--similarity checks, and the independent Python training
// reference (tests/interop/reference_train.py), whose losses are written from docs/formats.md §5.1.

#include "configcheck.h"
#include "processrun.h"
#include "recipe/losskind.h"
#include "recipe/trainingconfig.h"

#include <QRegularExpression>
#include <QTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace {

using pairtune::testconfig::mentions;
using pairtune::testconfig::runnable;
using pairtune::testrun::run;
using pairtune::testrun::RunResult;

const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);
const QString kReference = QStringLiteral(PAIRTUNE_TRAIN_REFERENCE);

QStringList qNames(const std::vector<std::string> &names)
{
    QStringList out;
    for (const std::string &name : names)
        out << QString::fromStdString(name);
    return out;
}

// The names of an option's choices in a help text: argparse's "--loss {a,b,c}" or, for the CLI, the
// description line "--loss TEXT:{a,b,c}" that CLI::IsMember adds.
QStringList choicesOf(const QByteArray &help, const QString &option)
{
    const QRegularExpression pattern(
        QRegularExpression::escape(option) + QStringLiteral("[^{\\n]*\\{([^}]*)\\}"));
    const QRegularExpressionMatch match = pattern.match(QString::fromUtf8(help));
    return match.hasMatch() ? match.captured(1).split(QLatin1Char(','), Qt::SkipEmptyParts) : QStringList();
}

} // namespace

class TestLossKind : public QObject
{
    Q_OBJECT

private slots:
    void namesAreDistinct()
    {
        std::set<std::string> names, classes;
        for (const pairtune::LossTraits &loss : pairtune::lossKinds()) {
            QVERIFY(names.insert(loss.name).second);
            QVERIFY(classes.insert(loss.stClassName).second);
            QCOMPARE(&pairtune::traitsOf(loss.kind), &loss);
        }
        std::set<std::string> similarities;
        for (const pairtune::SimilarityTraits &similarity : pairtune::similarityKinds()) {
            QVERIFY(similarities.insert(similarity.name).second);
            QCOMPARE(pairtune::findSimilarity(similarity.stName), &similarity);
        }
    }

    // config.json as a run writes it, spelled out by hand: every loss and similarity loads, passes the
    // recipe check and comes back with the same spelling.
    void everyKindRoundTripsThroughConfigJson()
    {
        for (const pairtune::LossTraits &loss : pairtune::lossKinds())
            for (const pairtune::SimilarityTraits &similarity : pairtune::similarityKinds()) {
                const nlohmann::json file = { { "data_paths", { "pairs.tsv" } }, { "base_path", "builtin" },
                    { "out_path", "run" }, { "loss", loss.name }, { "similarity", similarity.name } };
                const pairtune::TrainingConfig c = pairtune::trainingConfigFromJson(file, "config.json");
                QCOMPARE(pairtune::parseLossKind(c.loss), loss.kind);
                QCOMPARE(pairtune::parseSimilarityKind(c.similarity), similarity.kind);
                const auto problems = pairtune::validate(c);
                QVERIFY2(problems.empty(), problems.empty() ? "" : problems.front().c_str());
                const nlohmann::json written = pairtune::toJson(c);
                QCOMPARE(written.at("loss").get<std::string>(), std::string(loss.name));
                QCOMPARE(written.at("similarity").get<std::string>(), std::string(similarity.name));
            }
    }

    void unknownNamesAreRefusedNamingTheValidOnes()
    {
        for (const char *wrong : { "MNRL", "mnrl ", "MultipleNegativesRankingLoss", "cos", "" }) {
            pairtune::TrainingConfig c = runnable();
            c.loss = wrong;
            const auto problems = pairtune::validate(c);
            QVERIFY2(mentions(problems, "Unknown loss"), wrong);
            for (const std::string &name : pairtune::trainingLossNames())
                QVERIFY(mentions(problems, name));
            QVERIFY(!pairtune::findLoss(wrong));
            QVERIFY_THROWS_EXCEPTION(std::exception, pairtune::parseLossKind(wrong));
        }
        pairtune::TrainingConfig c = runnable();
        c.similarity = "cos_sim";
        QVERIFY(mentions(pairtune::validate(c), "Unknown similarity"));
    }

    // The recipe check's batch-of-one rule follows the traits: only a loss whose negatives are the
    // batch's other pairs needs two pairs per batch.
    void batchOfOneFollowsUsesNegatives()
    {
        for (const pairtune::LossTraits &loss : pairtune::lossKinds()) {
            pairtune::TrainingConfig c = runnable();
            c.loss = loss.name;
            c.batchSize = 1;
            QCOMPARE(mentions(pairtune::validate(c), "at least 2"), loss.usesNegatives);
            QCOMPARE(pairtune::lossUsesNegatives(loss.name), loss.usesNegatives);
            QCOMPARE(pairtune::lossUsesScores(loss.name), loss.usesScores);
            // Pairs alone or scores: every loss learns from exactly one of them.
            QVERIFY(loss.usesScores != loss.usesNegatives);
        }
    }

    // Every name `train --help` lists for --loss and --similarity gets past the option's check (the
    // run then stops for want of data), and the help lists exactly the vocabulary.
    void cliHelpListsAndAcceptsEveryName()
    {
        const RunResult help = run(kCli, { "train", "--help" }, 60000);
        QVERIFY2(help.code == 0, qPrintable(help.describe(kCli, { "train", "--help" })));
        const QStringList losses = choicesOf(help.out, QStringLiteral("--loss"));
        const QStringList similarities = choicesOf(help.out, QStringLiteral("--similarity"));
        QCOMPARE(losses, qNames(pairtune::trainingLossNames()));
        QCOMPARE(similarities, qNames(pairtune::similarityNames()));
        for (const QString &loss : losses) {
            const QStringList args = { "train", "--loss", loss, "--similarity", similarities.front() };
            const RunResult r = run(kCli, args, 60000);
            QVERIFY2(r.code != 0 && r.err.contains("train needs --data"), qPrintable(r.describe(kCli, args)));
        }
        const QStringList wrong = { "train", "--loss", "MultipleNegativesRankingLoss" };
        const RunResult r = run(kCli, wrong, 60000);
        QVERIFY2(r.code != 0 && r.err.contains("--loss"), qPrintable(r.describe(kCli, wrong)));
    }

    // The Python reference that tst_onestep trains against implements the same losses and similarities
    // under the same names.
    void pythonReferenceKnowsTheSameNames()
    {
        const QStringList args = { kReference, "--help" };
        const RunResult help = run(QStringLiteral("/usr/bin/python3"), args, 120000);
        if (help.code == -1)
            QSKIP("no /usr/bin/python3 (scripts/setup.sh installs it)");
        QVERIFY2(help.code == 0, qPrintable(help.describe(QStringLiteral("python3"), args)));
        QCOMPARE(choicesOf(help.out, QStringLiteral("--loss")), qNames(pairtune::trainingLossNames()));
        QCOMPARE(choicesOf(help.out, QStringLiteral("--similarity")), qNames(pairtune::similarityNames()));
    }
};

QTEST_GUILESS_MAIN(TestLossKind)
#include "tst_losskind.moc"
