// pairtune-cli reads workbooks where it reads pair files: `inspect` and `train` take --sheet (default:
// the first sheet), an unknown sheet lists the sheets, a bad cell is named as Sheet!A1, and the run's
// config.json keeps the sheet so a resume reads the same one.
#include "processrun.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

namespace {

const QString kCli = QStringLiteral(PAIRTUNE_CLI_PATH);
const QString kSheets = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/sheets/");

pairtune::testrun::RunResult cli(const QStringList &args)
{
    return pairtune::testrun::run(kCli, args, 300000);
}

int inspectedRows(const QStringList &args)
{
    const pairtune::testrun::RunResult result = cli(QStringList { "inspect", "--json" } + args);
    if (result.code != 0)
        qWarning("%s", qPrintable(result.describe(kCli, args)));
    return QJsonDocument::fromJson(result.out).object().value("rows").toInt(-1);
}

} // namespace

class TestSpreadsheetCli : public QObject
{
    Q_OBJECT

private slots:
    void inspectChoosesTheSheet()
    {
        QCOMPARE(inspectedRows({ "--data", kSheets + "fixtures.xlsx" }), 3); // the first sheet, "Pairs"
        QCOMPARE(inspectedRows({ "--data", kSheets + "fixtures.ods", "--sheet", "Merged cells" }), 3);
        QCOMPARE(inspectedRows({ "--data", kSheets + "fixtures.xlsx", "--sheet", "Offset" }), 1);
        QCOMPARE(inspectedRows({ "--data", kSheets + "wordnet-demo-pairs.ods" }), 2000);
    }

    void inspectErrors()
    {
        pairtune::testrun::RunResult result
            = cli({ "inspect", "--data", kSheets + "fixtures.xlsx", "--sheet", "Nope" });
        QVERIFY(result.code != 0);
        QVERIFY2(result.err.contains(
                     ": no sheet named \"Nope\"; the workbook's sheets are \"Pairs\", \"Formats\""),
            result.err.constData());
        result = cli({ "inspect", "--data", kSheets + "fixtures.xlsx", "--sheet", "Bad score" });
        QVERIFY(result.code != 0);
        QVERIFY2(result.err.contains(
                     "fixtures.xlsx: 'Bad score'!C4: the score \"high\" in column \"score\" is not a number"),
            result.err.constData());
        result = cli({ "inspect", "--data", kSheets + "legacy.xls" });
        QVERIFY(result.code != 0);
        QVERIFY2(result.err.contains("save it as .xlsx"), result.err.constData());
    }

    void trainKeepsTheSheet()
    {
        QTemporaryDir dir;
        const QString run = dir.filePath("run");
        const QStringList args { "train", "--data", kSheets + "fixtures.xlsx", "--sheet", "Pairs", "--base",
            "builtin", "--out", run, "--max-steps", "1", "--quiet", "--checkpoint-every", "0" };
        const pairtune::testrun::RunResult result = cli(args);
        QVERIFY2(result.code == 0, qPrintable(result.describe(kCli, args)));
        QFile config(QDir(run).filePath("config.json"));
        QVERIFY(config.open(QIODevice::ReadOnly));
        const QJsonObject training
            = QJsonDocument::fromJson(config.readAll()).object().value("training").toObject();
        QCOMPARE(training.value("data_sheet").toString(), QString("Pairs"));
    }
};

QTEST_GUILESS_MAIN(TestSpreadsheetCli)
#include "tst_spreadsheetcli.moc"
