#pragma once

// Reads a torchrun command line (or Slurm script) as a cluster would: bash runs it with stand-ins for
// torchrun, srun and scontrol. The stand-in torchrun prints its own options on stderr ("LAUNCHER opt"),
// then runs the real pairtune-cli with the arguments after "--no_python PROGRAM" and --print-config, so
// the shell's quoting and the CLI's own parser decide what config the command makes. Header-only, QtCore.

#include "processrun.h"

#include <QtCore/QString>
#include <QtCore/QStringList>

#include <nlohmann/json.hpp>

namespace pairtune::testrun {

struct LaunchedCommand
{
    QStringList launcher; // torchrun's options as the shell split them
    nlohmann::json config; // what `pairtune-cli train ... --print-config` printed; null on failure
    QString failure; // the shell's exit code and stderr when it failed
};

inline LaunchedCommand launchWithStandIns(const QString &commandLine, const QString &cli)
{
    const QString standIns = QStringLiteral("torchrun() {\n"
                                            "  while [ \"$#\" -gt 0 ] && [ \"$1\" != --no_python ]; do "
                                            "printf 'LAUNCHER %s\\n' \"$1\" >&2; shift; done\n"
                                            "  shift 2\n"
                                            "  \"$PAIRTUNE_CLI\" \"$@\" --print-config\n"
                                            "}\n"
                                            "srun() { \"$@\"; }\n"
                                            "scontrol() { echo node-a; }\n");
    const RunResult result
        = run(QStringLiteral("/bin/bash"), { QStringLiteral("-c"), standIns + commandLine }, 60000, QString(),
            { QStringLiteral("PAIRTUNE_CLI=") + cli, QStringLiteral("SLURM_NNODES=2"),
                QStringLiteral("SLURM_JOB_ID=77"), QStringLiteral("SLURM_JOB_NODELIST=node-[a-b]") });
    LaunchedCommand launched;
    for (const QString &line : QString::fromUtf8(result.err).split(QLatin1Char('\n'))) {
        if (line.startsWith(QStringLiteral("LAUNCHER ")))
            launched.launcher << line.mid(9);
    }
    if (result.code != 0) {
        launched.failure = result.describe(QStringLiteral("bash -c"), { commandLine });
        return launched;
    }
    try {
        launched.config = nlohmann::json::parse(result.out.toStdString());
    } catch (const std::exception &e) {
        launched.failure = QStringLiteral("--print-config printed no JSON: %1\n%2")
                               .arg(QString::fromUtf8(e.what()), QString::fromUtf8(result.out));
    }
    return launched;
}

} // namespace pairtune::testrun
