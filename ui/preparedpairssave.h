#pragma once

// "Save the prepared pairs..." of the cluster dialog (ClusterCommandDialog): writes the pairs the studio
// trains (fixes, column mapping, pasted cells, mined negatives) as JSON Lines with the engine's writer
// (data/pairfilewriter.h: a temporary file renamed into place) on the studio's worker pool, with a
// progress bar and Cancel, so hundreds of thousands of pairs never freeze the window. saved() comes
// only once the whole file is at its path; a cancel or a failure leaves nothing there and says so.

#include <QWidget>

#include <memory>

class QProgressBar;
class QPushButton;
class QTimer;

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

class MessageBanner;

class PreparedPairsSave : public QWidget
{
    Q_OBJECT

public:
    // `suggestedPath`: what the file dialog offers first.
    PreparedPairsSave(
        std::shared_ptr<const PairDataset> pairs, QString suggestedPath, QWidget *parent = nullptr);
    ~PreparedPairsSave() override;

    // Starts writing to `path` and returns at once; false (nothing started) while a save runs.
    bool save(const QString &path);
    // Asks the write to stop; it does within kPairWriteChunk pairs, then finished() (nothing saved).
    void cancel();
    bool isSaving() const { return m_saving; }
    // The error, cancel or success note shown under the button; empty before a save.
    QString message() const;

    QPushButton *saveButton() const { return m_save; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }

Q_SIGNALS:
    void saved(const QString &absolutePath); // the file is complete there
    void finished(); // a save ended: saved, failed or cancelled

private:
    struct Progress;

    void finish(const QString &path, const QString &error, bool cancelled);
    void pollProgress();
    void setSaving(bool saving);

    std::shared_ptr<const PairDataset> m_pairs;
    QString m_suggestedPath;
    bool m_saving = false;
    std::shared_ptr<Progress> m_progressState; // shared with the running write

    QPushButton *m_save = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    MessageBanner *m_message = nullptr;
    QTimer *m_poll = nullptr;
};

} // namespace pairtune::ui
