#pragma once

// What the torchrun suites share (header-only, QtCore): Debian's torchrun started as
// `python3 -m torch.distributed.run` with `-r 2 -t 2` (docs/pitfalls.md §8) on 127.0.0.1 and a free port,
// and a pair file whose texts are all distinct.

#include "processrun.h"

#include <QtCore/QFile>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace pairtune::testrun {

// Why torchrun cannot be started here ("" when it can): a suite QSKIPs with this message.
inline QString torchrunMissing()
{
    return pythonCannotImport("torch.distributed.run", "python3-torch");
}

// A port nobody listens on now (the kernel's choice for port 0 on 127.0.0.1).
inline int freePort()
{
    const RunResult r = run(python(),
        { "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])" });
    return r.code == 0 ? QString::fromUtf8(r.out).trimmed().toInt() : 0;
}

// torchrun's arguments for 2 local processes running `program` directly.
inline QStringList torchrunArgs(const QString &program, const QStringList &programArgs)
{
    return QStringList { "-m", "torch.distributed.run", "--nproc_per_node", "2", "-r", "2", "-t", "2",
        "--master_addr", "127.0.0.1", "--master_port", QString::number(freePort()), "--no_python", program }
    + programArgs;
}

// Environment for the processes: collectives bounded by `timeoutSeconds`, not minutes.
inline QProcessEnvironment torchrunEnvironment(int timeoutSeconds = 120)
{
    return environmentWith({ "PAIRTUNE_DIST_TIMEOUT=" + QString::number(timeoutSeconds) });
}

inline RunResult torchrun(const QString &program, const QStringList &programArgs, int timeoutMs = 600000)
{
    QProcess process;
    process.setProcessEnvironment(torchrunEnvironment());
    process.start(python(), torchrunArgs(program, programArgs));
    if (!process.waitForStarted()) {
        RunResult result;
        result.err = "torchrun did not start";
        return result;
    }
    return finish(process, timeoutMs);
}

inline QString writePairs(const QString &path, int count)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("anchor\tpositive\n");
    for (int i = 0; i < count; ++i)
        file.write(QString("what is the code of item %1\titem %1 has the code %2\n")
                       .arg(i)
                       .arg((i * 7919) % 10007)
                       .toUtf8());
    return path;
}

inline QJsonObject readJson(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
}

} // namespace pairtune::testrun
