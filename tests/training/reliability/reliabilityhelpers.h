#pragma once

// Shared helpers of the reliability suites (docs/reliability.md): running pairtune-cli with extra
// environment (the PAIRTUNE_TEST_PAUSE_IN hook) or with a file-size limit, waiting for the pause line,
// and checking that whatever a run folder holds under its final names is complete and loadable.

#include "../train/trainingclihelpers.h"

#include <QDirIterator>
#include <QProcessEnvironment>
#include <QRegularExpression>

#include <csignal>
#include <map>
#include <sys/resource.h>

namespace reliabilitytest {

using namespace traintest;

// Starts pairtune-cli with `env` added to the environment. fileSizeLimit > 0 sets RLIMIT_FSIZE in the
// child and ignores SIGXFSZ, so a write past the limit fails with EFBIG ("File too large"): a full disk
// without root or a small file system.
inline void startCli(
    QProcess &process, const QStringList &args, const QStringList &env = {}, rlim_t fileSizeLimit = 0)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &entry : env)
        environment.insert(entry.section('=', 0, 0), entry.section('=', 1));
    process.setProcessEnvironment(environment);
    if (fileSizeLimit > 0) {
        process.setChildProcessModifier([fileSizeLimit] {
            std::signal(SIGXFSZ, SIG_IGN);
            const rlimit limit { fileSizeLimit, fileSizeLimit };
            ::setrlimit(RLIMIT_FSIZE, &limit);
        });
    }
    process.start(cliPath(), args);
}

// Runs a system tool (cp, mount); true when it exited with 0.
inline bool runTool(const QString &program, const QStringList &args)
{
    QProcess process;
    process.start(program, args);
    return process.waitForFinished(30000) && process.exitStatus() == QProcess::NormalExit
        && process.exitCode() == 0;
}

inline CliResult runCliWith(const QStringList &args, const QStringList &env, rlim_t fileSizeLimit = 0)
{
    QProcess process;
    startCli(process, args, env, fileSizeLimit);
    return finishCli(process);
}

// Waits until the process prints the pause line of PAIRTUNE_TEST_PAUSE_IN; returns the path it is
// about to publish (empty when the process ended first or the time ran out). Stderr read so far is
// appended to `err`.
inline QString waitForPause(QProcess &process, QByteArray &err, int timeoutMs = 300000)
{
    static const QRegularExpression pause("pairtune: test pause before publishing (.*)\n");
    QElapsedTimer timer;
    timer.start();
    while (timer.elapsed() < timeoutMs) {
        process.waitForReadyRead(50);
        err += process.readAllStandardError();
        const QRegularExpressionMatch match = pause.match(QString::fromUtf8(err));
        if (match.hasMatch())
            return match.captured(1);
        if (process.state() == QProcess::NotRunning) {
            err += process.readAllStandardError();
            const QRegularExpressionMatch last = pause.match(QString::fromUtf8(err));
            return last.hasMatch() ? last.captured(1) : QString();
        }
    }
    return {};
}

inline void killNow(QProcess &process)
{
    if (process.state() != QProcess::NotRunning) {
        process.kill(); // SIGKILL: no handler, no destructor, no cleanup
        process.waitForFinished(60000);
    }
}

// Names of staging leftovers of the atomic writers anywhere under `root`.
inline QStringList stagingLeftovers(const QString &root)
{
    QStringList found;
    QDirIterator it(root, QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot,
        QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QString name = QFileInfo(path).fileName();
        if (name.contains(".partial-") || name.contains(".old-") || name.contains(".tmp-")
            || name.contains(".deleting-"))
            found << path;
    }
    return found;
}

// Loads a model folder the way a user would (`pairtune-cli embed`); empty when it works, otherwise why.
inline QString modelProblem(const QString &folder, const QString &scratch)
{
    if (!QFileInfo::exists(folder + "/modules.json"))
        return folder + ": no modules.json";
    const EmbedOutput e = embed(folder, { "alpha bravo delta", "apple banana cherry" }, scratch);
    if (e.cli.exitCode != 0 || e.cli.crashed)
        return folder + ": " + e.cli.describe();
    if (e.rows != 2 || !allFinite(e.values))
        return folder + ": wrong or non-finite embeddings";
    return {};
}

// Every file and folder a run shows under a final name is complete: config.json / summary.json parse,
// every line of metrics.jsonl but a torn last one parses, eval-pairs.tsv ends with a newline, every
// checkpoints/step-N holds trainer_state.json, optimizer.safetensors and a loadable model/, and best/
// and model/ load. `checked` caches folders already loaded (by path and weight-file time).
inline QStringList runFolderProblems(
    const QString &run, const QString &scratch, std::map<QString, QDateTime> &checked)
{
    QStringList problems;
    for (const char *name : { "config.json", "summary.json" }) {
        const QString path = run + "/" + name;
        if (QFileInfo::exists(path)) {
            QJsonParseError error;
            QJsonDocument::fromJson(readFile(path), &error);
            if (error.error != QJsonParseError::NoError)
                problems << path + ": " + error.errorString();
        }
    }
    const QList<QByteArray> lines = readFile(run + "/metrics.jsonl").split('\n');
    for (int i = 0; i + 1 < lines.size(); ++i) { // the last element is after the final newline
        if (!QJsonDocument::fromJson(lines[i]).isObject())
            problems << QString(
                "%1/metrics.jsonl line %2 is not a JSON object (only a torn last line may be)")
                            .arg(run)
                            .arg(i + 1);
    }
    if (QFileInfo::exists(run + "/eval-pairs.tsv") && !readFile(run + "/eval-pairs.tsv").endsWith('\n'))
        problems << run + "/eval-pairs.tsv is cut short";

    QStringList models;
    static const QRegularExpression stepName("^step-[0-9]+$");
    for (const QString &name : QDir(run + "/checkpoints").entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        if (!stepName.match(name).hasMatch())
            continue;
        const QString folder = run + "/checkpoints/" + name;
        if (!readJsonObject(folder + "/trainer_state.json").contains("step"))
            problems << folder + ": trainer_state.json missing or damaged";
        try {
            pairtune::SafetensorsFile::open((folder + "/optimizer.safetensors").toStdString());
        } catch (const std::exception &e) {
            problems << folder + ": " + e.what();
        }
        models << folder + "/model";
    }
    for (const char *name : { "best", "model" })
        if (QFileInfo::exists(run + "/" + name))
            models << run + "/" + name;
    for (const QString &model : models) {
        const QDateTime stamp = QFileInfo(model + "/model.safetensors").lastModified();
        const auto seen = checked.find(model);
        if (seen != checked.end() && seen->second == stamp && stamp.isValid())
            continue;
        const QString problem = modelProblem(model, scratch);
        if (problem.isEmpty())
            checked[model] = stamp;
        else
            problems << problem;
    }
    return problems;
}

} // namespace reliabilitytest
