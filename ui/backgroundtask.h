#pragma once

// Runs a function on Qt's thread pool and hands its result back on the GUI thread. Used for work that
// may take long (loading and encoding models, reading big pair files, copying folders), so the window
// never freezes. The work function must catch its own exceptions (return them as part of R) and
// capture only values or shared pointers: its owner may be gone by the time it ends, in which case the
// result is dropped.

#include <QFutureWatcher>
#include <QObject>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <utility>

namespace pairtune::ui {

template <typename R, typename Work, typename Done>
void runInBackground(QObject *context, Work work, Done done)
{
    auto *watcher = new QFutureWatcher<R>(context);
    QObject::connect(watcher, &QFutureWatcher<R>::finished, context, [watcher, done = std::move(done)]() {
        done(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(std::move(work)));
}

} // namespace pairtune::ui
