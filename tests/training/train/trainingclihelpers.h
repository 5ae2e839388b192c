#pragma once

// Shared helpers of the `pairtune-cli train` suites: running the CLI, tiny models, generated pair
// tasks with fixed seeds, run-folder readers and weight/embedding comparisons. QtCore and the io
// module only (no torch, no engine internals).

#include "io/npy.h"
#include "io/safetensors.h"

#include <QByteArray>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <QThread>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace traintest {

inline QString cliPath()
{
    return QStringLiteral(PAIRTUNE_CLI_PATH);
}
inline QString vocabPath()
{
    return QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt");
}

// The CPU feature flags the kernel reports (/proc/cpuinfo), e.g. "avx2", "avx512_bf16".
inline QSet<QString> cpuFlags()
{
    QFile cpuinfo("/proc/cpuinfo");
    if (!cpuinfo.open(QIODevice::ReadOnly))
        return {};
    for (const QByteArray &line : cpuinfo.readAll().split('\n')) {
        if (line.startsWith("flags")) {
            const QStringList flags
                = QString::fromLatin1(line.mid(line.indexOf(':') + 1)).split(' ', Qt::SkipEmptyParts);
            return QSet<QString>(flags.begin(), flags.end());
        }
    }
    return {};
}

struct CliResult
{
    int exitCode = -1;
    bool crashed = false; // killed by a signal or never started
    QByteArray out;
    QByteArray err;

    QStringList errLines() const
    {
        QStringList lines = QString::fromUtf8(err).split('\n');
        while (!lines.isEmpty() && lines.back().isEmpty())
            lines.pop_back();
        return lines;
    }
    QString describe() const
    {
        return QString("exit %1%2\n--- stderr ---\n%3\n--- stdout ---\n%4")
            .arg(exitCode)
            .arg(crashed ? " (crashed)" : "")
            .arg(QString::fromUtf8(err.left(4000)))
            .arg(QString::fromUtf8(out.left(2000)));
    }
};

// Waits for a started pairtune-cli and collects what it printed; a run past timeoutMs is killed and
// counts as crashed.
inline CliResult finishCli(QProcess &process, int timeoutMs = 600000)
{
    CliResult result;
    if (!process.waitForStarted(30000)) {
        result.crashed = true;
        result.err = "could not start " + cliPath().toUtf8();
        return result;
    }
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished(10000);
        result.crashed = true;
    }
    result.out = process.readAllStandardOutput();
    result.err = process.readAllStandardError();
    result.exitCode = process.exitCode();
    if (process.exitStatus() != QProcess::NormalExit)
        result.crashed = true;
    return result;
}

inline CliResult runCli(const QStringList &args, int timeoutMs = 600000, const QString &workDir = {})
{
    QProcess process;
    if (!workDir.isEmpty())
        process.setWorkingDirectory(workDir);
    process.start(cliPath(), args);
    return finishCli(process, timeoutMs);
}

// A small BERT from the real vocabulary (pairtune-cli create), so every suite trains from the same
// kind of folder a user would.
inline CliResult createModel(const QString &folder, int hidden = 32, int heads = 4, int intermediate = 64,
    int maxSeqLength = 24, int layers = 2)
{
    return runCli({ "create", "--out", folder, "--vocab", vocabPath(), "--layers", QString::number(layers),
        "--hidden", QString::number(hidden), "--heads", QString::number(heads), "--intermediate",
        QString::number(intermediate), "--max-seq-length", QString::number(maxSeqLength) });
}

struct Pair
{
    QString anchor;
    QString positive;
};

// The learning task: three code words ("alpha bravo delta") map word by word to three fruit or
// vegetable words through a fixed bijection ("apple banana cherry"). Distinct triples, drawn with
// std::mt19937 (fully specified) and modulo, so the data is the same on every platform.
inline std::vector<Pair> mappingPairs(int count, std::uint32_t seed)
{
    static const char *codes[16] = { "alpha", "bravo", "charlie", "delta", "echo", "golf", "hotel", "india",
        "juliet", "kilo", "lima", "mike", "oscar", "papa", "romeo", "sierra" };
    static const char *fruits[16] = { "apple", "banana", "cherry", "grape", "lemon", "mango", "melon",
        "orange", "peach", "pear", "plum", "carrot", "potato", "onion", "garlic", "pepper" };
    std::mt19937 rng(seed);
    int mapping[16];
    for (int i = 0; i < 16; ++i)
        mapping[i] = i;
    for (int i = 15; i > 0; --i) // Fisher-Yates with a fixed seed: the bijection
        std::swap(mapping[i], mapping[rng() % static_cast<std::uint32_t>(i + 1)]);
    std::set<int> seen;
    std::vector<Pair> pairs;
    while (static_cast<int>(pairs.size()) < count && seen.size() < 4096) {
        const int w[3]
            = { static_cast<int>(rng() % 16), static_cast<int>(rng() % 16), static_cast<int>(rng() % 16) };
        if (!seen.insert(w[0] * 256 + w[1] * 16 + w[2]).second)
            continue;
        Pair p;
        for (int k = 0; k < 3; ++k) {
            p.anchor += QString(k ? " " : "") + codes[w[k]];
            p.positive += QString(k ? " " : "") + fruits[mapping[w[k]]];
        }
        pairs.push_back(p);
    }
    return pairs;
}

inline bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return file.write(bytes) == bytes.size();
}

inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

inline bool writeTsv(const QString &path, const std::vector<Pair> &pairs)
{
    QByteArray bytes = "anchor\tpositive\n";
    for (const Pair &p : pairs)
        bytes += p.anchor.toUtf8() + '\t' + p.positive.toUtf8() + '\n';
    return writeFile(path, bytes);
}

// A new, numbered folder name under the suite's scratch folder (not created).
inline QString freshFolder(const QTemporaryDir &dir, const QString &prefix, int &counter)
{
    return dir.filePath(QString("%1-%2").arg(prefix).arg(counter++));
}

// `count` mapping-task pairs as a TSV file `name` in a newly created `folder`; returns its path.
inline QString writePairs(const QString &folder, const QString &name, int count, std::uint32_t seed)
{
    QDir().mkpath(folder);
    const QString path = folder + "/" + name;
    writeTsv(path, mappingPairs(count, seed));
    return path;
}

inline QJsonObject readJsonObject(const QString &path)
{
    return QJsonDocument::fromJson(readFile(path)).object();
}

inline QJsonObject parseJsonObject(const QByteArray &bytes)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    return error.error == QJsonParseError::NoError ? doc.object() : QJsonObject();
}

// metrics.jsonl, skipping a torn last line.
inline std::vector<QJsonObject> readMetrics(const QString &runFolder)
{
    std::vector<QJsonObject> events;
    for (const QByteArray &line : readFile(runFolder + "/metrics.jsonl").split('\n')) {
        const QJsonDocument doc = QJsonDocument::fromJson(line);
        if (doc.isObject())
            events.push_back(doc.object());
    }
    return events;
}

inline std::int64_t lastLoggedStep(const QString &runFolder)
{
    std::int64_t step = -1;
    for (const QJsonObject &event : readMetrics(runFolder))
        if (event.value("type").toString() == "step")
            step = std::max<std::int64_t>(step, event.value("step").toInteger());
    return step;
}

// Checkpoint steps present in RUN/checkpoints (folders named step-N).
inline std::vector<std::int64_t> checkpointSteps(const QString &runFolder)
{
    std::vector<std::int64_t> steps;
    const QStringList names = QDir(runFolder + "/checkpoints").entryList({ "step-*" }, QDir::Dirs);
    for (const QString &name : names) {
        bool ok = false;
        const std::int64_t step = name.mid(5).toLongLong(&ok);
        if (ok)
            steps.push_back(step);
    }
    std::sort(steps.begin(), steps.end());
    return steps;
}

// Largest absolute difference over every tensor of two safetensors files; infinity when the names,
// shapes or dtypes differ. `bitIdentical` tells whether the raw bytes were all equal.
inline double maxWeightDifference(
    const QString &a, const QString &b, bool *bitIdentical = nullptr, QString *problem = nullptr)
{
    const pairtune::SafetensorsFile fa = pairtune::SafetensorsFile::open(a.toStdString());
    const pairtune::SafetensorsFile fb = pairtune::SafetensorsFile::open(b.toStdString());
    if (bitIdentical)
        *bitIdentical = true;
    if (fa.tensors().size() != fb.tensors().size() || fa.tensors().empty()) {
        if (problem)
            *problem = "different tensor counts";
        return INFINITY;
    }
    double worst = 0;
    for (std::size_t i = 0; i < fa.tensors().size(); ++i) {
        const pairtune::TensorInfo &ta = fa.tensors()[i];
        const pairtune::TensorInfo &tb = fb.tensors()[i];
        if (ta.name != tb.name || ta.shape != tb.shape || ta.dtype != tb.dtype) {
            if (problem)
                *problem = QString::fromStdString("tensor " + ta.name + " vs " + tb.name);
            return INFINITY;
        }
        const auto ba = fa.bytes(ta);
        const auto bb = fb.bytes(tb);
        if (bitIdentical && !std::equal(ba.begin(), ba.end(), bb.begin(), bb.end()))
            *bitIdentical = false;
        const std::vector<float> va = fa.toFloat32(ta);
        const std::vector<float> vb = fb.toFloat32(tb);
        for (std::size_t k = 0; k < va.size(); ++k) {
            const double d = std::abs(static_cast<double>(va[k]) - static_cast<double>(vb[k]));
            if (!(d <= worst)) // NaN counts as infinitely different
                worst = std::isnan(d) ? INFINITY : d;
        }
    }
    return worst;
}

struct EmbedOutput
{
    CliResult cli;
    std::vector<float> values;
    std::size_t rows = 0;
    std::size_t cols = 0;
};

// `pairtune-cli embed` on the given texts; values empty when the command failed.
inline EmbedOutput embed(const QString &model, const QStringList &texts, const QString &scratch)
{
    static int counter = 0;
    const QString input = scratch + QString("/embed-in-%1.txt").arg(counter);
    const QString output = scratch + QString("/embed-out-%1.npy").arg(counter);
    ++counter;
    writeFile(input, texts.join('\n').toUtf8() + '\n');
    EmbedOutput e;
    e.cli = runCli({ "embed", "--model", model, "--input", input, "--output", output, "--threads", "1" });
    if (e.cli.exitCode == 0 && !e.cli.crashed)
        e.values = pairtune::readNpyFloat32(output.toStdString(), e.rows, e.cols);
    return e;
}

inline double maxAbsDifference(const std::vector<float> &a, const std::vector<float> &b)
{
    if (a.size() != b.size() || a.empty())
        return INFINITY;
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
        const double d = std::abs(static_cast<double>(a[i]) - static_cast<double>(b[i]));
        if (!(d <= worst))
            worst = std::isnan(d) ? INFINITY : d;
    }
    return worst;
}

inline bool allFinite(const std::vector<float> &values)
{
    return !values.empty()
        && std::all_of(values.begin(), values.end(), [](float v) { return std::isfinite(v); });
}

// Waits until the run has logged a step >= target (or the process ended); returns the step seen.
inline std::int64_t waitForStep(
    QProcess &process, const QString &runFolder, std::int64_t target, int timeoutMs)
{
    QElapsedTimer timer;
    timer.start();
    std::int64_t step = -1;
    while (timer.elapsed() < timeoutMs) {
        step = lastLoggedStep(runFolder);
        if (step >= target || process.state() == QProcess::NotRunning)
            return step;
        process.waitForFinished(15); // also lets QProcess drain its pipes
    }
    return step;
}

} // namespace traintest
