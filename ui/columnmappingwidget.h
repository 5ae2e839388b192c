#pragma once

#include "data/importoptions.h"
#include "data/previewtable.h"

#include <QGroupBox>

class QComboBox;
class QListWidget;
class QPushButton;

namespace pairtune::ui {

// Which column is the anchor, the positive, the score and the hard negatives, for files with more
// than two columns. Starts from what the importer detected; every change is reported so the page can
// read the files again with the new mapping.
class ColumnMappingWidget : public QGroupBox
{
    Q_OBJECT

public:
    explicit ColumnMappingWidget(QWidget *parent = nullptr);

    // Fills the controls from a preview (its column names and detected or chosen roles).
    void setPreview(const PreviewTable &table);
    // Writes the choice into options' column fields; leaves them empty while the user kept the
    // detected mapping, so the importer's own detection (and its messages) stay in charge.
    void applyTo(ImportOptions &options) const;
    bool isCustomised() const { return m_customised; }
    void resetToDetected();

    QComboBox *anchorBox() const { return m_anchor; }
    QComboBox *positiveBox() const { return m_positive; }
    QComboBox *scoreBox() const { return m_score; }
    QListWidget *negativesList() const { return m_negatives; }

Q_SIGNALS:
    void mappingChanged();

private:
    void userChanged();
    QString columnAt(const QComboBox *box) const;

    QComboBox *m_anchor = nullptr;
    QComboBox *m_positive = nullptr;
    QComboBox *m_score = nullptr;
    QListWidget *m_negatives = nullptr;
    QPushButton *m_reset = nullptr;
    QStringList m_columns;
    bool m_customised = false;
    bool m_filling = false;
};

} // namespace pairtune::ui
