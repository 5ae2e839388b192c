#pragma once
// Helpers shared by the libFuzzer targets. A target catches pairtune::Error (the engine's answer to bad
// input, which is what we want) and nothing else: any other exception escaping is a finding, because
// a user would see a message that names no file; libFuzzer reports it as a crash ("deadly signal").

#include "core/log.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

namespace pairtune::fuzz {

// Warnings (unused columns, odd settings) are expected on fuzzed input; printing them would slow the
// run down to the speed of the terminal.
inline void silenceLog()
{
    static const bool done = [] {
        setLogSink([](LogLevel, const std::string &) {});
        return true;
    }();
    (void)done;
}

inline std::string_view asText(const std::uint8_t *data, std::size_t size)
{
    return { reinterpret_cast<const char *>(data), size };
}

// For the readers that only take a path: one scratch file per process and name, rewritten for every
// input and removed at exit. TMPDIR is honoured; the pid keeps parallel runs (-jobs) apart.
inline std::string writeScratchFile(const std::string &name, std::string_view bytes)
{
    static std::vector<std::string> created;
    const char *tmp = std::getenv("TMPDIR");
    const std::string path
        = std::string(tmp && *tmp ? tmp : "/tmp") + "/pairtune-fuzz-" + std::to_string(getpid()) + "-" + name;
    if (std::find(created.begin(), created.end(), path) == created.end()) {
        if (created.empty())
            std::atexit([] {
                for (const std::string &p : created)
                    std::remove(p.c_str());
            });
        created.push_back(path);
    }
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return path;
}

// A broken invariant on input the engine accepted: abort so libFuzzer saves the input.
inline void check(bool ok, const char *what)
{
    if (!ok) {
        std::fprintf(stderr, "invariant broken: %s\n", what);
        std::abort();
    }
}

} // namespace pairtune::fuzz
