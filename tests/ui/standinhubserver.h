#pragma once

// The stand-in Hugging Face Hub (tests/common/standin_hub.py) as a child process, for the studio's Hub
// tests and screenshots, and repos for it made from model folders. Header-only, QtCore.

#include <QtCore/QFile>
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QStringList>

#include <filesystem>

namespace studiotest {

// Serves reposDir on 127.0.0.1 (an ephemeral port); the server exits when its stdin closes, which the
// destructor does (and which happens too when the test process dies).
class StandinHubServer
{
public:
    StandinHubServer() = default;
    StandinHubServer(const StandinHubServer &) = delete;
    StandinHubServer &operator=(const StandinHubServer &) = delete;
    ~StandinHubServer()
    {
        m_process.closeWriteChannel();
        if (!m_process.waitForFinished(5000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }

    // Starts it (options as standin_hub.py takes them, e.g. --slow BYTES_PER_SEC) and returns its
    // endpoint for HF_ENDPOINT ("http://127.0.0.1:PORT"), or "" when it did not start.
    QString start(const QString &scriptPath, const QString &reposDir, const QStringList &options = {})
    {
        m_process.start(QStringLiteral("/usr/bin/python3"),
            QStringList { scriptPath, reposDir, QStringLiteral("--lifetime"), QStringLiteral("600") }
                + options);
        if (!m_process.waitForStarted(10000))
            return {};
        while (!m_process.canReadLine())
            if (!m_process.waitForReadyRead(15000))
                return {};
        const int port = m_process.readLine().trimmed().toInt();
        return port > 0 ? QStringLiteral("http://127.0.0.1:%1").arg(port) : QString();
    }
    QString errors() { return QString::fromUtf8(m_process.readAllStandardError()); }

private:
    QProcess m_process;
};

// reposDir/<repoId>: a copy of modelFolder, its weights stored in LFS (served through the 302 to
// /lfs/<sha256>, as huggingface.co serves large files).
inline bool addStandinRepo(const QString &reposDir, const QString &repoId, const QString &modelFolder)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path repo = fs::path(reposDir.toStdString()) / repoId.toStdString();
    fs::create_directories(repo.parent_path(), ec);
    fs::copy(modelFolder.toStdString(), repo, fs::copy_options::recursive, ec);
    QFile options(reposDir + QLatin1Char('/') + repoId + QStringLiteral(".json"));
    return !ec && options.open(QIODevice::WriteOnly) && options.write("{\"lfs\": [\"*.safetensors\"]}") > 0;
}

} // namespace studiotest
