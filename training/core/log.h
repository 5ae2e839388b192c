#pragma once

#include <functional>
#include <string>

namespace pairtune {

// The engine reports warnings (ignored tensors, guessed settings) through one process-wide sink so
// the CLI can print them to stderr and the GUI can show them. The default sink writes to stderr.
enum class LogLevel { Info, Warning };
using LogSink = std::function<void(LogLevel, const std::string &)>;

void setLogSink(LogSink sink);
void logInfo(const std::string &message);
void logWarning(const std::string &message);

} // namespace pairtune
