// "Save the prepared pairs..." in the cluster dialog (ClusterCommandDialog, ui/preparedpairssave.h) with
// a big prepared set: the engine's writer runs off the GUI thread, so the call returns at once and a
// 10 ms timer on the GUI thread keeps ticking, and the progress bar moves, while the file is written;
// Cancel, a read-only folder and a write that fails part-way (RLIMIT_FSIZE: EFBIG, as a full disk
// would) leave nothing at the chosen path and keep the command withheld, with a message naming the
// file; a finished save is byte for byte what writePairsJsonl writes and the command reads it.
// (tst_torchrunstudio runs the command through bash into pairtune-cli with a small saved set.)
//
// The pairs are generated here; 300,000 of them are about 95 MB of JSON Lines, 0.6-0.7 s to write here.

#include "data/pairdataset.h"
#include "data/pairfilewriter.h"
#include "ui/clustercommanddialog.h"
#include "ui/preparedpairssave.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <csignal>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace pairtune;
using namespace pairtune::ui;

namespace {

constexpr std::size_t kPairs = 300000;
constexpr int kWaitMs = 120000;

std::shared_ptr<const PairDataset> bigSet()
{
    std::vector<PairRecord> records;
    records.reserve(kPairs);
    for (std::size_t i = 0; i < kPairs; ++i) {
        const std::string n = std::to_string(i);
        records.push_back({ "How do I reset the password of account " + n + " after the \"new login\" page?",
            "Open Settings, choose Security, then Reset password for account " + n
                + "; the link in the e-mail is valid for 24 hours.\tTicket " + n,
            { "Invoices for account " + n + " are sent on the first day of the month." }, std::nullopt, 0,
            0 });
    }
    return std::make_shared<const PairDataset>(PairDataset::fromRecords(std::move(records)));
}

QStringList filesIn(const QString &folder)
{
    return QDir(folder).entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot);
}

// Where to save a picture of the dialog when PAIRTUNE_SAVE_GRAB names a folder (to look at the
// states by eye); empty otherwise.
QString grabPath(const QString &name)
{
    const QString folder = qEnvironmentVariable("PAIRTUNE_SAVE_GRAB");
    return folder.isEmpty() ? QString() : QDir(folder).filePath(name);
}

// The dialog is waiting for the pairs: no command, Copy off, the problem says to save them.
bool commandWithheld(const ClusterCommandDialog &dialog)
{
    return dialog.command().isEmpty() && !dialog.copyButton()->isEnabled()
        && dialog.problem().contains(QStringLiteral("save the prepared pairs"));
}

} // namespace

class TestPreparedPairsSave : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void saveKeepsTheWindowResponsive();
    void cancelLeavesNothingAtThePath();
    void readOnlyFolderNamesTheFile();
    void writeFailingPartWayLeavesNoPartialFile();

private:
    TrainingConfig config() const;
    QString failedSave(ClusterCommandDialog &dialog, const QString &path);

    QTemporaryDir m_dir;
    std::shared_ptr<const PairDataset> m_pairs;
};

void TestPreparedPairsSave::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QVERIFY(m_dir.isValid());
    m_pairs = bigSet();
}

TrainingConfig TestPreparedPairsSave::config() const
{
    TrainingConfig config;
    config.dataPaths = { m_dir.filePath(QStringLiteral("pairs.tsv")).toStdString() };
    config.basePath = "builtin";
    config.outPath = m_dir.filePath(QStringLiteral("run")).toStdString();
    return config;
}

void TestPreparedPairsSave::saveKeepsTheWindowResponsive()
{
    ClusterCommandDialog dialog(config(), m_pairs);
    dialog.show();
    PreparedPairsSave *save = dialog.preparedPairsSave();
    QVERIFY(save);
    QVERIFY(commandWithheld(dialog));
    const QString folder = m_dir.filePath(QStringLiteral("saved"));
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + QStringLiteral("/prepared.jsonl");

    // Ticks of a 10 ms timer while the save runs, the longest gap between them, the progress shown.
    int ticks = 0;
    qint64 longestGap = 0;
    QList<int> progressSeen;
    QElapsedTimer sinceTick;
    QTimer timer;
    timer.setInterval(10);
    timer.setTimerType(Qt::PreciseTimer);
    const QString grabTo = grabPath(QStringLiteral("saving.png"));
    connect(&timer, &QTimer::timeout, this, [&] {
        if (!save->isSaving())
            return;
        ++ticks;
        longestGap = std::max(longestGap, sinceTick.restart());
        const int value = save->progressBar()->value();
        if (progressSeen.isEmpty() || progressSeen.last() != value) {
            progressSeen << value;
            if (!grabTo.isEmpty() && value > 300 && value < 700)
                dialog.grab().save(grabTo);
        }
    });

    QElapsedTimer clock;
    clock.start();
    sinceTick.start();
    timer.start();
    QVERIFY(dialog.savePreparedPairs(path));
    const qint64 returnedAfter = clock.elapsed();
    // It returned before the file was written, and nothing is at the path until the rename.
    QVERIFY(save->isSaving());
    QVERIFY(!QFileInfo::exists(path));
    QVERIFY(save->progressBar()->isVisible());
    QVERIFY(save->cancelButton()->isVisible());
    QVERIFY(!save->saveButton()->isEnabled());
    QVERIFY(commandWithheld(dialog));
    QSignalSpy saved(save, &PreparedPairsSave::saved);
    QTRY_VERIFY_WITH_TIMEOUT(!save->isSaving(), kWaitMs);
    const qint64 took = clock.elapsed();
    timer.stop();
    qInfo("%zu pairs saved in %lld ms (the call returned after %lld ms); %d ticks of the 10 ms timer, the "
          "longest gap %lld ms; progress shown (of 1000): %s",
        kPairs, took, returnedAfter, ticks, longestGap, qPrintable([&] {
            QStringList values;
            for (int v : progressSeen)
                values << QString::number(v);
            return values.join(' ');
        }()));

    // The event loop ran all along: the timer ticked and the bar moved between empty and full.
    QVERIFY2(ticks >= 3, qPrintable(QString::number(ticks)));
    QVERIFY2(std::any_of(progressSeen.begin(), progressSeen.end(), [](int v) { return v > 0 && v < 1000; }),
        "no progress between 0 and the end was shown");
    QVERIFY2(longestGap * 2 < took,
        qPrintable(QStringLiteral("a gap of %1 ms in %2 ms").arg(longestGap).arg(took)));

    QCOMPARE(saved.count(), 1);
    QCOMPARE(saved.front().front().toString(), path);
    QVERIFY2(save->message().contains(path)
            && save->message().contains(
                QStringLiteral("Saved %1 prepared pairs").arg(QLocale().toString(qulonglong(kPairs)))),
        qPrintable(save->message()));
    QVERIFY(!save->saveButton()->isVisible());
    QVERIFY2(dialog.problem().isEmpty(), qPrintable(dialog.problem()));
    QVERIFY2(dialog.command().contains(QStringLiteral("--data ") + path), qPrintable(dialog.command()));
    QVERIFY(dialog.copyButton()->isEnabled());

    // The same bytes as the engine's writer, and no temporary left beside it.
    const QString reference = m_dir.filePath(QStringLiteral("reference.jsonl"));
    writePairsJsonl(*m_pairs, reference.toStdString());
    QFile a(path), b(reference);
    QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
    QVERIFY(a.size() > 0);
    QCOMPARE(a.size(), b.size());
    QVERIFY(a.readAll() == b.readAll());
    QCOMPARE(filesIn(folder), QStringList { QStringLiteral("prepared.jsonl") });
}

void TestPreparedPairsSave::cancelLeavesNothingAtThePath()
{
    ClusterCommandDialog dialog(config(), m_pairs);
    dialog.show();
    PreparedPairsSave *save = dialog.preparedPairsSave();
    const QString folder = m_dir.filePath(QStringLiteral("cancelled"));
    QVERIFY(QDir().mkpath(folder));
    const QString path = folder + QStringLiteral("/prepared.jsonl");
    QSignalSpy saved(save, &PreparedPairsSave::saved);
    QVERIFY(dialog.savePreparedPairs(path));
    // Cancel once the bar shows part of the pairs written: the middle of the write.
    QTRY_VERIFY_WITH_TIMEOUT(save->progressBar()->value() > 0 || !save->isSaving(), kWaitMs);
    QVERIFY2(save->isSaving(), "the write ended before Cancel could be pressed: the set is too small");
    QVERIFY(save->cancelButton()->isEnabled());
    save->cancelButton()->click();
    QVERIFY(!save->cancelButton()->isEnabled()); // asked; the write stops at its next chunk
    QTRY_VERIFY_WITH_TIMEOUT(!save->isSaving(), kWaitMs);

    QCOMPARE(saved.count(), 0);
    QVERIFY(!QFileInfo::exists(path));
    QCOMPARE(filesIn(folder), QStringList());
    QVERIFY2(save->message().contains(QStringLiteral("cancelled")) && save->message().contains(path),
        qPrintable(save->message()));
    QVERIFY(commandWithheld(dialog));
    QVERIFY(save->saveButton()->isVisible() && save->saveButton()->isEnabled()); // the user may try again
    QVERIFY(!save->progressBar()->isVisible());
}

// Saves to `path`, expects it to fail, and returns the message shown; checks nothing was left there.
QString TestPreparedPairsSave::failedSave(ClusterCommandDialog &dialog, const QString &path)
{
    PreparedPairsSave *save = dialog.preparedPairsSave();
    QSignalSpy saved(save, &PreparedPairsSave::saved);
    if (!dialog.savePreparedPairs(path))
        return QStringLiteral("did not start");
    if (!QTest::qWaitFor([&] { return !save->isSaving(); }, kWaitMs))
        return QStringLiteral("did not end");
    if (saved.count() != 0 || QFileInfo::exists(path) || !filesIn(QFileInfo(path).path()).isEmpty())
        return QStringLiteral("left a file: ") + filesIn(QFileInfo(path).path()).join(' ');
    if (!commandWithheld(dialog))
        return QStringLiteral("the command was not withheld: ") + dialog.command();
    return save->message();
}

void TestPreparedPairsSave::readOnlyFolderNamesTheFile()
{
    if (::geteuid() == 0)
        QSKIP("running as root, where a read-only folder does not stop writes (the part-way failure "
              "below runs anyway)");
    const QString folder = m_dir.filePath(QStringLiteral("read-only"));
    QVERIFY(QDir().mkpath(folder));
    QCOMPARE(::chmod(folder.toLocal8Bit().constData(), 0555), 0);
    ClusterCommandDialog dialog(config(), m_pairs);
    const QString path = folder + QStringLiteral("/prepared.jsonl");
    const QString message = failedSave(dialog, path);
    ::chmod(folder.toLocal8Bit().constData(), 0755);
    QVERIFY2(message.contains(QStringLiteral("Could not save the prepared pairs to"))
            && message.contains(path) && message.contains(QStringLiteral("Permission denied")),
        qPrintable(message));
}

void TestPreparedPairsSave::writeFailingPartWayLeavesNoPartialFile()
{
    const QString folder = m_dir.filePath(QStringLiteral("too-large"));
    QVERIFY(QDir().mkpath(folder));
    ClusterCommandDialog dialog(config(), m_pairs);
    const QString path = folder + QStringLiteral("/prepared.jsonl");
    // Files of this process may not grow past 4 MiB (SIGXFSZ ignored: the write returns EFBIG), so
    // the write fails after the first megabytes, as a disk filling up would.
    rlimit old {};
    QCOMPARE(::getrlimit(RLIMIT_FSIZE, &old), 0);
    const auto previous = std::signal(SIGXFSZ, SIG_IGN);
    rlimit small = old;
    small.rlim_cur = 4 << 20;
    QCOMPARE(::setrlimit(RLIMIT_FSIZE, &small), 0);
    const QString message = failedSave(dialog, path);
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, previous);
    if (const QString grab = grabPath(QStringLiteral("failed.png")); !grab.isEmpty()) {
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        dialog.grab().save(grab);
    }
    QVERIFY2(message.contains(QStringLiteral("Could not save the prepared pairs to"))
            && message.contains(path) && message.contains(QStringLiteral("File too large"))
            && message.contains(QStringLiteral("save again")),
        qPrintable(message));
    QVERIFY(dialog.preparedPairsSave()->saveButton()->isEnabled());
}

QTEST_MAIN(TestPreparedPairsSave)
#include "tst_preparedpairssave.moc"
