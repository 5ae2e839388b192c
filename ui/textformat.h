#pragma once

#include <QString>

namespace pairtune::ui {

// "1 pair", "1,204 pairs": a count in the user's number format with the right English noun. The studio
// ships no translations, where Qt's "%n ...(s)" would show the "(s)" literally.
QString countOf(qint64 n, const QString &singular, const QString &plural);

// "1,204": a count in the user's number format.
QString localeNumber(qint64 n);

} // namespace pairtune::ui
