#include "cli/commands.h"
#include "core/error.h"
#include "io/fileutil.h"
#include "model/runtime.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>

namespace pairtune::cli {
namespace {

std::atomic<bool> g_interrupted { false };

extern "C" void onInterrupt(int)
{
    if (g_interrupted.exchange(true))
        std::_Exit(130);
}

} // namespace

void writeText(const std::string &path, const std::string &text)
{
    if (path.empty() || path == "-") {
        std::cout << text;
        std::cout.flush();
        return;
    }
    // Atomic: a full disk or a kill never leaves a half-written output under the final name.
    writeFileAtomic(path, text);
}

void applyThreads(int threads)
{
    if (threads < 0)
        throw Error("--threads must be 0 (automatic) or a positive number");
    applyComputeThreads(threads);
}

void installInterruptHandler()
{
    std::signal(SIGINT, onInterrupt);
    std::signal(SIGTERM, onInterrupt);
}

bool interruptRequested()
{
    return g_interrupted.load();
}

} // namespace pairtune::cli
