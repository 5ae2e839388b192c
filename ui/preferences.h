#pragma once

// The studio's remembered UI state (window geometry, last folders, recent models). Every key is
// declared once below with its type and default, so no settings string is spelled twice. Training
// settings are not preferences: they live in each run's config.json.

#include <QByteArray>
#include <QSettings>
#include <QString>
#include <QStringList>
#include <QVariant>

namespace pairtune::ui {

template <typename T> class Preference
{
public:
    Preference(const char *key, T defaultValue)
        : m_key(QString::fromLatin1(key))
        , m_default(std::move(defaultValue))
    { }

    T get() const
    {
        const QVariant value = QSettings().value(m_key);
        return value.isValid() && value.canConvert<T>() ? value.value<T>() : m_default;
    }
    void set(const T &value) const { QSettings().setValue(m_key, QVariant::fromValue(value)); }
    void reset() const { QSettings().remove(m_key); }
    const QString &key() const { return m_key; }
    const T &defaultValue() const { return m_default; }

private:
    QString m_key;
    T m_default;
};

namespace prefs {

inline const Preference<QByteArray> windowGeometry { "window/geometry", {} };
inline const Preference<QByteArray> windowState { "window/state", {} };
inline const Preference<QString> lastDataFolder { "folders/data", {} };
inline const Preference<QString> lastModelFolder { "folders/model", {} };
inline const Preference<QString> lastRunsFolder { "folders/runs", {} };
inline const Preference<QString> lastExportFolder { "folders/export", {} };
inline const Preference<QStringList> recentModels { "models/recent", {} };
// Training throughput measured by the last run on this computer, per model folder ("path=pairs/s"),
// so the settings page can give an ETA from experience instead of a guess.
inline const Preference<QStringList> measuredThroughput { "models/throughput", {} };

constexpr int kMaxRecentModels = 8;

// Moves path to the front of the recent-models list (no duplicates, at most kMaxRecentModels).
void addRecentModel(const QString &path);
void recordThroughput(const QString &modelPath, double pairsPerSecond);
// 0 when nothing was measured for this model yet.
double measuredPairsPerSecond(const QString &modelPath);

} // namespace prefs
} // namespace pairtune::ui
