#include "ui/preparedpairssave.h"

#include "core/error.h"
#include "data/pairdataset.h"
#include "data/pairfilewriter.h"
#include "ui/backgroundtask.h"
#include "ui/messagebanner.h"
#include "ui/textformat.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSizePolicy>
#include <QTimer>
#include <QVBoxLayout>

#include <atomic>
#include <exception>

namespace pairtune::ui {

// Written by the writing thread, read by the GUI thread's timer: plain atomics, so the write never
// waits for the GUI and a slow repaint never slows the write (as in NearDuplicatePanel).
struct PreparedPairsSave::Progress
{
    std::atomic<bool> cancel { false };
    std::atomic<std::size_t> written { 0 };
    std::atomic<std::size_t> total { 0 };
};

namespace {

struct SaveOutcome
{
    QString error;
    bool cancelled = false;
};

} // namespace

PreparedPairsSave::PreparedPairsSave(
    std::shared_ptr<const PairDataset> pairs, QString suggestedPath, QWidget *parent)
    : QWidget(parent)
    , m_pairs(std::move(pairs))
    , m_suggestedPath(std::move(suggestedPath))
{
    m_save = new QPushButton(tr("&Save the prepared pairs…"), this);
    m_save->setObjectName(QStringLiteral("savePreparedPairs"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("cancelSavePreparedPairs"));
    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("savePreparedProgress"));
    m_progress->setTextVisible(true);
    m_message = new MessageBanner(this);
    m_message->setObjectName(QStringLiteral("savePreparedMessage"));

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_save);
    row->addWidget(m_cancel);
    row->addWidget(m_progress, 1);
    row->addStretch(); // the buttons keep their size while the progress bar is hidden
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_message);

    m_poll = new QTimer(this);
    m_poll->setInterval(100);
    connect(m_poll, &QTimer::timeout, this, &PreparedPairsSave::pollProgress);
    connect(m_cancel, &QPushButton::clicked, this, &PreparedPairsSave::cancel);
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save the prepared pairs"), m_suggestedPath, tr("JSON Lines (*.jsonl)"));
        if (!path.isEmpty())
            save(path);
    });
    setSaving(false);
}

PreparedPairsSave::~PreparedPairsSave()
{
    // The dialog closed mid-write: the write stops at its next chunk and removes its temporary file.
    if (m_progressState)
        m_progressState->cancel = true;
}

QString PreparedPairsSave::message() const
{
    return m_message->text();
}

bool PreparedPairsSave::save(const QString &path)
{
    if (m_saving || !m_pairs)
        return false;
    const QString absolute = QFileInfo(path).absoluteFilePath();
    auto progress = std::make_shared<Progress>();
    progress->total = m_pairs->size();
    m_progressState = progress;
    m_message->clear();
    setSaving(true);
    pollProgress();
    runInBackground<SaveOutcome>(
        this,
        [pairs = m_pairs, target = absolute.toStdString(), progress]() -> SaveOutcome {
            PairWriteCallbacks callbacks;
            callbacks.onProgress
                = [progress](std::size_t written, std::size_t) { progress->written = written; };
            callbacks.cancelRequested = [progress] { return progress->cancel.load(); };
            try {
                writePairsJsonl(*pairs, target, callbacks);
                return {};
            } catch (const Error &error) {
                return { QString::fromUtf8(error.what()), error.kind() == Error::Kind::Cancelled };
            } catch (const std::exception &error) {
                return { QString::fromUtf8(error.what()), false };
            }
        },
        [this, absolute](const SaveOutcome &outcome) { finish(absolute, outcome.error, outcome.cancelled); });
    return true;
}

void PreparedPairsSave::cancel()
{
    if (!m_saving)
        return;
    // The result is waited for, not dropped: a write that reached its rename before the cancel did is
    // a complete file at the path, and the dialog must then say so and name it in the command.
    m_progressState->cancel = true;
    m_cancel->setEnabled(false);
    m_progress->setFormat(tr("Cancelling…"));
}

void PreparedPairsSave::finish(const QString &path, const QString &error, bool cancelled)
{
    const std::size_t total = m_pairs->size();
    setSaving(false);
    if (cancelled) {
        m_message->showMessage(MessageBanner::Kind::Info,
            tr("Saving cancelled: nothing was written to %1. The command waits for the prepared pairs.")
                .arg(path.toHtmlEscaped()));
    } else if (!error.isEmpty()) {
        // The engine's message starts with the path (core/error.h locate()): named once, in bold.
        const QString prefix = path + QStringLiteral(": ");
        const QString reason = error.startsWith(prefix) ? error.mid(prefix.size()) : error;
        m_message->showMessage(MessageBanner::Kind::Error,
            tr("Could not save the prepared pairs to <b>%1</b>: %2<br>Nothing was left at that path. Choose "
               "a folder you can write to, with room for the file, and save again.")
                .arg(path.toHtmlEscaped(), reason.toHtmlEscaped()));
    } else {
        m_save->hide();
        m_message->showMessage(MessageBanner::Kind::Info,
            tr("Saved %1 to %2: the command reads that file.")
                .arg(
                    countOf(qint64(total), tr("prepared pair"), tr("prepared pairs")), path.toHtmlEscaped()));
        Q_EMIT saved(path);
    }
    Q_EMIT finished();
}

void PreparedPairsSave::pollProgress()
{
    if (!m_saving || !m_progressState || m_progressState->cancel)
        return;
    const std::size_t total = m_progressState->total;
    const std::size_t written = m_progressState->written;
    m_progress->setRange(0, 1000);
    m_progress->setValue(total > 0 ? int(1000.0 * double(written) / double(total)) : 0);
    m_progress->setFormat(tr("Writing pair %1 of %2").arg(localeNumber(written), localeNumber(total)));
}

void PreparedPairsSave::setSaving(bool saving)
{
    m_saving = saving;
    m_save->setEnabled(!saving);
    m_cancel->setVisible(saving);
    m_cancel->setEnabled(saving);
    m_progress->setVisible(saving);
    if (saving)
        m_poll->start();
    else
        m_poll->stop();
}

} // namespace pairtune::ui
