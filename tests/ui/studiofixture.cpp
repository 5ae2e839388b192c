#include "studiofixture.h"

#include "recipe/datasplit.h"
#include "recipe/trainingconfig.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QSettings>
#include <QStandardPaths>

namespace studiotest {

void isolateSettings()
{
    QStandardPaths::setTestModeEnabled(true);
    if (QCoreApplication::organizationName().isEmpty())
        QCoreApplication::setOrganizationName(QStringLiteral("Pairtune tests"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings().clear();
}

QStringList pairLines(int n)
{
    static const char *subjects[]
        = { "password", "invoice", "printer", "laptop", "account", "refund", "delivery", "warranty",
              "subscription", "router", "battery", "screen", "keyboard", "license", "backup", "calendar" };
    static const char *actions[] = { "reset", "cancel", "update", "replace", "track", "renew", "configure",
        "recover", "return", "check" };
    QStringList lines;
    for (int i = 0; i < n; ++i) {
        const QString subject = QString::fromLatin1(subjects[i % 16]);
        const QString action = QString::fromLatin1(actions[(i / 16) % 10]);
        lines << QStringLiteral(
            "how do i %1 my %2 number %3\tto %1 your %2 number %3 open the %2 page and choose %1")
                     .arg(action, subject)
                     .arg(i);
    }
    return lines;
}

bool writeHeldOutPairs(const QString &path, const QStringList &lines)
{
    const pairtune::TrainingConfig config;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    file.write("anchor\tpositive\n");
    for (const std::size_t i :
        pairtune::splitIndices(std::size_t(lines.size()), config.trainFraction, config.seed).eval)
        file.write(lines[qsizetype(i)].toUtf8() + '\n');
    return true;
}

bool writePairFile(const QString &path, int n, const QStringList &extraLines)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    QStringList lines { QStringLiteral("anchor\tpositive") };
    lines << pairLines(n) << extraLines;
    file.write(lines.join(QLatin1Char('\n')).toUtf8() + '\n');
    return file.error() == QFile::NoError;
}

QString createTinyModel(const QString &folder)
{
    return createModel(folder, 1, 32, 2, 64, 32);
}

QString createModel(
    const QString &folder, int layers, int hidden, int heads, int intermediate, int maxSeqLength)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(QStringLiteral(PAIRTUNE_CLI_PATH),
        { QStringLiteral("create"), QStringLiteral("--out"), folder, QStringLiteral("--vocab"),
            QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt"), QStringLiteral("--layers"),
            QString::number(layers), QStringLiteral("--hidden"), QString::number(hidden),
            QStringLiteral("--heads"), QString::number(heads), QStringLiteral("--intermediate"),
            QString::number(intermediate), QStringLiteral("--max-seq-length"),
            QString::number(maxSeqLength) });
    if (!process.waitForFinished(120000))
        return QStringLiteral("pairtune-cli create did not finish");
    if (process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0)
        return QStringLiteral("pairtune-cli create failed: ") + QString::fromUtf8(process.readAll());
    if (!QFile::exists(QDir(folder).filePath(QStringLiteral("modules.json"))))
        return QStringLiteral("pairtune-cli create wrote no modules.json");
    return {};
}

} // namespace studiotest
