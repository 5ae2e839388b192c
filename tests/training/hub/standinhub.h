#pragma once

// Runs tests/common/standin_hub.py (the stand-in Hugging Face Hub) for one test and reads back what it
// saw. QtCore only.

#include <QtCore/QJsonObject>
#include <QtCore/QList>
#include <QtCore/QMap>
#include <QtCore/QProcess>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace pairtune::testhub {

// Writes REPOS/<repoId>/<file> for every file and, when options is not empty, REPOS/<repoId>.json.
void writeRepo(const QString &reposDir, const QString &repoId, const QMap<QString, QByteArray> &files,
    const QJsonObject &options = {});

// The git blob sha1 of bytes (sha1("blob <len>\0" + bytes)) and the sha256, hex: the etags the Hub gives.
QString gitBlobSha1(const QByteArray &bytes);
QString sha256Hex(const QByteArray &bytes);

class StandinHub
{
public:
    // Starts the server on REPOS with the extra command-line flags; waits for its port (10 s at most).
    StandinHub(const QString &reposDir, const QStringList &flags, const QString &logPath);
    ~StandinHub();

    bool started() const { return m_port > 0; }
    QString endpoint() const;
    QString startError() const { return m_error; }
    // Every request logged so far: {"method", "path", "range", "auth"}.
    QList<QJsonObject> requests() const;
    void stop();

private:
    QProcess m_process;
    QString m_logPath;
    QString m_error;
    int m_port = 0;
};

} // namespace pairtune::testhub
