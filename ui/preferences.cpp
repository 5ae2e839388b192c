#include "ui/preferences.h"

#include <algorithm>

namespace pairtune::ui::prefs {

void addRecentModel(const QString &path)
{
    QStringList recent = recentModels.get();
    recent.removeAll(path);
    recent.prepend(path);
    while (recent.size() > kMaxRecentModels)
        recent.removeLast();
    recentModels.set(recent);
}

void recordThroughput(const QString &modelPath, double pairsPerSecond)
{
    if (modelPath.isEmpty() || !(pairsPerSecond > 0))
        return;
    QStringList entries = measuredThroughput.get();
    const QString prefix = modelPath + QLatin1Char('=');
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                      [&](const QString &entry) { return entry.startsWith(prefix); }),
        entries.end());
    entries.prepend(prefix + QString::number(pairsPerSecond, 'g', 6));
    while (entries.size() > 32)
        entries.removeLast();
    measuredThroughput.set(entries);
}

double measuredPairsPerSecond(const QString &modelPath)
{
    const QString prefix = modelPath + QLatin1Char('=');
    for (const QString &entry : measuredThroughput.get()) {
        if (entry.startsWith(prefix))
            return entry.mid(prefix.size()).toDouble();
    }
    return 0.0;
}

} // namespace pairtune::ui::prefs
