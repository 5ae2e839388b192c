#pragma once

// Runs a function on the studio's thread pool (backgroundPool()) and hands its result back on the GUI thread.
// Used for work that may take long (loading and encoding models, reading big pair files, copying folders), so
// the window never freezes. The work function must catch its own exceptions (return them as part of R) and
// capture only values or shared pointers: its owner may be gone by the time it ends, in which case the
// result is dropped.

#include <QCoreApplication>
#include <QFutureWatcher>
#include <QObject>
#include <QThread>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <functional>
#include <utility>

namespace pairtune::ui {

// The pool the studio's background work runs in. Not QThreadPool::globalInstance(): Qt's raster
// painting splits its fills among the global pool's threads and waits for them, so a long read
// holding those threads froze every repaint for as long as it ran (tests/ui/tst_bigfile.cpp measured
// gaps of 20 s and more with a file of a million pairs).
inline QThreadPool *backgroundPool()
{
    static QThreadPool pool;
    static const bool sized = [] {
        pool.setMaxThreadCount(std::max(2, QThread::idealThreadCount()));
        // Work still running when the application object goes is waited for then, as Qt does for its
        // global pool, while LibTorch is whole: the pool's own destructor would wait only during exit(),
        // after oneDNN's lazily built statics were destroyed under an encoding still using them (a
        // SIGSEGV at exit in tst_runsview under load).
        qAddPostRoutine([] { pool.waitForDone(); });
        return true;
    }();
    (void)sized;
    return &pool;
}

template <typename R, typename Work, typename Done>
void runInBackground(QObject *context, Work work, Done done)
{
    auto *watcher = new QFutureWatcher<R>(context);
    QObject::connect(watcher, &QFutureWatcher<R>::finished, context, [watcher, done = std::move(done)]() {
        done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(backgroundPool(), std::move(work)));
}

} // namespace pairtune::ui
