#pragma once

#include "data/pairsource.h"

#include <QCoreApplication>
#include <QString>
#include <QStringList>

#include <cstddef>
#include <string>
#include <vector>

namespace pairtune::ui {

// The Data page's sources in the order the user added them: files by absolute path, and cells pasted
// from a spreadsheet, held in memory under a name ("pasted-1.tsv") that is also their file name once
// a run writes them into its folder. Each source is known by a key (the path, or that name), and a
// workbook keeps the sheet chosen for it.
class DataSourceList
{
    Q_DECLARE_TR_FUNCTIONS(DataSourceList)

public:
    bool addFile(const QString &absolutePath); // false when it is listed already
    // Returns the new source's key. rows: the rows of pairs the text holds, for its label.
    QString addPasted(std::string bytes, std::size_t rows);
    bool remove(const QString &key);
    void clear() { m_sources.clear(); }

    QStringList keys() const;
    QStringList files() const; // the keys of files only
    bool isEmpty() const { return m_sources.empty(); }
    int size() const { return int(m_sources.size()); }
    bool contains(const QString &key) const { return find(key) != nullptr; }
    bool isPasted(const QString &key) const;
    bool hasPasted() const;

    // What the file list shows ("pairs.tsv", "pairs.xlsx: Sheet2", "Pasted (12 rows)") and its tooltip.
    QString label(const QString &key) const;
    QString toolTip(const QString &key) const;

    // A workbook's sheets (known once read off the GUI thread) and the one chosen ("" = the first).
    void setSheetNames(const QString &key, const QStringList &names);
    QStringList sheetNames(const QString &key) const;
    void setSheet(const QString &key, const QString &sheet);
    QString sheet(const QString &key) const;
    // Some workbook reads another sheet than the first, which the trainer (reading files with the
    // default options) would not.
    bool readsOtherThanFirstSheets() const;

    PairSource pairSource(const QString &key) const;
    std::vector<PairSource> pairSources() const;

    // The files a run trains on: pasted cells are written into folder (atomically, under their names)
    // so the run can be repeated and resumed; files stay where they are. Throws pairtune::Error when
    // writing fails.
    std::vector<std::string> writeForRun(const QString &folder) const;

private:
    struct Source
    {
        QString key;
        std::optional<std::string> bytes; // pasted cells
        std::size_t rows = 0;
        QStringList sheets;
        QString sheet;
    };
    const Source *find(const QString &key) const;
    Source *find(const QString &key);

    std::vector<Source> m_sources;
    int m_pasteCount = 0; // names stay unique for the session, also after a removal
};

} // namespace pairtune::ui
