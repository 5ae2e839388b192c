#pragma once

#include <QGroupBox>

class QLabel;
class QProgressBar;
class QPushButton;

namespace pairtune::ui {

class HubDownload;

// In-page progress of a Hub download: the file now transferring, a bar, bytes done of total, the rate
// and the time left, and a Cancel button. Hidden while nothing downloads.
class HubDownloadPanel : public QGroupBox
{
    Q_OBJECT

public:
    explicit HubDownloadPanel(HubDownload *download, QWidget *parent = nullptr);

    QProgressBar *progressBar() const { return m_bar; }
    QPushButton *cancelButton() const { return m_cancel; }
    QString fileText() const;
    QString bytesText() const;

private:
    void update();

    HubDownload *m_download;
    QLabel *m_file = nullptr;
    QProgressBar *m_bar = nullptr;
    QLabel *m_bytes = nullptr;
    QPushButton *m_cancel = nullptr;
};

} // namespace pairtune::ui
