// A model folder's tested settings (pairtune_tuning.json, recipe/modeltuning.h): reading, checking,
// applying, and the one-line warning about settings that barely move the model. The built-in model's
// file is checked against the flags its own fine-tuning test runs (resources/data/demo-train-flags.txt).

#include "core/error.h"
#include "recipe/modeltuning.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <nlohmann/json.hpp>

using namespace pairtune;
using json = nlohmann::json;

namespace {

const QString kResources = QStringLiteral(PAIRTUNE_SOURCE_DIR "/resources");

json exampleFile()
{
    return json::parse(R"({"pairtune_tuning": 1,
        "settings": {"epochs": 4, "lr": 3e-4, "warmup_steps": 20, "similarity": "cos", "scale": 20},
        "tested": "t", "slow_settings": {"lr": 2e-5}, "slow_result": "0.24 to 0.25"})");
}

void writeFile(const QString &path, const QByteArray &text)
{
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(text);
}

} // namespace

class TestModelTuning : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The shipped file says what demo-train-flags.txt runs (the flags tst_builtin_finetune tests):
    // every "--flag value" pair there is a setting here with the same value, and nothing more.
    void builtinFileMatchesItsTestedFlags()
    {
        const std::optional<ModelTuning> tuning
            = readModelTuning((kResources + QStringLiteral("/models/builtin")).toStdString());
        QVERIFY(tuning);
        QFile flagsFile(kResources + QStringLiteral("/data/demo-train-flags.txt"));
        QVERIFY(flagsFile.open(QIODevice::ReadOnly));
        const QStringList words = QString::fromUtf8(flagsFile.readAll())
                                      .split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
        QCOMPARE(words.size() % 2, 0);
        QCOMPARE(std::size_t(words.size() / 2), tuning->settings.size());
        for (qsizetype i = 0; i < words.size(); i += 2) {
            QVERIFY(words[i].startsWith(QStringLiteral("--")));
            const std::string key = words[i].mid(2).replace(QLatin1Char('-'), QLatin1Char('_')).toStdString();
            QVERIFY2(tuning->settings.contains(key), key.c_str());
            const json &value = tuning->settings[key];
            if (value.is_string())
                QCOMPARE(QString::fromStdString(value.get<std::string>()), words[i + 1]);
            else
                QCOMPARE(value.get<double>(), words[i + 1].toDouble());
        }
        // The recipe's own learning rate is the one it calls slow.
        QVERIFY(usesSlowSettings(TrainingConfig {}, *tuning));
        QVERIFY(!tuning->tested.empty());
        QVERIFY(!tuning->slowResult.empty());
    }

    void applyingKeepsEverythingElse()
    {
        const ModelTuning tuning = modelTuningFromJson(exampleFile(), "example");
        TrainingConfig current;
        current.batchSize = 64;
        current.outPath = "run";
        const TrainingConfig tuned = applyModelTuning(current, tuning);
        QCOMPARE(tuned.lr, 3e-4);
        QCOMPARE(tuned.epochs, 4);
        QCOMPARE(tuned.warmupSteps, std::int64_t(20));
        QCOMPARE(tuned.similarity, std::string("cos"));
        QCOMPARE(tuned.scale, 20.0);
        QCOMPARE(tuned.batchSize, 64);
        QCOMPARE(tuned.outPath, std::string("run"));
        QVERIFY(!usesSlowSettings(tuned, tuning));
        QVERIFY(slowSettingsWarning(tuned, tuning).empty());
    }

    void warningNamesTheSlowValueTheResultAndTheBetterFlags()
    {
        const ModelTuning tuning = modelTuningFromJson(exampleFile(), "example");
        const std::string line = slowSettingsWarning(TrainingConfig {}, tuning);
        QVERIFY(line.find('\n') == std::string::npos);
        QVERIFY2(
            line.find("lr 2e-05 barely moves this model (0.24 to 0.25)") != std::string::npos, line.c_str());
        QVERIFY2(line.find("--epochs 4 --lr 0.0003 --scale 20 --similarity cos --warmup-steps 20")
                != std::string::npos,
            line.c_str());
        QCOMPARE(tuningFlags(tuning),
            std::string("--epochs 4 --lr 0.0003 --scale 20 --similarity cos --warmup-steps 20"));
        // Any other learning rate is the user's choice: no warning.
        TrainingConfig other;
        other.lr = 5e-5;
        QVERIFY(slowSettingsWarning(other, tuning).empty());
    }

    void folderWithoutFileHasNoTuning()
    {
        QTemporaryDir dir;
        QVERIFY(!readModelTuning(dir.path().toStdString()));
        QVERIFY(!readModelTuning(""));
    }

    void malformedFilesAreErrorsNamingTheFile_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("says");
        QTest::newRow("not json") << QByteArray("{") << QStringLiteral("not valid JSON");
        QTest::newRow("no version") << QByteArray(R"({"settings": {"lr": 1e-4}})")
                                    << QStringLiteral("pairtune_tuning");
        QTest::newRow("unknown key") << QByteArray(
            R"({"pairtune_tuning": 1, "settings": {"lr": 1e-4}, "x": 1})")
                                     << QStringLiteral("unknown key \"x\"");
        QTest::newRow("unknown setting")
            << QByteArray(R"({"pairtune_tuning": 1, "settings": {"learning_rate": 1e-4}})")
            << QStringLiteral("learning_rate");
        QTest::newRow("wrong type") << QByteArray(R"({"pairtune_tuning": 1, "settings": {"epochs": "four"}})")
                                    << QStringLiteral("epochs");
        QTest::newRow("a path") << QByteArray(R"({"pairtune_tuning": 1, "settings": {"out_path": "x"}})")
                                << QStringLiteral("not a recipe setting");
        QTest::newRow("empty") << QByteArray(R"({"pairtune_tuning": 1, "settings": {}})")
                               << QStringLiteral("empty");
    }
    void malformedFilesAreErrorsNamingTheFile()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, says);
        QTemporaryDir dir;
        writeFile(dir.filePath(QString::fromLatin1(kModelTuningFile)), text);
        try {
            readModelTuning(dir.path().toStdString());
            QFAIL("no error");
        } catch (const Error &error) {
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(QString::fromLatin1(kModelTuningFile)), qPrintable(message));
            QVERIFY2(message.contains(says), qPrintable(message));
        }
    }
};

QTEST_GUILESS_MAIN(TestModelTuning)
#include "tst_modeltuning.moc"
