#include "ui/datasourcelist.h"

#include "io/fileutil.h"
#include "ui/textformat.h"

#include <QDir>
#include <QFileInfo>

#include <algorithm>
#include <filesystem>

namespace pairtune::ui {

bool DataSourceList::addFile(const QString &absolutePath)
{
    if (contains(absolutePath))
        return false;
    m_sources.push_back({ absolutePath, std::nullopt, 0, {}, {} });
    return true;
}

QString DataSourceList::addPasted(std::string bytes, std::size_t rows)
{
    QString key;
    do
        key = QStringLiteral("pasted-%1.tsv").arg(++m_pasteCount);
    while (contains(key));
    m_sources.push_back({ key, std::move(bytes), rows, {}, {} });
    return key;
}

bool DataSourceList::remove(const QString &key)
{
    const auto before = m_sources.size();
    std::erase_if(m_sources, [&](const Source &source) { return source.key == key; });
    return m_sources.size() != before;
}

QStringList DataSourceList::keys() const
{
    QStringList keys;
    for (const Source &source : m_sources)
        keys << source.key;
    return keys;
}

QStringList DataSourceList::files() const
{
    QStringList files;
    for (const Source &source : m_sources) {
        if (!source.bytes)
            files << source.key;
    }
    return files;
}

bool DataSourceList::isPasted(const QString &key) const
{
    const Source *source = find(key);
    return source && source->bytes;
}

bool DataSourceList::hasPasted() const
{
    return std::any_of(m_sources.begin(), m_sources.end(), [](const Source &source) { return source.bytes; });
}

QString DataSourceList::label(const QString &key) const
{
    const Source *source = find(key);
    if (!source)
        return {};
    if (source->bytes)
        return tr("Pasted (%1)").arg(countOf(qint64(source->rows), tr("row"), tr("rows")));
    const QString name = QFileInfo(key).fileName();
    if (source->sheets.size() > 1)
        return QStringLiteral("%1: %2").arg(
            name, source->sheet.isEmpty() ? source->sheets.front() : source->sheet);
    return name;
}

QString DataSourceList::toolTip(const QString &key) const
{
    if (isPasted(key))
        return tr("Cells pasted from the clipboard; a run keeps them as %1 in its folder.").arg(key);
    return QDir::toNativeSeparators(key);
}

void DataSourceList::setSheetNames(const QString &key, const QStringList &names)
{
    if (Source *source = find(key)) {
        source->sheets = names;
        if (!names.contains(source->sheet))
            source->sheet.clear();
    }
}

QStringList DataSourceList::sheetNames(const QString &key) const
{
    const Source *source = find(key);
    return source ? source->sheets : QStringList();
}

void DataSourceList::setSheet(const QString &key, const QString &sheet)
{
    if (Source *source = find(key))
        source->sheet = sheet;
}

QString DataSourceList::sheet(const QString &key) const
{
    const Source *source = find(key);
    return source ? source->sheet : QString();
}

bool DataSourceList::readsOtherThanFirstSheets() const
{
    return std::any_of(m_sources.begin(), m_sources.end(), [](const Source &source) {
        return !source.sheet.isEmpty() && source.sheet != source.sheets.value(0);
    });
}

PairSource DataSourceList::pairSource(const QString &key) const
{
    const Source *source = find(key);
    if (!source)
        return PairSource::file(key.toStdString());
    PairSource pair = source->bytes ? PairSource::inMemory(key.toStdString(), *source->bytes)
                                    : PairSource::file(key.toStdString());
    pair.sheet = source->sheet.toStdString();
    return pair;
}

std::vector<PairSource> DataSourceList::pairSources() const
{
    std::vector<PairSource> sources;
    for (const Source &source : m_sources)
        sources.push_back(pairSource(source.key));
    return sources;
}

std::vector<std::string> DataSourceList::writeForRun(const QString &folder) const
{
    std::vector<std::string> paths;
    for (const Source &source : m_sources) {
        if (!source.bytes) {
            paths.push_back(source.key.toStdString());
            continue;
        }
        const std::string path = QDir(folder).filePath(source.key).toStdString();
        std::error_code ignored; // a folder that cannot be made fails the write below, with its reason
        std::filesystem::create_directories(folder.toStdString(), ignored);
        writeFileAtomic(path, *source.bytes);
        paths.push_back(path);
    }
    return paths;
}

const DataSourceList::Source *DataSourceList::find(const QString &key) const
{
    const auto it = std::find_if(
        m_sources.begin(), m_sources.end(), [&](const Source &source) { return source.key == key; });
    return it == m_sources.end() ? nullptr : &*it;
}

DataSourceList::Source *DataSourceList::find(const QString &key)
{
    return const_cast<Source *>(std::as_const(*this).find(key));
}

} // namespace pairtune::ui
