#include "ui/enginelog.h"

#include "core/log.h"

#include <QMetaObject>

#include <cstdio>

namespace pairtune::ui {

EngineLog::EngineLog(QObject *parent)
    : QObject(parent)
{
    setLogSink([this](LogLevel level, const std::string &text) {
        const bool warning = level == LogLevel::Warning;
        if (warning)
            std::fprintf(stderr, "warning: %s\n", text.c_str());
        const QString message = QString::fromStdString(text);
        // Queued: the sink runs on whatever thread logged; the signal must be emitted on ours.
        QMetaObject::invokeMethod(
            this, [this, warning, message] { Q_EMIT this->message(warning, message); }, Qt::QueuedConnection);
    });
}

EngineLog::~EngineLog()
{
    // setLogSink takes the log's lock: once it returns, no thread is inside the old sink any more.
    setLogSink({});
}

} // namespace pairtune::ui
