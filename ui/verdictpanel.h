#pragma once

// Try & Export's results panel (issue 21): did fine-tuning help? The verdict of RUN/verdict.json
// (train/runverdict.h) — Better / No clear change / Worse — each metric before → after with its interval,
// and the queries whose true positive moved most. A click on one of them asks for it in the before/after
// search (querySelected). A run without a verdict (older runs) says so and offers to compute it on the
// worker thread, with progress and a stop. Under the verdict, one line for the do-no-harm check
// (train/generalcheck.h) when the run made it: "General English (do-no-harm): No clear change, ...".

#include <QWidget>

#include <atomic>
#include <memory>

class QLabel;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace pairtune::ui {

class VerdictPanel : public QWidget
{
    Q_OBJECT

public:
    explicit VerdictPanel(QWidget *parent = nullptr);
    ~VerdictPanel() override;

    // Reads RUN/verdict.json off the GUI thread ("" clears the panel).
    void setRun(const QString &runPath);
    // Computes the verdict of the run (the button's action).
    void compute();
    void stop();

    bool isBusy() const { return m_busy; }
    QString verdictText() const; // "Better", "No clear change", "Worse"; "" when none is shown
    QLabel *headline() const { return m_headline; }
    QLabel *generalCheck() const { return m_general; } // hidden when the run has no general check
    QTableWidget *metricsTable() const { return m_metrics; }
    QTableWidget *changesTable() const { return m_changes; }
    QPushButton *computeButton() const { return m_compute; }

Q_SIGNALS:
    void querySelected(const QString &query);
    void loaded(); // after each read or computation, shown or not

private:
    struct Document;
    void showDocument(const std::shared_ptr<const Document> &document);
    void showMissing(const QString &why, bool canCompute);
    void setBusy(bool busy);

    QString m_runPath;
    int m_generation = 0;
    bool m_busy = false;
    std::shared_ptr<std::atomic_bool> m_stop;
    QString m_verdict;

    QLabel *m_headline = nullptr;
    QLabel *m_details = nullptr;
    QLabel *m_general = nullptr;
    QTableWidget *m_metrics = nullptr;
    QTableWidget *m_changes = nullptr;
    QPushButton *m_compute = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
};

} // namespace pairtune::ui
