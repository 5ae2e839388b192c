// MainWindow's session and run handling: saving what the studio works on when it closes, restoring it
// on the next start, opening a run folder and starting a new run with a run's settings. The rest of
// the window is mainwindow.cpp.

#include "ui/datapage.h"
#include "ui/loadedmodel.h"
#include "ui/mainwindow.h"
#include "ui/messagebanner.h"
#include "ui/modelpage.h"
#include "ui/runsmenu.h"
#include "ui/session.h"
#include "ui/settingspage.h"
#include "ui/trainpage.h"

#include <QDir>
#include <QFileInfo>
#include <QStatusBar>

namespace pairtune::ui {
namespace {

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path).toHtmlEscaped();
}

QString sourceName(ModelPage::Source source)
{
    switch (source) {
    case ModelPage::Source::Builtin:
        return QStringLiteral("builtin");
    case ModelPage::Source::Hub:
        return QStringLiteral("hub");
    case ModelPage::Source::Folder:
        break;
    }
    return QStringLiteral("folder");
}

} // namespace

void MainWindow::saveSession() const
{
    StudioSession session;
    session.dataFiles = m_data->files();
    session.importOptions = m_data->importOptions();
    session.fixes = m_data->fixes();
    if (m_model->model() || m_model->isLoading()) {
        session.modelSource = sourceName(m_model->source());
        session.modelFolder = m_model->basePath();
        session.hubRepo = m_model->hubRepoId();
        session.hubRevision = m_model->hubRevision();
    }
    session.settings = m_settings->config();
    session.currentRun = m_train->shownRun();
    session.step = currentStep();
    saveStudioSession(session);
}

void MainWindow::restoreSession()
{
    const std::optional<StudioSession> session = loadStudioSession();
    if (!session)
        return;
    QStringList problems;
    QStringList files;
    for (const QString &file : session->dataFiles) {
        if (QFileInfo(file).isFile())
            files << file;
        else
            problems << tr("The pair file <b>%1</b> is missing (moved or deleted?): add it again on the Data "
                           "page.")
                            .arg(native(file));
    }
    if (!files.isEmpty()) {
        m_data->setImportOptions(session->importOptions);
        m_data->addFiles(files);
        m_data->setFixes(session->fixes);
    }
    if (session->modelSource == QLatin1String("builtin")) {
        m_model->chooseBuiltin();
    } else if (!session->modelSource.isEmpty()) {
        // A Hub model comes back from its snapshot in the local cache: no download at start-up.
        if (QFileInfo(session->modelFolder).isDir())
            chooseModel(session->modelSource, session->modelFolder, session->hubRepo, session->hubRevision);
        else
            problems << tr("The model folder <b>%1</b> is missing: choose the model again on the Model page.")
                            .arg(
                                native(session->hubRepo.isEmpty() ? session->modelFolder : session->hubRepo));
    }
    if (session->settings)
        m_settings->setConfig(*session->settings);
    if (!session->currentRun.isEmpty()) {
        const QString error = QFileInfo(session->currentRun).isDir()
            ? m_train->openRun(session->currentRun)
            : tr("it is missing (moved or deleted?)");
        if (!error.isEmpty())
            problems << tr("The run <b>%1</b> cannot be shown: %2")
                            .arg(native(session->currentRun), error.toHtmlEscaped());
    }
    m_sessionProblems = problems;
    if (problems.isEmpty()) {
        statusBar()->showMessage(tr("Your last session is back: its data, model, settings and run."), 10000);
        return;
    }
    m_sessionMessage->showMessage(MessageBanner::Kind::Warning,
        tr("<b>Part of your last session could not be restored.</b>") + QStringLiteral("<br>")
            + problems.join(QStringLiteral("<br>")));
    m_sessionMessage->addAction(tr("Dismiss"), [this] { m_sessionMessage->clear(); });
}

void MainWindow::chooseModel(
    const QString &source, const QString &folder, const QString &repo, const QString &revision)
{
    if (source == QLatin1String("builtin") || folder == QLatin1String("builtin"))
        m_model->chooseBuiltin();
    else if (source == QLatin1String("hub") && !repo.isEmpty())
        m_model->chooseHubModel(repo, revision.isEmpty() ? QStringLiteral("main") : revision);
    else
        m_model->chooseFolder(folder);
}

std::shared_ptr<const LoadedModel> MainWindow::baseModelOf(const TrainingConfig &config) const
{
    const std::shared_ptr<const LoadedModel> model = m_model->model();
    if (!model)
        return nullptr;
    const QString base = QString::fromStdString(config.basePath);
    const bool same = base == QLatin1String("builtin") ? m_model->usesBuiltin()
                                                       : QFileInfo(base).canonicalFilePath()
            == QFileInfo(QString::fromStdString(model->folder())).canonicalFilePath();
    return same ? model : nullptr;
}

bool MainWindow::openRun(const QString &path)
{
    if (refuseWhileTraining())
        return false;
    const QString error = m_train->openRun(path);
    if (!error.isEmpty()) {
        statusBar()->showMessage(tr("Cannot open the run: %1").arg(error), 15000);
        return false;
    }
    goToStep(TrainStep);
    return true;
}

void MainWindow::useRunSettings(const TrainingConfig &run)
{
    m_settings->setConfig(withSettingsOf(m_settings->config(), run));
    // Where nothing is chosen yet, the run's own data and base model (those still on disk).
    if (m_data->files().isEmpty() && !m_train->isRunning()) {
        QStringList files;
        for (const std::string &path : run.dataPaths) {
            if (QFileInfo(QString::fromStdString(path)).isFile())
                files << QString::fromStdString(path);
        }
        m_data->addFiles(files);
    }
    if (!m_model->model() && !m_model->isLoading() && !m_train->isRunning()) {
        const QString base = QString::fromStdString(run.basePath);
        if (!run.baseRepoId.empty())
            chooseModel(QStringLiteral("hub"), base, QString::fromStdString(run.baseRepoId),
                QString::fromStdString(run.baseRevision));
        else if (base == QLatin1String("builtin") || QFileInfo(base).isDir())
            chooseModel(QStringLiteral("folder"), base, {}, {});
    }
    // Without data and a model the Settings page is not reachable yet: say where the settings went.
    if (!goToStep(SettingsStep))
        statusBar()->showMessage(tr("The run's settings are on the Settings page, for the data and model "
                                    "(loading, or to choose) before it."),
            10000);
}

} // namespace pairtune::ui
