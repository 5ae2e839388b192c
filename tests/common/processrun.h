#pragma once

// Running a program (pairtune-cli, the Python reference) from a test and collecting its output, and the
// Python interpreter the reference suites use: one copy for every suite. Header-only, QtCore.

#include <QtCore/QByteArray>
#include <QtCore/QProcess>
#include <QtCore/QProcessEnvironment>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace pairtune::testrun {

struct RunResult
{
    int code = -1; // the exit code; -1: never started or timed out, -2: killed by a signal
    QByteArray out;
    QByteArray err;

    // The command line, the exit code and the end of stderr: what a failing test should print.
    QString describe(const QString &program, const QStringList &args) const
    {
        return QStringLiteral("%1 %2\nexit %3\n%4")
            .arg(program, args.join(QLatin1Char(' ')), QString::number(code),
                QString::fromUtf8(err.right(3000)));
    }
};

// This process's environment with `entries` ("NAME=value") set on top.
inline QProcessEnvironment environmentWith(const QStringList &entries)
{
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    for (const QString &entry : entries)
        environment.insert(entry.section(QLatin1Char('='), 0, 0), entry.section(QLatin1Char('='), 1));
    return environment;
}

// Waits for a started process and collects its output; one that runs past timeoutMs is killed (code -1,
// err "timed out: " and what it had printed on stderr).
inline RunResult finish(QProcess &process, int timeoutMs)
{
    RunResult result;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out: " + process.readAllStandardError();
        return result;
    }
    result.code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

// environment: "NAME=value" entries added to this process's environment for the program.
inline RunResult run(const QString &program, const QStringList &args, int timeoutMs = 600000,
    const QString &workingDirectory = QString(), const QStringList &environment = {})
{
    QProcess process;
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    if (!environment.isEmpty())
        process.setProcessEnvironment(environmentWith(environment));
    process.start(program, args);
    if (!process.waitForStarted()) {
        RunResult result;
        result.err = process.errorString().toUtf8();
        return result;
    }
    return finish(process, timeoutMs);
}

// The interpreter with Debian's python3-torch and python3-numpy (docs/pitfalls.md §6): PAIRTUNE_PYTHON
// when set, else /usr/bin/python3, never whichever python3 comes first on the PATH.
inline QString python()
{
    const QString fromEnv = qEnvironmentVariable("PAIRTUNE_PYTHON");
    return fromEnv.isEmpty() ? QStringLiteral("/usr/bin/python3") : fromEnv;
}

// Why python() cannot `import modules` ("torch, numpy"), empty when it can: a suite QSKIPs with it.
// packages: what to install ("python3-torch and python3-numpy").
inline QString pythonCannotImport(const QString &modules, const QString &packages)
{
    const RunResult probe = run(python(), { QStringLiteral("-c"), QStringLiteral("import ") + modules });
    if (probe.code == 0)
        return {};
    return python() + QStringLiteral(" cannot import ") + modules + QStringLiteral(" (install ") + packages
        + QStringLiteral(", or set PAIRTUNE_PYTHON): ") + QString::fromUtf8(probe.err.trimmed().right(300));
}

// What the Python reference scripts (tests/interop/reference*.py) import; empty when python() has it.
inline QString torchMissing()
{
    return pythonCannotImport(
        QStringLiteral("torch, numpy"), QStringLiteral("python3-torch and python3-numpy"));
}

} // namespace pairtune::testrun

// Fails the current test function when the command does not exit with 0.
#define RUN_OK(program, args)                                                                                \
    do {                                                                                                     \
        const QStringList runArgs_ = (args);                                                                 \
        const pairtune::testrun::RunResult result_ = pairtune::testrun::run((program), runArgs_);            \
        QVERIFY2(result_.code == 0, qPrintable(result_.describe((program), runArgs_)));                      \
    } while (false)
