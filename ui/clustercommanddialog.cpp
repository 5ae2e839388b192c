#include "ui/clustercommanddialog.h"

#include "recipe/losskind.h"
#include "recipe/traincommandline.h"
#include "ui/preparedpairssave.h"

#include <QClipboard>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDir>
#include <QFileInfo>
#include <QFontDatabase>
#include <QFormLayout>
#include <QGroupBox>
#include <QGuiApplication>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace pairtune::ui {
namespace {

QLabel *wrappedLabel(const QString &text, QWidget *parent)
{
    auto *label = new QLabel(text, parent);
    label->setWordWrap(true);
    label->setTextFormat(Qt::RichText);
    return label;
}

} // namespace

ClusterCommandDialog::ClusterCommandDialog(
    const TrainingConfig &config, std::shared_ptr<const PairDataset> prepared, QWidget *parent)
    : QDialog(parent)
    , m_config(config)
    , m_prepared(std::move(prepared))
{
    setWindowTitle(tr("Run on a cluster"));
    setObjectName(QStringLiteral("clusterCommandDialog"));

    m_processes = new QSpinBox(this);
    m_processes->setObjectName(QStringLiteral("processesPerNode"));
    m_processes->setRange(1, 1024);
    m_processes->setValue(2);
    m_processes->setToolTip(tr("torchrun --nproc_per_node: processes on each node, usually one per GPU."));
    m_nodes = new QSpinBox(this);
    m_nodes->setObjectName(QStringLiteral("nodes"));
    m_nodes->setRange(1, 4096);
    m_nodes->setToolTip(tr("torchrun --nnodes: machines taking part. Start the same command on each."));
    m_endpoint = new QLineEdit(QStringLiteral("HOST:29500"), this);
    m_endpoint->setObjectName(QStringLiteral("rendezvousEndpoint"));
    m_endpoint->setToolTip(
        tr("--rdzv_endpoint: a node every node reaches and a free port on it (several nodes)."));
    m_launcher = new QComboBox(this);
    m_launcher->setObjectName(QStringLiteral("launcher"));
    m_launcher->addItem(tr("torchrun (start it on every node)"));
    m_launcher->addItem(tr("Slurm batch script (srun torchrun, one task per node)"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Processes per node:"), m_processes);
    form->addRow(tr("&Nodes:"), m_nodes);
    form->addRow(tr("Rendezvous &endpoint:"), m_endpoint);
    form->addRow(tr("&Launcher:"), m_launcher);

    auto *batchBox = new QGroupBox(tr("Batch size %1 on the Settings page").arg(m_config.batchSize), this);
    m_keepGlobal = new QRadioButton(tr("Keep the &global batch: split it over the processes"), batchBox);
    m_keepGlobal->setObjectName(QStringLiteral("keepGlobalBatch"));
    m_keepPerProcess = new QRadioButton(tr("Keep it &per process: the global batch grows"), batchBox);
    m_keepPerProcess->setObjectName(QStringLiteral("keepProcessBatch"));
    m_keepGlobal->setChecked(true);
    m_batchText = wrappedLabel({}, batchBox);
    m_batchText->setObjectName(QStringLiteral("batchExplanation"));
    auto *batchLayout = new QVBoxLayout(batchBox);
    batchLayout->addWidget(m_keepGlobal);
    batchLayout->addWidget(m_keepPerProcess);
    batchLayout->addWidget(m_batchText);

    m_dataNote = wrappedLabel({}, this);
    m_dataNote->setObjectName(QStringLiteral("pathsNote"));
    if (m_prepared) {
        const QString suggested = QDir(QFileInfo(QString::fromStdString(m_config.outPath)).absolutePath())
                                      .filePath(QStringLiteral("prepared-pairs.jsonl"));
        m_savePrepared = new PreparedPairsSave(m_prepared, suggested, this);
        connect(m_savePrepared, &PreparedPairsSave::saved, this, [this](const QString &path) {
            m_config.dataPaths = { path.toStdString() };
            m_prepared.reset();
            update();
        });
    }

    m_text = new QPlainTextEdit(this);
    m_text->setObjectName(QStringLiteral("clusterCommand"));
    m_text->setReadOnly(true);
    m_text->setLineWrapMode(QPlainTextEdit::NoWrap);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    m_copy = buttons->addButton(tr("&Copy"), QDialogButtonBox::ActionRole);
    m_copy->setObjectName(QStringLiteral("copyCommand"));
    connect(
        m_copy, &QPushButton::clicked, this, [this] { QGuiApplication::clipboard()->setText(command()); });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(wrappedLabel(
        tr("Train these settings on several processes with PyTorch's <tt>torchrun</tt> (c10d: Gloo on CPUs, "
           "NCCL on GPUs). Run the command on the cluster; docs/distributed.md explains it."),
        this));
    layout->addLayout(form);
    layout->addWidget(batchBox);
    layout->addWidget(m_dataNote);
    if (m_savePrepared)
        layout->addWidget(m_savePrepared);
    layout->addWidget(m_text, 1);
    layout->addWidget(buttons);
    resize(860, 660);

    for (QSpinBox *box : { m_processes, m_nodes })
        connect(box, &QSpinBox::valueChanged, this, &ClusterCommandDialog::update);
    connect(m_endpoint, &QLineEdit::textChanged, this, &ClusterCommandDialog::update);
    connect(m_launcher, &QComboBox::currentIndexChanged, this, &ClusterCommandDialog::update);
    connect(m_keepGlobal, &QRadioButton::toggled, this, &ClusterCommandDialog::update);
    update();
}

int ClusterCommandDialog::totalProcesses() const
{
    return m_processes->value() * m_nodes->value();
}

TrainingConfig ClusterCommandDialog::commandConfig() const
{
    TrainingConfig config = m_config;
    if (m_keepGlobal->isChecked())
        config.batchSize = m_config.batchSize / totalProcesses();
    return config;
}

QString ClusterCommandDialog::command() const
{
    return m_problem.isEmpty() ? m_text->toPlainText() : QString();
}

QString ClusterCommandDialog::problem() const
{
    return m_problem;
}

bool ClusterCommandDialog::savePreparedPairs(const QString &path)
{
    return m_savePrepared && m_prepared && m_savePrepared->save(path);
}

void ClusterCommandDialog::update()
{
    const int processes = totalProcesses();
    const bool keepGlobal = m_keepGlobal->isChecked();
    const int perProcess = keepGlobal ? m_config.batchSize / processes : m_config.batchSize;
    const qint64 global = qint64(perProcess) * processes;
    m_endpoint->setEnabled(m_nodes->value() > 1 && m_launcher->currentIndex() == 0);

    m_problem.clear();
    if (keepGlobal && m_config.batchSize % processes != 0)
        m_problem = tr("A batch of %1 does not split evenly over %2 processes: choose a process count that "
                       "divides it, or keep %1 per process.")
                        .arg(m_config.batchSize)
                        .arg(processes);
    else if (m_config.dataPaths.empty() || m_config.basePath.empty() || m_config.outPath.empty())
        m_problem
            = tr("Choose the data files, the base model and the run folder first: the command names them.");
    else if (m_prepared)
        m_problem
            = tr("The studio trains the pairs after its changes (fixes, column mapping, pasted cells or "
                 "mined negatives), which pairtune-cli cannot redo from the files: save the prepared "
                 "pairs first, the command then reads that file.");

    QString batch = tr("Each process: <tt>--batch-size %1</tt>. Global batch: %1 × %2 processes = <b>%3</b>")
                        .arg(perProcess)
                        .arg(processes)
                        .arg(global);
    batch += keepGlobal
        ? tr(", the Settings page's: the same steps per epoch, warm-up and checkpoints.")
        : tr(", %1× the Settings page's: 1/%1 of the steps per epoch (warm-up, evaluation and "
             "checkpoint intervals stay counted in steps).")
              .arg(processes);
    if (lossUsesNegatives(m_config.loss))
        batch += tr(
            "<br>With %1 every anchor sees the other %2 positives of the global batch as negatives: the "
            "processes gather each other's embeddings, so %3 processes × %4 train as one process with "
            "batch %5 would.")
                     .arg(QString::fromStdString(m_config.loss))
                     .arg(global - 1)
                     .arg(processes)
                     .arg(perProcess)
                     .arg(global);
    m_batchText->setText(batch);

    QString note
        = tr("<b>Paths are this computer's</b>: the data, the base model and the run folder must be at "
             "the same paths on every node (a shared file system; the run folder must be shared when "
             "several nodes train), and <tt>pairtune-cli</tt> on every node's PATH.");
    if (m_config.device == "cpu")
        note += tr(" Device cpu: the processes talk over Gloo; for GPUs choose cuda on the Settings page "
                   "(NCCL, each process takes the GPU of its LOCAL_RANK).");
    if (m_config.threads == 0 && m_processes->value() > 1)
        note += tr(" Compute threads are automatic in each process: with %1 processes per node, set them to "
                   "the node's cores ÷ %1 on the Settings page.")
                    .arg(m_processes->value());
    m_dataNote->setText(note);

    m_copy->setEnabled(m_problem.isEmpty());
    if (!m_problem.isEmpty()) {
        m_text->setPlainText(m_problem);
        return;
    }
    TorchrunLaunch launch;
    launch.processesPerNode = m_processes->value();
    launch.nodes = m_nodes->value();
    launch.endpoint = m_endpoint->text().trimmed().toStdString();
    const std::vector<std::string> arguments = trainCommandArguments(commandConfig());
    m_text->setPlainText(
        QString::fromStdString(m_launcher->currentIndex() == 0 ? torchrunCommand(launch, arguments)
                                                               : slurmScript(launch, arguments)));
}

} // namespace pairtune::ui
