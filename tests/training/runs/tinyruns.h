#pragma once

// Two real, tiny training runs made by `pairtune-cli train --max-steps` that differ in one setting
// (--lr): what the run-reading, comparison and `compare` suites read back. QtCore only.

#include "common/processrun.h"

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace tinyruns {

inline QString cli()
{
    return QStringLiteral(PAIRTUNE_CLI_PATH);
}

// Writes 48 distinct pairs ("word N" → "thing N") to `path`.
inline bool writePairs(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    static const char *words[8] = { "red", "green", "blue", "black", "white", "brown", "pink", "grey" };
    QByteArray text = "anchor\tpositive\n";
    for (int i = 0; i < 48; ++i)
        text += QByteArray(words[i % 8]) + " number " + QByteArray::number(i) + "\tthe " + words[(i + 3) % 8]
            + " item " + QByteArray::number(i * 7) + "\n";
    return file.write(text) == text.size();
}

struct Runs
{
    QString model;
    QString data;
    QString runA; // --lr 1e-3
    QString runB; // --lr 5e-3, everything else equal
    QString error; // empty when both runs were made
};

// `length` replaces the default three steps (--max-steps 3 --epochs 1 --eval-every 2).
inline QString trainRun(const QString &model, const QString &data, const QString &out, const QString &lr,
    const QStringList &length = { "--max-steps", "3", "--epochs", "1", "--eval-every", "2" })
{
    const QStringList args = QStringList { "train", "--data", data, "--base", model, "--out", out,
        "--batch-size", "8", "--lr", lr, "--threads", "1" }
        + length;
    const pairtune::testrun::RunResult r = pairtune::testrun::run(cli(), args, 300000);
    return r.code == 0 ? QString() : r.describe(cli(), args);
}

// A tiny BERT (pairtune-cli create) and the two runs, all under `folder`.
inline Runs makeRuns(const QString &folder, const QStringList &length = {})
{
    Runs runs;
    runs.model = folder + "/model";
    runs.data = folder + "/pairs.tsv";
    runs.runA = folder + "/run-lr-1e-3";
    runs.runB = folder + "/run-lr-5e-3";
    if (!writePairs(runs.data)) {
        runs.error = "cannot write " + runs.data;
        return runs;
    }
    const QStringList create = { "create", "--out", runs.model, "--vocab",
        QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt"), "--layers", "1", "--hidden",
        "32", "--heads", "4", "--intermediate", "64", "--max-seq-length", "16" };
    const pairtune::testrun::RunResult created = pairtune::testrun::run(cli(), create, 120000);
    if (created.code != 0) {
        runs.error = created.describe(cli(), create);
        return runs;
    }
    runs.error = length.isEmpty() ? trainRun(runs.model, runs.data, runs.runA, "1e-3")
                                  : trainRun(runs.model, runs.data, runs.runA, "1e-3", length);
    if (runs.error.isEmpty())
        runs.error = length.isEmpty() ? trainRun(runs.model, runs.data, runs.runB, "5e-3")
                                      : trainRun(runs.model, runs.data, runs.runB, "5e-3", length);
    return runs;
}

} // namespace tinyruns
