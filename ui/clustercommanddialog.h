#pragma once

#include "recipe/trainingconfig.h"

#include <QDialog>

#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QRadioButton;
class QSpinBox;

namespace pairtune {
class PairDataset;
}

namespace pairtune::ui {

class PreparedPairsSave;

// "Run on a cluster...": the torchrun command (or Slurm script) that trains the Settings page's run on
// several processes (docs/distributed.md "From the studio"). The `pairtune-cli train` flags come from
// recipe/traincommandline.h, never from here; this dialog only picks the processes, the nodes and how
// the page's batch size is split over them.
class ClusterCommandDialog : public QDialog
{
    Q_OBJECT

public:
    // `config`: the page's settings with this computer's paths (data files, base model, run folder).
    // `prepared`: the pairs as the studio would train them when they differ from the files (fixes,
    // column mapping, pasted cells, mined negatives): pairtune-cli reads files as they are, so the
    // dialog offers to save these and puts that file into the command. Null when the files are the pairs.
    ClusterCommandDialog(
        const TrainingConfig &config, std::shared_ptr<const PairDataset> prepared, QWidget *parent = nullptr);

    // The settings the command trains with: the page's, with --batch-size per process.
    TrainingConfig commandConfig() const;
    // What the text box shows and Copy copies; empty while the choices cannot make one (see problem()).
    QString command() const;
    QString problem() const;
    // Starts saving the prepared pairs as JSONL to `path` off the GUI thread (PreparedPairsSave) and
    // returns at once; the command names the file once it is complete. False when nothing started.
    bool savePreparedPairs(const QString &path);
    // Its button, progress, Cancel and messages; null when the files are the pairs.
    PreparedPairsSave *preparedPairsSave() const { return m_savePrepared; }

    QSpinBox *processesBox() const { return m_processes; }
    QSpinBox *nodesBox() const { return m_nodes; }
    QRadioButton *keepGlobalBatch() const { return m_keepGlobal; }
    QRadioButton *keepProcessBatch() const { return m_keepPerProcess; }
    QComboBox *launcherBox() const { return m_launcher; }
    QLineEdit *endpointEdit() const { return m_endpoint; }
    QPushButton *copyButton() const { return m_copy; }

private:
    void update();
    int totalProcesses() const;

    TrainingConfig m_config;
    std::shared_ptr<const PairDataset> m_prepared;
    QString m_problem;

    QSpinBox *m_processes = nullptr;
    QSpinBox *m_nodes = nullptr;
    QLineEdit *m_endpoint = nullptr;
    QComboBox *m_launcher = nullptr;
    QRadioButton *m_keepGlobal = nullptr;
    QRadioButton *m_keepPerProcess = nullptr;
    QLabel *m_batchText = nullptr;
    QLabel *m_dataNote = nullptr;
    PreparedPairsSave *m_savePrepared = nullptr;
    QPlainTextEdit *m_text = nullptr;
    QPushButton *m_copy = nullptr;
};

} // namespace pairtune::ui
