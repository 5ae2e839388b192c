#include "core/log.h"

#include <cstdio>
#include <mutex>

namespace pairtune {
namespace {
std::mutex g_mutex;
LogSink g_sink;

void emit(LogLevel level, const std::string &message)
{
    std::lock_guard lock(g_mutex);
    if (g_sink) {
        g_sink(level, message);
        return;
    }
    if (level == LogLevel::Warning)
        std::fprintf(stderr, "warning: %s\n", message.c_str());
}
} // namespace

void setLogSink(LogSink sink)
{
    std::lock_guard lock(g_mutex);
    g_sink = std::move(sink);
}

void logInfo(const std::string &message)
{
    emit(LogLevel::Info, message);
}
void logWarning(const std::string &message)
{
    emit(LogLevel::Warning, message);
}

} // namespace pairtune
