#include "ui/pastedcells.h"

#include "data/csvreader.h"
#include "data/pairsource.h"

#include <QMimeData>

#include <exception>

namespace pairtune::ui {

std::optional<std::string> pastedCellText(const QMimeData *mime)
{
    if (!mime || !mime->hasText())
        return std::nullopt;
    const QString text = mime->text();
    if (!text.contains(QLatin1Char('\t')))
        return std::nullopt;
    return text.toStdString();
}

std::size_t pastedRowCount(const std::string &bytes, const ImportOptions &options)
{
    const std::string name = "pasted.tsv"; // the name only picks the format; the count names nothing
    try {
        return importSource(PairSource::inMemory(name, bytes), options).table.rows.size();
    } catch (const std::exception &) { }
    try {
        return CsvReader::read(SourceText::fromBytes(name, bytes), '\t', CsvReader::Quoting::Lenient)
            .rows.size();
    } catch (const std::exception &) {
        return 0;
    }
}

} // namespace pairtune::ui
