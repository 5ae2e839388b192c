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

std::vector<std::string> readLines(const std::string &path)
{
    std::ifstream file;
    std::istream *in = &std::cin;
    if (path != "-") {
        file.open(path, std::ios::binary);
        if (!file)
            throw Error(
                locate(path, 0, 0, std::string("cannot open: ") + std::strerror(errno)), Error::Kind::Io);
        in = &file;
    }
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(*in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (lines.empty() && line.rfind("\xEF\xBB\xBF", 0) == 0)
            line.erase(0, 3); // UTF-8 byte order mark
        lines.push_back(std::move(line));
    }
    return lines;
}

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
