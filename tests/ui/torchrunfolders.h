#pragma once

// Run folders as a run under torchrun leaves them, made from a real single-process run of the CLI, for
// tst_torchrunstudio and pairtune-torchrun-screenshots: config.json rewritten as rank 0 writes it
// (batch_size per process, processes, global_batch_size), and a finished run turned into a stopped one.
// torchrun itself is exercised by the engine's suites (tests/training/dist), not here. QtCore only.

#include "common/processrun.h"

#include <QtCore/QByteArray>
#include <QtCore/QFile>
#include <QtCore/QString>

#include <nlohmann/json.hpp>

#include <fstream>

namespace torchrunfolders {

// Copies the run `from` to `to` as if `processes` processes had trained it with its batch split evenly
// over them (the global batch is the batch the run really trained on). Returns an error or "".
inline QString copyAsProcesses(const QString &from, const QString &to, int processes)
{
    const auto copied
        = pairtune::testrun::run(QStringLiteral("cp"), { QStringLiteral("-r"), from, to }, 60000);
    if (copied.code != 0)
        return copied.describe(QStringLiteral("cp -r"), { from, to });
    nlohmann::json config;
    {
        std::ifstream in((to + QStringLiteral("/config.json")).toStdString());
        config = nlohmann::json::parse(in, nullptr, false);
    }
    if (!config.is_object() || !config.contains("training"))
        return QStringLiteral("no config.json in ") + to;
    const int global = config["training"]["batch_size"].get<int>();
    if (global % processes != 0)
        return QStringLiteral("batch %1 does not split over %2 processes").arg(global).arg(processes);
    config["training"]["batch_size"] = global / processes;
    config["training"]["out_path"] = to.toStdString();
    config["processes"] = processes;
    config["global_batch_size"] = global;
    std::ofstream((to + QStringLiteral("/config.json")).toStdString()) << config.dump(2);
    return {};
}

// Turns the run's last "finished" event into a stop, as after Ctrl-C: the folder then reads as a
// stopped run that its checkpoints can resume. Returns an error or "".
inline QString markStopped(const QString &run)
{
    QFile file(run + QStringLiteral("/metrics.jsonl"));
    if (!file.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read ") + file.fileName();
    QByteArray text = file.readAll();
    file.close();
    const QByteArray finished = "\"message\":\"finished\"";
    const qsizetype at = text.lastIndexOf(finished);
    if (at < 0)
        return QStringLiteral("no finished event in ") + file.fileName();
    text.replace(
        at, finished.size(), "\"message\":\"cancelled; continue with resume\""); // trainingresult.cpp
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate) || file.write(text) != text.size())
        return QStringLiteral("cannot write ") + file.fileName();
    return {};
}

} // namespace torchrunfolders
