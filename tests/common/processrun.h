#pragma once

// Running a program (pairtune-cli, the Python reference) from a test and collecting its output: one
// copy for the suites that compare against Python (interop, onestep, builtin). Header-only, QtCore.

#include <QtCore/QByteArray>
#include <QtCore/QProcess>
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

inline RunResult run(const QString &program, const QStringList &args, int timeoutMs = 600000,
    const QString &workingDirectory = QString())
{
    QProcess process;
    if (!workingDirectory.isEmpty())
        process.setWorkingDirectory(workingDirectory);
    process.start(program, args);
    RunResult result;
    if (!process.waitForStarted()) {
        result.err = process.errorString().toUtf8();
        return result;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        result.err = "timed out";
        return result;
    }
    result.code = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    return result;
}

} // namespace pairtune::testrun

// Fails the current test function when the command does not exit with 0.
#define RUN_OK(program, args)                                                                                \
    do {                                                                                                     \
        const QStringList runArgs_ = (args);                                                                 \
        const pairtune::testrun::RunResult result_ = pairtune::testrun::run((program), runArgs_);            \
        QVERIFY2(result_.code == 0, qPrintable(result_.describe((program), runArgs_)));                      \
    } while (false)
