#include "ui/mainwindow.h"

#include "core/error.h"
#include "model/runtime.h"
#include "pairtune/version.h"
#include "recipe/losskind.h"
#include "ui/datapage.h"
#include "ui/enginelog.h"
#include "ui/loadedmodel.h"
#include "ui/messagebanner.h"
#include "ui/minednegatives.h"
#include "ui/miningpage.h"
#include "ui/modelpage.h"
#include "ui/preferences.h"
#include "ui/runsmenu.h"
#include "ui/runsview.h"
#include "ui/settingspage.h"
#include "ui/stepindicator.h"
#include "ui/trainingcontroller.h"
#include "ui/trainpage.h"
#include "ui/tryexportpage.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QStackedWidget>
#include <QStatusBar>
#include <QStyle>
#include <QVBoxLayout>
#include <qcustomplot.h>

// The icons are compiled into the static pairtune_ui library; Q_INIT_RESOURCE must run at global scope
// and keeps the linker from dropping them.
// The platform's key for a standard action, or a fallback where the platform defines none (some
// desktops and the offscreen platform have no Quit or Back key).
static QKeySequence standardOr(QKeySequence::StandardKey key, const QKeySequence &fallback)
{
    const QKeySequence standard(key);
    return standard.isEmpty() ? fallback : standard;
}

static void initPairtuneResources()
{
    Q_INIT_RESOURCE(pairtune);
}

namespace pairtune::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    initPairtuneResources();
    setWindowTitle(QStringLiteral("Pairtune"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/pairtune.png")));
    m_engineLog = new EngineLog(this);
    createPages();
    createMenus();
    wirePages();

    const QByteArray geometry = prefs::windowGeometry.get();
    if (geometry.isEmpty() || !restoreGeometry(geometry)) {
        // First start: a comfortable size in text units, so it scales with the font and the DPI.
        const int unit = fontMetrics().height();
        resize(unit * 78, unit * 50);
    }
    restoreState(prefs::windowState.get());
    restoreSession();
    goToStep(DataStep);
    // From here on the session is saved at each step change and run start too, not only on close, so a
    // crash or a killed studio loses at most what changed on the current page. Not before: saving while
    // restoring would overwrite the saved session with a half-restored one.
    m_saveSessionOnChange = true;
}

MainWindow::~MainWindow() = default;

void MainWindow::createPages()
{
    m_data = new DataPage(this);
    m_model = new ModelPage(this);
    m_mining = new MiningPage(this);
    m_settings = new SettingsPage(this);
    m_train = new TrainPage(this);
    m_tryExport = new TryExportPage(this);

    m_stack = new QStackedWidget(this);
    QStringList titles;
    for (int step = 0; step < StepCount; ++step) {
        m_stack->addWidget(page(step));
        titles << page(step)->title();
    }
    m_steps = new StepIndicator(this);
    m_steps->setSteps(titles);
    connect(m_steps, &StepIndicator::stepChosen, this, [this](int step) {
        if (!goToStep(step))
            updateNavigation(); // put the selection back on the current step
    });

    m_back = new QPushButton(style()->standardIcon(QStyle::SP_ArrowBack), tr("&Back"), this);
    m_back->setObjectName(QStringLiteral("backButton"));
    m_next = new QPushButton(tr("&Next"), this);
    m_next->setObjectName(QStringLiteral("nextButton"));
    m_next->setIcon(style()->standardIcon(QStyle::SP_ArrowForward));
    m_next->setLayoutDirection(Qt::RightToLeft); // icon after the text
    m_next->setDefault(true);
    m_reason = new QLabel(this);
    m_reason->setObjectName(QStringLiteral("nextReason"));
    m_reason->setForegroundRole(QPalette::PlaceholderText);
    connect(m_back, &QPushButton::clicked, this, &MainWindow::goBack);
    connect(m_next, &QPushButton::clicked, this, &MainWindow::goNext);

    auto *navigation = new QHBoxLayout;
    navigation->addWidget(m_reason, 1);
    navigation->addWidget(m_back);
    navigation->addWidget(m_next);
    m_sessionMessage = new MessageBanner(this);
    m_sessionMessage->setObjectName(QStringLiteral("sessionMessage"));
    auto *right = new QVBoxLayout;
    right->addWidget(m_sessionMessage);
    right->addWidget(m_stack, 1);
    right->addLayout(navigation);
    auto *central = new QWidget(this);
    auto *layout = new QHBoxLayout(central);
    layout->addWidget(m_steps);
    layout->addLayout(right, 1);
    setCentralWidget(central);
    statusBar()->setSizeGripEnabled(true);
}

WizardPage *MainWindow::page(int step) const
{
    switch (step) {
    case DataStep:
        return m_data;
    case ModelStep:
        return m_model;
    case MiningStep:
        return m_mining;
    case SettingsStep:
        return m_settings;
    case TrainStep:
        return m_train;
    case TryExportStep:
        return m_tryExport;
    default:
        return nullptr;
    }
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *openData
        = file->addAction(style()->standardIcon(QStyle::SP_DialogOpenButton), tr("Add &pair files…"));
    openData->setShortcut(standardOr(QKeySequence::Open, QKeySequence(Qt::CTRL | Qt::Key_O)));
    connect(openData, &QAction::triggered, this, [this] {
        if (!refuseWhileTraining() && goToStep(DataStep))
            m_data->browseForFiles();
    });
    QAction *openModel
        = file->addAction(style()->standardIcon(QStyle::SP_DirOpenIcon), tr("Open &model folder…"));
    openModel->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_O));
    connect(openModel, &QAction::triggered, this, [this] {
        if (!refuseWhileTraining() && goToStep(ModelStep))
            m_model->browseForFolder();
    });
    addRunsMenu(
        file, this, [this] { return QFileInfo(m_train->runFolder()).absolutePath(); },
        [this](const TrainingConfig &run) { useRunSettings(run); },
        [this](const QString &run) { openRun(run); });
    file->addSeparator();
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(standardOr(QKeySequence::Quit, QKeySequence(Qt::CTRL | Qt::Key_Q)));
    quit->setMenuRole(QAction::QuitRole);

    QMenu *go = menuBar()->addMenu(tr("&Go"));
    m_backAction
        = go->addAction(style()->standardIcon(QStyle::SP_ArrowBack), tr("&Back"), this, &MainWindow::goBack);
    m_backAction->setShortcut(standardOr(QKeySequence::Back, QKeySequence(Qt::ALT | Qt::Key_Left)));
    m_nextAction = go->addAction(
        style()->standardIcon(QStyle::SP_ArrowForward), tr("&Next"), this, &MainWindow::goNext);
    m_nextAction->setShortcut(standardOr(QKeySequence::Forward, QKeySequence(Qt::ALT | Qt::Key_Right)));
    go->addSeparator();
    for (int step = 0; step < StepCount; ++step) {
        // A title's own "&" ("Try & Export") is doubled, else the menu would take it for a mnemonic.
        QString title = page(step)->title();
        title.replace(QLatin1Char('&'), QStringLiteral("&&"));
        QAction *action
            = go->addAction(tr("&%1 %2").arg(step + 1).arg(title), this, [this, step] { goToStep(step); });
        action->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + step)));
    }

    QMenu *training = menuBar()->addMenu(tr("&Training"));
    m_startAction
        = training->addAction(style()->standardIcon(QStyle::SP_MediaPlay), tr("&Start"), this, [this] {
              if (goToStep(TrainStep))
                  m_train->startTraining();
          });
    m_startAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
    m_cancelAction = training->addAction(
        style()->standardIcon(QStyle::SP_MediaStop), tr("&Cancel"), m_train, &TrainPage::cancelTraining);
    m_cancelAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
    m_resumeAction = training->addAction(style()->standardIcon(QStyle::SP_MediaSeekForward), tr("&Resume"),
        m_train, &TrainPage::resumeTraining);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *about = help->addAction(tr("&About Pairtune"), this, &MainWindow::showAbout);
    about->setMenuRole(QAction::AboutRole);
    QAction *aboutQt = help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
    aboutQt->setMenuRole(QAction::AboutQtRole);
}

void MainWindow::wirePages()
{
    for (int step = 0; step < StepCount; ++step)
        connect(page(step), &WizardPage::completeChanged, this, &MainWindow::updateNavigation);

    connect(m_data, &DataPage::dataChanged, this, [this] {
        m_mining->setInputs(m_data->dataset(), m_model->model());
        updateSettingsData();
    });
    connect(m_mining, &MiningPage::minedChanged, this, &MainWindow::updateSettingsData);
    m_mining->setEpochSecondsSource([this] {
        // The estimate's training time per epoch, for the pairs without negatives.
        const RunEstimate &estimate = m_settings->estimate();
        if (estimate.seconds <= 0 || estimate.totalSteps <= 0)
            return 0.0;
        const TrainingConfig config = m_settings->config();
        const std::size_t negatives
            = m_mining->hasMined() && lossUsesNegatives(config.loss) ? m_mining->mined()->perRow() : 0;
        const double epoch = (estimate.seconds - estimate.evaluationSeconds) * double(estimate.stepsPerEpoch)
            / double(estimate.totalSteps);
        return epoch * 2.0 / (2.0 + double(negatives));
    });
    connect(m_model, &ModelPage::modelChanged, this, [this] {
        m_mining->setInputs(m_data->dataset(), m_model->model());
        m_settings->setModel(m_model->model());
        if (m_model->model())
            m_train->setModelFolder(QString::fromStdString(m_model->model()->folder()));
        updateReportContext();
    });
    connect(m_settings, &SettingsPage::configChanged, this, &MainWindow::updateReportContext);
    connect(m_settings, &SettingsPage::clusterCommandRequested, this, &MainWindow::showClusterCommand);
    m_mining->setSplit(m_settings->config().seed, m_settings->config().trainFraction);

    m_train->setConfigProvider([this](const QString &runFolder) {
        // An opened run makes the Train page reachable before the data and the model are chosen.
        if (wizardReachableStep() < TrainStep)
            throw Error(tr("A new run needs the data, the model and valid settings: complete pages 1 to 3 "
                           "first (New run with these settings loads an opened run's).")
                            .toStdString());
        RunStart run { m_settings->config(), {} };
        m_model->describeBase(run.config); // basePath, and the Hub repo/revision/commit for a Hub model
        DataPage::RunData data = m_data->dataForRun(runFolder);
        run.config.dataPaths = std::move(data.paths);
        run.pairs = std::move(data.prepared); // written by the training worker, not here
        // Mined negatives: the reviewed pairs go into the run folder, so the run (and its resume) reads
        // exactly what was reviewed; throws when they were mined under another split.
        if (auto mined = m_mining->pairsForRun(run.config)) {
            const std::string path
                = QDir(runFolder).filePath(QStringLiteral("mined-pairs.jsonl")).toStdString();
            run.config.dataPaths = { path };
            run.pairs = { std::move(mined), path };
        }
        run.config.outPath = runFolder.toStdString();
        return run;
    });
    connect(m_train, &TrainPage::runFinished, this, [this](const TrainingResult &result) {
        if (m_closeWhenStopped)
            return; // the window is closing: no point in preparing the comparison
        m_tryExport->setRun(m_train->runConfig(), result, baseModelOf(m_train->runConfig()));
        updateNavigation();
    });
    connect(m_train, &TrainPage::runOpened, this, [this](const TrainingResult &result) {
        m_tryExport->setRun(m_train->runConfig(), result, baseModelOf(m_train->runConfig()));
        addRecentRun(QString::fromStdString(result.runPath));
        updateNavigation();
    });
    connect(m_train, &TrainPage::newRunRequested, this, &MainWindow::useRunSettings);
    connect(m_train, &TrainPage::runFinished, this,
        [](const TrainingResult &result) { addRecentRun(QString::fromStdString(result.runPath)); });
    connect(m_train, &TrainPage::runningChanged, this, [this](bool running) {
        // The pages the run was made from stay viewable, read-only while it runs.
        for (int step = DataStep; step < TrainStep; ++step)
            page(step)->setReadOnly(running);
        updateNavigation();
        if (m_saveSessionOnChange)
            saveSession(); // a run started or ended: the shown run changed
        if (!running && m_closeWhenStopped)
            close();
    });
    connect(m_engineLog, &EngineLog::message, this, [this](bool warning, const QString &text) {
        m_train->appendLog(warning ? tr("Warning: %1").arg(text) : text);
        if (warning)
            statusBar()->showMessage(text, 8000);
    });
}

void MainWindow::updateSettingsData()
{
    auto mined = m_mining->hasMined() ? m_mining->mined()->pairs() : nullptr;
    m_settings->setData(mined ? mined : m_data->dataset(), m_data->lastResult().report);
}

void MainWindow::updateReportContext()
{
    const TrainingConfig config = m_settings->config();
    m_mining->setSplit(config.seed, config.trainFraction);
    m_data->setReportContext(m_model->model(), config.maxSeqLength, config.trainFraction, config.seed);
}

int MainWindow::currentStep() const
{
    return m_stack->currentIndex();
}

int MainWindow::wizardReachableStep() const
{
    int step = 0;
    while (step + 1 < StepCount && page(step)->isComplete())
        ++step;
    return step;
}

int MainWindow::reachableStep() const
{
    const int step = wizardReachableStep();
    if (m_train->shownRun().isEmpty() || m_train->isRunning())
        return step;
    return std::max(step, m_train->isComplete() ? int(TryExportStep) : int(TrainStep));
}

bool MainWindow::goToStep(int step)
{
    if (step < 0 || step >= StepCount)
        return false;
    const int current = currentStep();
    // Leaving a page that is busy (training) is not allowed in either direction; going forward needs
    // every page before the target complete, except to the Train and Try & Export pages of an opened run.
    const bool reachable = step <= wizardReachableStep() || (step >= TrainStep && step <= reachableStep());
    if (step != current && (!page(current)->canGoBack() || !reachable))
        return false;
    m_stack->setCurrentIndex(step);
    page(step)->enterPage();
    updateNavigation();
    if (step != current && m_saveSessionOnChange)
        saveSession();
    return true;
}

bool MainWindow::goBack()
{
    return goToStep(currentStep() - 1);
}

bool MainWindow::goNext()
{
    const int step = currentStep();
    if (!page(step)->isComplete())
        return false;
    return goToStep(step + 1);
}

void MainWindow::updateNavigation()
{
    const int step = currentStep();
    WizardPage *current = page(step);
    const bool canBack = step > 0 && current->canGoBack();
    const bool canNext = step + 1 < StepCount && current->isComplete();
    m_back->setEnabled(canBack);
    m_backAction->setEnabled(canBack);
    m_next->setEnabled(canNext);
    m_nextAction->setEnabled(canNext);
    m_next->setVisible(step + 1 < StepCount);
    if (current->isReadOnly())
        m_reason->setText(tr("Training is running: this page is read-only until it stops."));
    else
        m_reason->setText(canNext || step + 1 >= StepCount ? QString() : current->incompleteReason());
    const bool running = m_train->isRunning();
    m_startAction->setEnabled(!running && wizardReachableStep() >= TrainStep);
    m_cancelAction->setEnabled(running);
    m_resumeAction->setEnabled(m_train->canResume());
    // An opened run's pages are reachable without the earlier ones being done: no check marks there.
    m_steps->setState(
        step, current->canGoBack() ? reachableStep() : step, std::min(step, wizardReachableStep()));
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_train->isRunning()) {
        // Stop after the current step (the trainer then saves a checkpoint) and close when it has:
        // blocking here would freeze the window for the length of a step.
        m_closeWhenStopped = true;
        m_train->cancelTraining();
        statusBar()->showMessage(tr("Stopping the training after the current step, then closing…"));
        setEnabled(false);
        event->ignore();
        return;
    }
    prefs::windowGeometry.set(saveGeometry());
    prefs::windowState.set(saveState());
    saveSession();
    QMainWindow::closeEvent(event);
}

bool MainWindow::refuseWhileTraining()
{
    if (!m_train->isRunning())
        return false;
    statusBar()->showMessage(
        tr("Training is running: the data and the model can change once it stops."), 8000);
    return true;
}

QString MainWindow::aboutText() const
{
    return tr(
        "<h3>Pairtune %1</h3>"
        "<p>Fine-tune sentence-embedding models on pairs of texts. Exported folders load unchanged with "
        "Python's <code>SentenceTransformer(path)</code>.</p>"
        "<table>"
        "<tr><td>Qt</td><td>%2 (built with %3)</td></tr>"
        "<tr><td>QCustomPlot</td><td>%4</td></tr>"
        "<tr><td>Compute</td><td>%5</td></tr>"
        "</table>")
        .arg(QString::fromLatin1(pairtune::kVersion), QString::fromLatin1(qVersion()),
            QStringLiteral(QT_VERSION_STR), QStringLiteral(QCUSTOMPLOT_VERSION_STR),
            QString::fromStdString(computeBackendInfo()).toHtmlEscaped());
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Pairtune"), aboutText());
}

} // namespace pairtune::ui
