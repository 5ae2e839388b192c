// DataPage's reading and checking, off the GUI thread: the preview of the first rows first (shown
// within a moment, even for a file of a million pairs), then all pairs, the fixes and the data check,
// with the stage reached shown as a progress bar and a Stop button. (The page's layout and preview
// are in datapage.cpp, its sources in datapagesources.cpp.)

#include "ui/backgroundtask.h"
#include "ui/datapage.h"
#include "ui/datareportview.h"
#include "ui/loadedmodel.h"
#include "ui/textformat.h"

#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

#include <utility>

namespace pairtune::ui {
namespace {

QString stageText(int stage, const QString &sources)
{
    switch (stage) {
    case DataLoadProgress::Preview:
        return DataPage::tr("Reading the first rows of %1…").arg(sources);
    case DataLoadProgress::Reading:
        return DataPage::tr("Reading all pairs of %1…").arg(sources);
    case DataLoadProgress::Fixing:
        return DataPage::tr("Applying the fixes…");
    default:
        return DataPage::tr("Checking the pairs (duplicates, lengths, the held-out split)…");
    }
}

// Frees pairs on a pool thread: the last reference to a million records takes a noticeable while
// to let go, and the GUI thread must not wait for it.
void releaseInBackground(std::shared_ptr<const PairDataset> pairs)
{
    if (pairs && pairs.use_count() == 1)
        (void)QtConcurrent::run(backgroundPool(), [pairs = std::move(pairs)]() mutable { pairs.reset(); });
}

} // namespace

void DataPage::reload()
{
    if (m_sources.isEmpty()) {
        m_loading = false;
        m_dataPending = false;
        m_stopped = false;
        m_loadProgress.reset();
        m_progressTimer->stop();
        m_status->hide();
        m_loadBar->hide();
        m_stopLoad->hide();
        keepResult({});
        showResult(m_result);
        markFileProblems();
        Q_EMIT loadingChanged(false);
        Q_EMIT completeChanged();
        Q_EMIT dataChanged();
        return;
    }
    DataLoadRequest request;
    request.sources = m_sources.pairSources();
    request.options = m_options;
    request.cachedRaw = m_rawStale ? nullptr : m_result.raw;
    request.fixes = m_fixes;
    if (m_model) {
        std::shared_ptr<const LoadedModel> model = m_model;
        request.tokenCount = [model](std::string_view text) { return model->tokenCount(text); };
        request.maxSeqLength
            = std::size_t(m_maxSeqLength > 0 ? m_maxSeqLength : std::max(0, model->summary().maxSeqLength));
    }
    request.trainFraction = m_trainFraction;
    request.seed = m_seed;
    request.previewIndex = std::size_t(std::max(0, int(m_sources.keys().indexOf(previewFile()))));
    // Same files, same options: the preview shown is still right (only the fixes or the report's
    // measures changed), so the files are not read again at all.
    if (request.cachedRaw && m_result.previewIndex == request.previewIndex)
        request.cachedPreview = m_result.preview;
    m_loadProgress = std::make_shared<DataLoadProgress>();
    request.progress = m_loadProgress;

    const int generation = ++m_generation;
    m_loading = true;
    m_stopped = false;
    m_loadClock.start();
    m_stopLoad->setText(tr("Stop"));
    m_stopLoad->setToolTip(tr("Stop reading and checking the data (for instance to choose another file)."));
    m_stopLoad->show();
    m_loadBar->show();
    m_status->show();
    updateLoadProgress();
    m_progressTimer->start();
    Q_EMIT loadingChanged(true);
    Q_EMIT completeChanged();
    if (request.cachedPreview) {
        startLoad(std::move(request), generation, 0);
        return;
    }
    // The first rows on their own: shown while all pairs are read, which for a big file takes long.
    const PairSource source = request.sources[request.previewIndex];
    const ImportOptions options = request.options;
    runInBackground<PreviewTable>(
        this, [source, options] { return preview(source, options); },
        [this, generation, request](const PreviewTable &table) {
            if (generation != m_generation)
                return;
            fillPreview(table, previewFile());
            DataLoadRequest rest = request;
            rest.cachedPreview = table;
            startLoad(std::move(rest), generation, 1);
        });
}

void DataPage::startLoad(DataLoadRequest request, int generation, std::size_t readsBefore)
{
    // Said at once, not at the next tick of the progress timer: the preview is done.
    request.progress->stage = std::max<int>(request.progress->stage, DataLoadProgress::Reading);
    updateLoadProgress();
    runInBackground<DataLoadResult>(
        this, [request = std::move(request)] { return loadPairData(request); },
        [this, generation, readsBefore](DataLoadResult result) {
            if (generation != m_generation || result.cancelled)
                return; // the files or options changed meanwhile (a newer load is on its way), or stopped
            result.sourceReads += readsBefore;
            finishLoad(std::move(result));
        });
}

void DataPage::finishLoad(DataLoadResult result)
{
    m_loading = false;
    m_dataPending = false;
    m_loadProgress.reset();
    m_progressTimer->stop();
    m_status->hide();
    m_loadBar->hide();
    m_stopLoad->hide();
    m_rawStale = !result.raw;
    keepResult(std::move(result));
    showResult(m_result);
    markFileProblems();
    Q_EMIT loadingChanged(false);
    Q_EMIT completeChanged();
    Q_EMIT dataChanged();
}

void DataPage::keepResult(DataLoadResult result)
{
    DataLoadResult old = std::exchange(m_result, std::move(result));
    if (old.dataset != old.raw)
        releaseInBackground(std::move(old.dataset));
    old.dataset.reset();
    releaseInBackground(std::move(old.raw));
}

void DataPage::stopLoading()
{
    if (!m_loading)
        return;
    if (m_loadProgress)
        m_loadProgress->cancelled = true;
    ++m_generation; // its result, if it comes, is dropped
    m_loading = false;
    m_stopped = true;
    m_loadProgress.reset();
    m_progressTimer->stop();
    m_loadBar->hide();
    m_status->setText(
        tr("Stopped after %1 s. The pairs are not checked yet.").arg(m_loadClock.elapsed() / 1000));
    m_stopLoad->setText(tr("Check again"));
    m_stopLoad->setToolTip(tr("Read and check the data again."));
    Q_EMIT loadingChanged(false);
    Q_EMIT completeChanged();
}

QString DataPage::statusText() const
{
    return m_status->isVisibleTo(this) ? m_status->text() : QString();
}

void DataPage::updateLoadProgress()
{
    if (!m_loadProgress)
        return;
    const int stage = m_loadProgress->stage;
    m_loadBar->setValue(stage);
    QString text = stageText(stage, countOf(m_sources.size(), tr("source"), tr("sources")));
    // After a second, how long it has taken: a big file is not stuck, it is being read.
    if (m_loadClock.elapsed() >= 1000)
        text += tr(" (%1 s)").arg(m_loadClock.elapsed() / 1000);
    m_status->setText(text);
}

} // namespace pairtune::ui
