#include "ui/verdictpanel.h"

#include "core/error.h"
#include "io/jsonfile.h"
#include "train/generalcheck.h"
#include "train/runverdict.h"
#include "ui/backgroundtask.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

namespace pairtune::ui {

// What the panel shows of a verdict.json, parsed on the worker thread.
struct VerdictPanel::Document
{
    nlohmann::json verdict; // empty when there is none
    QString problem; // why there is none
    bool canCompute = false;
};

namespace {

QString verdictColor(const QString &verdict)
{
    if (verdict == QLatin1String("Better"))
        return QStringLiteral("#1b7f3b");
    if (verdict == QLatin1String("Worse"))
        return QStringLiteral("#b3261e");
    return QStringLiteral("#6b6b6b");
}

QString number(double value, bool sign = false)
{
    const QString text = QString::number(value, 'f', 4);
    return sign && value >= 0 ? QStringLiteral("+") + text : text;
}

QString rankText(const nlohmann::json &rank, int depth)
{
    return rank.is_null() ? QStringLiteral("> %1").arg(depth) : QString::number(rank.get<int>());
}

QString text(const nlohmann::json &value)
{
    return value.is_string() ? QString::fromStdString(value.get<std::string>()) : QString();
}

QTableWidgetItem *cell(const QString &text, const QString &tooltip = {})
{
    auto *item = new QTableWidgetItem(text);
    item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsSelectable);
    item->setToolTip(tooltip.isEmpty() ? text : tooltip);
    return item;
}

QTableWidget *table(QWidget *parent, const QStringList &headers, const char *name)
{
    auto *t = new QTableWidget(0, static_cast<int>(headers.size()), parent);
    t->setObjectName(QLatin1String(name));
    t->setHorizontalHeaderLabels(headers);
    t->verticalHeader()->hide();
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setWordWrap(false);
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

} // namespace

VerdictPanel::VerdictPanel(QWidget *parent)
    : QWidget(parent)
{
    m_headline = new QLabel(this);
    m_headline->setObjectName(QStringLiteral("verdictHeadline"));
    m_headline->setTextFormat(Qt::RichText);
    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("verdictDetails"));
    m_details->setWordWrap(true);
    m_general = new QLabel(this);
    m_general->setObjectName(QStringLiteral("verdictGeneralCheck"));
    m_general->setWordWrap(true);
    m_general->setToolTip(tr("The do-no-harm check: general English pairs that ship with Pairtune, ranked "
                             "under the base and the tuned model. Worse means tuning to your data damaged "
                             "general behaviour; switch it off with general_check in the recipe."));
    m_metrics = table(this,
        { tr("Metric"), tr("Base"), tr("Tuned"), tr("Difference"), tr("Interval"), tr("Verdict") },
        "verdictMetrics");
    m_changes = table(this,
        { tr(""), tr("Query (click to search)"), tr("True positive"), tr("Rank before → after"),
            tr("Ranked first instead") },
        "verdictChanges");
    m_changes->setToolTip(tr("Click a row to run its query in the before/after search below."));
    connect(m_changes, &QTableWidget::cellClicked, this, [this](int row, int) {
        if (const QTableWidgetItem *item = m_changes->item(row, 1))
            emit querySelected(item->data(Qt::UserRole).toString());
    });
    m_compute = new QPushButton(tr("Compute the verdict"), this);
    m_compute->setObjectName(QStringLiteral("computeVerdict"));
    m_compute->setToolTip(tr("Ranks the held-out pairs under the base and the tuned model (a few seconds to "
                             "minutes, on the worker thread) and writes verdict.json into the run."));
    connect(m_compute, &QPushButton::clicked, this, &VerdictPanel::compute);
    m_cancel = new QPushButton(tr("Stop"), this);
    connect(m_cancel, &QPushButton::clicked, this, &VerdictPanel::stop);
    m_progress = new QProgressBar(this);

    auto *top = new QHBoxLayout;
    top->addWidget(m_headline);
    top->addWidget(m_details, 1);
    top->addWidget(m_compute);
    top->addWidget(m_progress);
    top->addWidget(m_cancel);
    auto *tables = new QHBoxLayout;
    tables->addWidget(m_metrics, 2);
    tables->addWidget(m_changes, 3);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(top);
    layout->addWidget(m_general);
    layout->addLayout(tables);
    setBusy(false);
    showMissing(tr("No run yet."), false);
}

VerdictPanel::~VerdictPanel()
{
    stop();
}

void VerdictPanel::setRun(const QString &runPath)
{
    stop();
    m_runPath = runPath;
    const int generation = ++m_generation;
    if (runPath.isEmpty()) {
        showMissing(tr("No run yet."), false);
        return;
    }
    const std::string path = QDir(runPath).filePath(QStringLiteral("verdict.json")).toStdString();
    const bool finished = QFileInfo::exists(QDir(runPath).filePath(QStringLiteral("model/modules.json")))
        && QFileInfo::exists(QDir(runPath).filePath(QStringLiteral("eval-pairs.tsv")));
    runInBackground<std::shared_ptr<const Document>>(
        this,
        [path, finished] {
            auto document = std::make_shared<Document>();
            document->canCompute = finished;
            try {
                if (QFileInfo::exists(QString::fromStdString(path)))
                    document->verdict = readJsonFile(path);
                else
                    document->problem = finished
                        ? QObject::tr("This run has no verdict yet (runs before Pairtune's verdict did not "
                                      "make one).")
                        : QObject::tr("No verdict: the run has no final model or no held-out pairs.");
            } catch (const std::exception &e) {
                document->problem = QString::fromUtf8(e.what());
            }
            return std::shared_ptr<const Document>(document);
        },
        [this, generation](const std::shared_ptr<const Document> &document) {
            if (generation == m_generation)
                showDocument(document);
        });
}

void VerdictPanel::compute()
{
    if (m_runPath.isEmpty() || m_busy)
        return;
    const int generation = ++m_generation;
    m_stop = std::make_shared<std::atomic_bool>(false);
    setBusy(true);
    m_progress->setRange(0, 3);
    m_progress->setValue(0);
    const std::string runPath = m_runPath.toStdString();
    const std::shared_ptr<std::atomic_bool> stopFlag = m_stop;
    QPointer<QProgressBar> progress = m_progress;
    runInBackground<std::shared_ptr<const Document>>(
        this,
        [runPath, stopFlag, progress] {
            auto document = std::make_shared<Document>();
            document->canCompute = true;
            VerdictProgress callbacks;
            callbacks.stopRequested = [stopFlag] { return stopFlag->load(); };
            callbacks.progress = [progress](int done, int total, const std::string &what) {
                QMetaObject::invokeMethod(
                    progress,
                    [progress, done, total, what] {
                        if (!progress)
                            return;
                        progress->setRange(0, total);
                        progress->setValue(done);
                        progress->setFormat(QString::fromStdString(what));
                    },
                    Qt::QueuedConnection);
            };
            try {
                document->verdict = computeRunVerdict(runPath, callbacks).json;
            } catch (const Error &e) {
                document->problem = e.kind() == Error::Kind::Cancelled
                    ? QObject::tr("Stopped; the verdict was not computed.")
                    : QString::fromUtf8(e.what());
            } catch (const std::exception &e) {
                document->problem = QString::fromUtf8(e.what());
            }
            return std::shared_ptr<const Document>(document);
        },
        [this, generation](const std::shared_ptr<const Document> &document) {
            setBusy(false);
            if (generation == m_generation)
                showDocument(document);
        });
}

void VerdictPanel::stop()
{
    if (m_stop)
        m_stop->store(true);
}

QString VerdictPanel::verdictText() const
{
    return m_verdict;
}

void VerdictPanel::setBusy(bool busy)
{
    m_busy = busy;
    m_progress->setVisible(busy);
    m_cancel->setVisible(busy);
    m_compute->setEnabled(!busy);
}

void VerdictPanel::showMissing(const QString &why, bool canCompute)
{
    m_verdict.clear();
    m_headline->setText(tr("<b>Verdict:</b> none"));
    m_details->setText(why);
    m_compute->setVisible(canCompute);
    m_general->setVisible(false);
    m_metrics->setRowCount(0);
    m_changes->setRowCount(0);
    m_metrics->setVisible(false);
    m_changes->setVisible(false);
    emit loaded();
}

void VerdictPanel::showDocument(const std::shared_ptr<const Document> &document)
{
    const nlohmann::json &v = document->verdict;
    if (!v.is_object() || !v.contains("metrics")) {
        showMissing(document->problem, document->canCompute);
        return;
    }
    m_verdict = text(v.value("verdict", nlohmann::json()));
    const QString headline = text(v.value("headline", nlohmann::json()));
    const double confidence = v.value("confidence", 0.95) * 100.0;
    const int depth = v.value("depth", 100);
    m_headline->setText(tr("<b>Verdict:</b> <span style=\"color:%1; font-size:large\"><b>%2</b></span>")
                            .arg(verdictColor(m_verdict), m_verdict.toHtmlEscaped()));
    m_details->setText(tr("%1 held-out pairs, each searched among %2 texts; %3: the %4 % paired bootstrap "
                          "interval of tuned − base (%5 resamples, seed %6). Better or Worse only when the "
                          "interval excludes 0.")
                           .arg(v.value("pairs", 0))
                           .arg(v.value("corpus", 0))
                           .arg(headline)
                           .arg(confidence)
                           .arg(v.value("resamples", 0))
                           .arg(v.value("seed", std::uint64_t { 0 })));
    m_compute->setVisible(false);
    const auto general = v.find("general_check");
    m_general->setVisible(general != v.end() && general->is_object());
    if (m_general->isVisibleTo(this)) {
        const QString generalVerdict = text(general->value("verdict", nlohmann::json()));
        m_general->setText(QStringLiteral("<span style=\"color:%1\">%2</span>")
                               .arg(verdictColor(generalVerdict),
                                   QString::fromStdString(generalCheckSummary(*general)).toHtmlEscaped()));
    }

    const nlohmann::json &metrics = v.at("metrics");
    m_metrics->setRowCount(static_cast<int>(metrics.size()));
    m_metrics->setHorizontalHeaderItem(4, new QTableWidgetItem(tr("%1 % interval").arg(confidence)));
    int row = 0;
    for (const auto &[name, m] : metrics.items()) {
        const QString verdict = text(m.value("verdict", nlohmann::json()));
        m_metrics->setItem(row, 0, cell(QString::fromStdString(name)));
        m_metrics->setItem(row, 1, cell(number(m.value("before", 0.0))));
        m_metrics->setItem(row, 2, cell(number(m.value("after", 0.0))));
        m_metrics->setItem(row, 3, cell(number(m.value("difference", 0.0), true)));
        m_metrics->setItem(row, 4,
            cell(QStringLiteral("[%1, %2]")
                     .arg(number(m.value("low", 0.0), true), number(m.value("high", 0.0), true))));
        auto *verdictCell = cell(verdict);
        verdictCell->setForeground(QColor(verdictColor(verdict)));
        m_metrics->setItem(row, 5, verdictCell);
        ++row;
    }
    m_changes->setRowCount(0);
    const auto addChanges = [&](const char *key, bool gain) {
        for (const nlohmann::json &c : v.value(key, nlohmann::json::array())) {
            const int r = m_changes->rowCount();
            m_changes->insertRow(r);
            auto *kind
                = cell(gain ? QStringLiteral("▲") : QStringLiteral("▼"), gain ? tr("gain") : tr("loss"));
            kind->setForeground(
                QColor(verdictColor(gain ? QStringLiteral("Better") : QStringLiteral("Worse"))));
            m_changes->setItem(r, 0, kind);
            const QString query = text(c.value("query", nlohmann::json()));
            auto *queryCell = cell(query);
            queryCell->setData(Qt::UserRole, query);
            m_changes->setItem(r, 1, queryCell);
            m_changes->setItem(r, 2, cell(text(c.value("positive", nlohmann::json()))));
            m_changes->setItem(r, 3,
                cell(rankText(c.value("rank_before", nlohmann::json()), depth) + QStringLiteral(" → ")
                    + rankText(c.value("rank_after", nlohmann::json()), depth)));
            // A gain shows what the base model ranked first, a loss what the tuned model ranks first.
            const QString first
                = text(c.value(gain ? "outranked_by_before" : "outranked_by_after", nlohmann::json()));
            m_changes->setItem(r, 4, cell(first.isEmpty() ? tr("(the true positive)") : first));
        }
    };
    addChanges("gains", true);
    addChanges("losses", false);
    m_metrics->setVisible(true);
    m_changes->setVisible(true);
    m_metrics->resizeColumnsToContents();
    m_changes->resizeColumnsToContents();
    for (int c = 1; c <= 2; ++c)
        m_changes->setColumnWidth(c, std::min(m_changes->columnWidth(c), 220));
    emit loaded();
}

} // namespace pairtune::ui
