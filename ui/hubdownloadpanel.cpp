#include "ui/hubdownloadpanel.h"

#include "ui/downloadtext.h"
#include "ui/hubdownload.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QVBoxLayout>

namespace pairtune::ui {
namespace {

constexpr int kBarSteps = 1000; // QProgressBar counts in int: show per-mille of the bytes

} // namespace

HubDownloadPanel::HubDownloadPanel(HubDownload *download, QWidget *parent)
    : QGroupBox(parent)
    , m_download(download)
{
    setObjectName(QStringLiteral("hubDownloadPanel"));
    m_file = new QLabel(this);
    m_file->setObjectName(QStringLiteral("hubDownloadFile"));
    m_file->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_bar = new QProgressBar(this);
    m_bar->setObjectName(QStringLiteral("hubDownloadProgress"));
    m_bytes = new QLabel(this);
    m_bytes->setObjectName(QStringLiteral("hubDownloadBytes"));
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setObjectName(QStringLiteral("hubDownloadCancel"));
    connect(m_cancel, &QPushButton::clicked, m_download, &HubDownload::cancel);

    auto *bottom = new QHBoxLayout;
    bottom->addWidget(m_bytes, 1);
    bottom->addWidget(m_cancel);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_file);
    layout->addWidget(m_bar);
    layout->addLayout(bottom);

    connect(m_download, &HubDownload::progressChanged, this, &HubDownloadPanel::update);
    connect(m_download, &HubDownload::finished, this, &HubDownloadPanel::hide);
    connect(m_download, &HubDownload::failed, this, &HubDownloadPanel::hide);
    hide();
}

QString HubDownloadPanel::fileText() const
{
    return m_file->text();
}

QString HubDownloadPanel::bytesText() const
{
    return m_bytes->text();
}

void HubDownloadPanel::update()
{
    if (!m_download->isRunning()) {
        hide();
        return;
    }
    const hub::DownloadProgress &p = m_download->progress();
    setTitle(tr("Downloading %1 (%2)").arg(m_download->repoId(), m_download->revision()));
    if (m_download->isCancelling())
        m_file->setText(tr("Cancelling…"));
    else if (p.file.empty())
        m_file->setText(tr("Asking the Hub which files the model has…"));
    else
        m_file->setText(tr("%1 (file %2 of %3)")
                            .arg(QString::fromStdString(p.file))
                            .arg(std::min(p.filesDone + 1, std::max(p.filesTotal, 1)))
                            .arg(p.filesTotal));
    if (p.bytesTotal > 0) {
        m_bar->setRange(0, kBarSteps);
        m_bar->setValue(int(double(p.bytesDone) / double(p.bytesTotal) * kBarSteps));
    } else {
        m_bar->setRange(0, 0); // busy: the total is not known yet
    }
    m_bytes->setText(p.file.empty() && p.bytesDone == 0
            ? QString()
            : downloadProgressText(p.bytesDone, p.bytesTotal, p.bytesPerSecond));
    m_cancel->setEnabled(!m_download->isCancelling());
    show();
}

} // namespace pairtune::ui
