#include "standinhub.h"

#include <QtCore/QCryptographicHash>
#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QFileInfo>
#include <QtCore/QJsonDocument>

namespace pairtune::testhub {

namespace {
void writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
}
} // namespace

void writeRepo(const QString &reposDir, const QString &repoId, const QMap<QString, QByteArray> &files,
    const QJsonObject &options)
{
    for (auto it = files.begin(); it != files.end(); ++it)
        writeFile(reposDir + QLatin1Char('/') + repoId + QLatin1Char('/') + it.key(), it.value());
    if (!options.isEmpty())
        writeFile(
            reposDir + QLatin1Char('/') + repoId + QStringLiteral(".json"), QJsonDocument(options).toJson());
}

QString gitBlobSha1(const QByteArray &bytes)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    hash.addData(QByteArray("blob ") + QByteArray::number(bytes.size()) + QByteArray(1, '\0'));
    hash.addData(bytes);
    return QString::fromLatin1(hash.result().toHex());
}

QString sha256Hex(const QByteArray &bytes)
{
    return QString::fromLatin1(QCryptographicHash::hash(bytes, QCryptographicHash::Sha256).toHex());
}

StandinHub::StandinHub(const QString &reposDir, const QStringList &flags, const QString &logPath)
    : m_logPath(logPath)
{
    m_process.setProgram(QStringLiteral("/usr/bin/python3"));
    m_process.setArguments(
        QStringList { QStringLiteral(PAIRTUNE_STANDIN_HUB), reposDir, QStringLiteral("--log"), logPath,
            QStringLiteral("--lifetime"), QStringLiteral("300") }
        + flags);
    m_process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process.start();
    if (!m_process.waitForStarted(10000)) {
        m_error = m_process.errorString();
        return;
    }
    while (!m_process.canReadLine() && m_process.waitForReadyRead(10000)) { }
    bool ok = false;
    m_port = m_process.readLine().trimmed().toInt(&ok);
    if (!ok)
        m_error = QStringLiteral("the stand-in Hub printed no port");
}

StandinHub::~StandinHub()
{
    stop();
}

QString StandinHub::endpoint() const
{
    return QStringLiteral("http://127.0.0.1:%1").arg(m_port);
}

QList<QJsonObject> StandinHub::requests() const
{
    QList<QJsonObject> out;
    QFile file(m_logPath);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    for (const QByteArray &line : file.readAll().split('\n'))
        if (!line.trimmed().isEmpty())
            out.append(QJsonDocument::fromJson(line).object());
    return out;
}

void StandinHub::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.closeWriteChannel(); // the server exits when its stdin closes
    if (!m_process.waitForFinished(5000)) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

} // namespace pairtune::testhub
