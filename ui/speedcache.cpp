#include "ui/speedcache.h"

#include "data/pairdataset.h"
#include "pairtune/version.h"
#include "train/precision.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QSysInfo>
#include <QThread>

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace pairtune::ui {
namespace {

const QString kGroup = QStringLiteral("stepTimings");

// Path, total bytes and newest modification time of the folder's files: a model saved again into the
// same folder (another run, a download) changes at least one of them.
std::string folderIdentity(const std::string &folder)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path canonical = fs::weakly_canonical(folder, ec);
    std::uintmax_t bytes = 0;
    std::int64_t newest = 0;
    for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code fileError;
        if (!it->is_regular_file(fileError))
            continue;
        bytes += it->file_size(fileError);
        const auto written = it->last_write_time(fileError);
        if (!fileError)
            newest = std::max<std::int64_t>(newest,
                std::chrono::duration_cast<std::chrono::nanoseconds>(written.time_since_epoch()).count());
    }
    return (ec ? fs::path(folder) : canonical).string() + ' ' + std::to_string(bytes) + ' '
        + std::to_string(newest);
}

QString settingsKey(const std::string &key)
{
    return kGroup + QLatin1Char('/')
        + QString::fromLatin1(
            QCryptographicHash::hash(QByteArray::fromStdString(key), QCryptographicHash::Sha256).toHex());
}

} // namespace

std::vector<std::pair<std::string, std::string>> stepTimingSample(const PairDataset &dataset)
{
    std::vector<std::pair<std::string, std::string>> pairs;
    const std::vector<PairRecord> &records = dataset.records();
    const std::size_t count = std::min(records.size(), kStepTimingSamplePairs);
    for (std::size_t i = 0; i < count; ++i) {
        const PairRecord &record = records[i * records.size() / count];
        pairs.emplace_back(record.anchor, record.positive);
    }
    return pairs;
}

MachineIdentity thisMachine()
{
    MachineIdentity machine;
    QFile cpuinfo(QStringLiteral("/proc/cpuinfo"));
    if (cpuinfo.open(QIODevice::ReadOnly | QIODevice::Text)) {
        while (!cpuinfo.atEnd()) {
            const QByteArray line = cpuinfo.readLine();
            if (line.startsWith("model name")) {
                machine.cpuModel = line.mid(line.indexOf(':') + 1).trimmed().toStdString();
                break;
            }
        }
    }
    if (machine.cpuModel.empty())
        machine.cpuModel = QSysInfo::currentCpuArchitecture().toStdString();
    machine.logicalCores = QThread::idealThreadCount();
    machine.version = kVersion;
    return machine;
}

std::string stepTimingKey(const std::string &modelFolder, const TrainingConfig &c,
    const std::vector<std::pair<std::string, std::string>> &samplePairs, const MachineIdentity &machine)
{
    QCryptographicHash texts(QCryptographicHash::Sha256);
    for (const auto &[anchor, positive] : samplePairs) {
        texts.addData(QByteArrayView(anchor.data(), qsizetype(anchor.size() + 1))); // with the '\0'
        texts.addData(QByteArrayView(positive.data(), qsizetype(positive.size() + 1)));
    }
    return folderIdentity(modelFolder) + '\n' + std::to_string(c.batchSize) + ' '
        + std::to_string(c.maxSeqLength) + ' ' + c.loss + ' ' + (c.dropout ? "dropout" : "-") + ' '
        + (usesBf16(c) ? "bf16" : "fp32") + ' '
        + (c.gradCache ? "gradcache " + std::to_string(c.miniBatchSize) : std::string("-")) + ' ' + c.device
        + ' ' + std::to_string(c.threads) + '\n' + texts.result().toHex().toStdString() + '\n'
        + machine.cpuModel + ' ' + std::to_string(machine.logicalCores) + " Pairtune " + machine.version;
}

std::optional<MeasuredStepTiming> loadStepTiming(const std::string &key)
{
    const QJsonObject o
        = QJsonDocument::fromJson(QSettings().value(settingsKey(key)).toString().toUtf8()).object();
    // The full key is stored too: a hash collision, however unlikely, must not give another's timing.
    if (o.value(QStringLiteral("key")).toString().toStdString() != key)
        return std::nullopt;
    MeasuredStepTiming measured;
    measured.timing.loadSeconds = o.value(QStringLiteral("loadSeconds")).toDouble();
    measured.timing.secondsPerStep = o.value(QStringLiteral("secondsPerStep")).toDouble();
    measured.timing.secondsPerEncodedText = o.value(QStringLiteral("secondsPerEncodedText")).toDouble();
    measured.timing.stepsTimed = o.value(QStringLiteral("stepsTimed")).toInt();
    measured.measuredAt
        = QDateTime::fromString(o.value(QStringLiteral("measuredAt")).toString(), Qt::ISODateWithMs);
    if (!(measured.timing.secondsPerStep > 0) || !measured.measuredAt.isValid())
        return std::nullopt;
    return measured;
}

void storeStepTiming(const std::string &key, const MeasuredStepTiming &measured)
{
    QSettings settings;
    const QJsonObject o { { QStringLiteral("key"), QString::fromStdString(key) },
        { QStringLiteral("loadSeconds"), measured.timing.loadSeconds },
        { QStringLiteral("secondsPerStep"), measured.timing.secondsPerStep },
        { QStringLiteral("secondsPerEncodedText"), measured.timing.secondsPerEncodedText },
        { QStringLiteral("stepsTimed"), measured.timing.stepsTimed },
        { QStringLiteral("measuredAt"), measured.measuredAt.toUTC().toString(Qt::ISODateWithMs) } };
    settings.setValue(settingsKey(key), QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact)));
    // Oldest out first: keys change with the data and the settings, so old ones are rarely asked again.
    settings.beginGroup(kGroup);
    QStringList names = settings.childKeys();
    if (names.size() > kMaxStepTimingEntries) {
        const auto when = [&settings](const QString &name) {
            return QJsonDocument::fromJson(settings.value(name).toString().toUtf8())
                .object()
                .value(QStringLiteral("measuredAt"))
                .toString();
        };
        std::sort(names.begin(), names.end(),
            [&](const QString &a, const QString &b) { return when(a) < when(b); });
        for (qsizetype i = 0; i < names.size() - kMaxStepTimingEntries; ++i)
            settings.remove(names[i]);
    }
    settings.endGroup();
}

void forgetStepTiming(const std::string &key)
{
    QSettings().remove(settingsKey(key));
}

} // namespace pairtune::ui
