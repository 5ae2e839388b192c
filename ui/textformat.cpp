#include "ui/textformat.h"

#include <QLocale>

namespace pairtune::ui {

QString countOf(qint64 n, const QString &singular, const QString &plural)
{
    return localeNumber(n) + QLatin1Char(' ') + (n == 1 ? singular : plural);
}

QString localeNumber(qint64 n)
{
    return QLocale().toString(n);
}

} // namespace pairtune::ui
