#include "ui/downloadtext.h"

#include "ui/runestimate.h"

#include <QLocale>
#include <QStringList>

namespace pairtune::ui {
namespace {

QString dataSize(qint64 bytes)
{
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeSIFormat);
}

} // namespace

QString bytesProgressText(qint64 done, qint64 total)
{
    if (total <= 0)
        return dataSize(done);
    return QStringLiteral("%1 of %2").arg(dataSize(done), dataSize(total));
}

QString transferRateText(double bytesPerSecond)
{
    if (!(bytesPerSecond > 0))
        return {};
    return dataSize(qint64(bytesPerSecond)) + QStringLiteral("/s");
}

double secondsLeft(qint64 done, qint64 total, double bytesPerSecond)
{
    if (total <= 0 || !(bytesPerSecond > 0))
        return -1;
    return done >= total ? 0.0 : double(total - done) / bytesPerSecond;
}

QString downloadProgressText(qint64 done, qint64 total, double bytesPerSecond)
{
    QStringList parts { bytesProgressText(done, total) };
    const QString rate = transferRateText(bytesPerSecond);
    if (!rate.isEmpty())
        parts << rate;
    const double left = secondsLeft(done, total, bytesPerSecond);
    if (left >= 1)
        parts << QStringLiteral("about %1 left").arg(QString::fromStdString(formatDuration(left)));
    else if (left >= 0 && done < total)
        parts << QStringLiteral("almost done");
    return parts.join(QStringLiteral(" · "));
}

} // namespace pairtune::ui
