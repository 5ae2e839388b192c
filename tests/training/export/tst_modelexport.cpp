// The export orchestration (export/modelexport.h, issue 22): a model folder is staged next to the
// destination, the formats are written into the copy and only a finished export appears. A bad target,
// a format the model cannot be written in and a stop leave nothing behind, with a message that names
// the path; `pairtune-cli export` takes --run or --model and the formats as the contract says.

#include "core/error.h"
#include "export/ggufexport.h"
#include "export/modelexport.h"
#include "export/onnxexport.h"
#include "model/sentencemodel.h"
#include "processrun.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

using namespace pairtune;

namespace {

const QString kBuiltin = QStringLiteral(PAIRTUNE_BUILTIN_MODEL);

QByteArray fileHash(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return hash.result();
}

// Every file under folder, relative, with its hash.
QMap<QString, QByteArray> filesUnder(const QString &folder)
{
    QMap<QString, QByteArray> files;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        files.insert(QDir(folder).relativeFilePath(path), fileHash(path));
    }
    return files;
}

// What the folder holds, hidden entries included (a staging folder is ".<name>.partial-*").
QStringList entries(const QString &folder)
{
    return QDir(folder).entryList(QDir::AllEntries | QDir::Hidden | QDir::NoDotAndDotDot, QDir::Name);
}

// Runs f, which must throw pairtune::Error; returns it (or fails the test with a default one).
std::optional<Error> thrown(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &error) {
        return error;
    }
    return std::nullopt;
}

} // namespace

class TestModelExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void withoutFormatsTheFolderIsCopiedByteForByte()
    {
        QTemporaryDir dir;
        const QString destination = dir.filePath(QStringLiteral("nested/out"));
        double last = -1;
        bool monotonic = true;
        ExportCallbacks callbacks;
        callbacks.progress = [&](double fraction, const std::string &) {
            monotonic = monotonic && fraction >= last;
            last = fraction;
        };
        const ExportedModel exported = exportModelFolder(
            kBuiltin.toStdString(), destination.toStdString(), ExportFormats {}, callbacks);
        QCOMPARE(QString::fromStdString(exported.destination), QDir(destination).absolutePath());
        QVERIFY(exported.files.empty());
        QCOMPARE(filesUnder(destination), filesUnder(kBuiltin));
        QVERIFY(monotonic);
        QCOMPARE(last, 1.0);
        QCOMPARE(entries(dir.filePath(QStringLiteral("nested"))), QStringList { QStringLiteral("out") });
    }

    void anExistingDestinationIsRefusedAndKept()
    {
        QTemporaryDir dir;
        const QString destination = dir.filePath(QStringLiteral("out"));
        QVERIFY(QDir().mkpath(destination));
        QFile keep(destination + QStringLiteral("/keep.txt"));
        QVERIFY(keep.open(QIODevice::WriteOnly));
        keep.write("mine");
        keep.close();
        const auto error = thrown(
            [&] { exportModelFolder(kBuiltin.toStdString(), destination.toStdString(), ExportFormats {}); });
        QVERIFY(error);
        const QString message = QString::fromUtf8(error->what());
        QVERIFY2(message.contains(destination) && message.contains(QStringLiteral("already exists")),
            qPrintable(message));
        QCOMPARE(entries(destination), QStringList { QStringLiteral("keep.txt") });
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("out") });
    }

    void aDestinationUnderARegularFileFailsAndLeavesNothing()
    {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("a-file"));
        QFile plain(file);
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.write("x");
        plain.close();
        const QString destination = file + QStringLiteral("/out");
        const auto error = thrown(
            [&] { exportModelFolder(kBuiltin.toStdString(), destination.toStdString(), ExportFormats {}); });
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Io);
        const QString message = QString::fromUtf8(error->what());
        QVERIFY2(message.contains(file)
                && message.contains(QStringLiteral("Nothing was written to ") + destination),
            qPrintable(message));
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("a-file") });
        QVERIFY(QFileInfo(file).isFile());
    }

    void aFormatTheModelCannotHoldIsRefusedBeforeAnyFileIsWritten()
    {
        // A Dense head: llama.cpp's embedding graph has none (export/ggufexport.h refuses it).
        QTemporaryDir dir;
        CreateOptions options;
        options.vocabPath = (kBuiltin + QStringLiteral("/vocab.txt")).toStdString();
        options.hidden = 32;
        options.heads = 2;
        options.intermediate = 64;
        options.denseOut = 16;
        const QString source = dir.filePath(QStringLiteral("dense-model"));
        SentenceModel::create(options).save(source.toStdString());
        const SentenceModel model = SentenceModel::load(source.toStdString());
        const std::string reason = ggufUnsupportedReason(model, GgufType::F32);
        QVERIFY2(!reason.empty(), "the GGUF writer accepts a Dense head; pick another refused model here");

        ExportFormats formats;
        formats.onnx = true;
        formats.gguf = true;
        const std::vector<std::string> problems = exportFormatProblems(model, formats);
        QVERIFY(!problems.empty());
        QCOMPARE(problems.back(), "GGUF f32: " + reason);
        // ONNX holds any model ONNX says it can: a problem only when it says why not.
        QCOMPARE(
            problems.size(), onnxUnsupportedReason(model).empty() ? std::size_t { 1 } : std::size_t { 2 });

        const QString destination = dir.filePath(QStringLiteral("out"));
        QStringList phases;
        ExportCallbacks callbacks;
        callbacks.progress = [&](double, const std::string &what) { phases << QString::fromStdString(what); };
        const auto error = thrown(
            [&] { exportModelFolder(source.toStdString(), destination.toStdString(), formats, callbacks); });
        QVERIFY(error);
        const QString message = QString::fromUtf8(error->what());
        QVERIFY2(message.contains(QString::fromStdString(reason)) && message.contains(source)
                && message.contains(QStringLiteral("Nothing was written to ") + destination),
            qPrintable(message));
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("dense-model") });
        for (const QString &phase : phases)
            QVERIFY2(!phase.startsWith(QStringLiteral("copying")), qPrintable(phase));
    }

    void aStopDuringTheCopyLeavesNothing()
    {
        QTemporaryDir dir;
        const QString destination = dir.filePath(QStringLiteral("out"));
        int files = 0;
        ExportCallbacks callbacks;
        callbacks.progress = [&](double, const std::string &what) {
            if (what.rfind("copying", 0) == 0)
                ++files;
        };
        callbacks.cancelled = [&] { return files >= 3; }; // some files are already in the staging folder
        const auto error = thrown([&] {
            exportModelFolder(kBuiltin.toStdString(), destination.toStdString(), ExportFormats {}, callbacks);
        });
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QVERIFY2(QString::fromUtf8(error->what()).contains(destination), error->what());
        QCOMPARE(files, 3);
        QCOMPARE(entries(dir.path()), QStringList {});
    }

    void aStopWhileWritingOnnxLeavesNothing()
    {
        QTemporaryDir dir;
        const QString destination = dir.filePath(QStringLiteral("out"));
        bool onnxStarted = false;
        ExportCallbacks callbacks;
        callbacks.progress = [&](double, const std::string &what) {
            onnxStarted = onnxStarted || what.find("onnx") != std::string::npos;
        };
        callbacks.cancelled = [&] { return onnxStarted; };
        ExportFormats formats;
        formats.onnx = true;
        const auto error = thrown([&] {
            exportModelFolder(kBuiltin.toStdString(), destination.toStdString(), formats, callbacks);
        });
        QVERIFY(error);
        QCOMPARE(error->kind(), Error::Kind::Cancelled);
        QVERIFY(onnxStarted);
        QCOMPARE(entries(dir.path()), QStringList {});
    }

    void onnxFilesAreWrittenInsideTheCopiedFolder()
    {
        QTemporaryDir dir;
        const QString destination = dir.filePath(QStringLiteral("out"));
        ExportFormats formats;
        formats.onnx = true;
        const ExportedModel exported
            = exportModelFolder(kBuiltin.toStdString(), destination.toStdString(), formats);
        const std::vector<std::string> expected { "onnx/model.onnx", "onnx/sentence_embedding.onnx" };
        QCOMPARE(exported.files, expected);
        QMap<QString, QByteArray> files = filesUnder(destination);
        for (const std::string &file : expected)
            QVERIFY(QFileInfo(destination + QLatin1Char('/') + QString::fromStdString(file)).size() > 1000);
        for (const std::string &file : expected)
            files.remove(QString::fromStdString(file));
        QCOMPARE(files, filesUnder(kBuiltin)); // the folder itself is the source's bytes
        QCOMPARE(entries(dir.path()), QStringList { QStringLiteral("out") });
    }

    void theCliTakesARunOrAModelAndTheFormats()
    {
        const QString cli = QStringLiteral(PAIRTUNE_CLI_PATH);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("cli-out"));
        const QStringList args { QStringLiteral("export"), QStringLiteral("--model"),
            QStringLiteral("builtin"), QStringLiteral("--out"), out, QStringLiteral("--format"),
            QStringLiteral("folder,onnx") };
        const testrun::RunResult result = testrun::run(cli, args, 300000);
        QVERIFY2(result.code == 0, qPrintable(result.describe(cli, args)));
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/onnx/sentence_embedding.onnx")));
        QVERIFY(QFileInfo::exists(out + QStringLiteral("/modules.json")));
        QVERIFY(!QFileInfo::exists(out + QStringLiteral("/gguf")));

        // Refusals: both sources, neither, an unknown format, fp16 without onnx, a bad GGUF type.
        const QList<QStringList> refused {
            { QStringLiteral("--run"), dir.path(), QStringLiteral("--model"), QStringLiteral("builtin") },
            {},
            { QStringLiteral("--model"), QStringLiteral("builtin"), QStringLiteral("--format"),
                QStringLiteral("folder,tflite") },
            { QStringLiteral("--model"), QStringLiteral("builtin"), QStringLiteral("--onnx-fp16") },
            { QStringLiteral("--model"), QStringLiteral("builtin"), QStringLiteral("--format"),
                QStringLiteral("gguf"), QStringLiteral("--gguf-type"), QStringLiteral("q4_0") },
        };
        for (const QStringList &extra : refused) {
            const QString target = dir.filePath(QStringLiteral("refused"));
            const QStringList refusedArgs
                = QStringList { QStringLiteral("export"), QStringLiteral("--out"), target } + extra;
            const testrun::RunResult refusal = testrun::run(cli, refusedArgs, 120000);
            QVERIFY2(refusal.code != 0 && !refusal.err.trimmed().isEmpty(),
                qPrintable(refusal.describe(cli, refusedArgs)));
            QVERIFY(!QFileInfo::exists(target));
        }
    }
};

QTEST_GUILESS_MAIN(TestModelExport)
#include "tst_modelexport.moc"
