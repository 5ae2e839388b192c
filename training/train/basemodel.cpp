#include "train/basemodel.h"

#include "core/error.h"

#include <cstdlib>
#include <filesystem>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

fs::path executableFolder()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

} // namespace

std::string resourcesFolder()
{
    std::vector<fs::path> candidates;
    if (const char *env = std::getenv("PAIRTUNE_RESOURCES"))
        candidates.emplace_back(env);
    const fs::path exeDir = executableFolder();
    if (!exeDir.empty())
        candidates.push_back(exeDir / ".." / "share" / "pairtune");
#ifdef PAIRTUNE_SOURCE_RESOURCES
    candidates.emplace_back(PAIRTUNE_SOURCE_RESOURCES);
#endif
    for (const fs::path &candidate : candidates) {
        std::error_code ec;
        if (fs::is_directory(candidate, ec))
            return fs::weakly_canonical(candidate, ec).string();
    }
    return {};
}

std::string resolveBaseModel(const std::string &base)
{
    if (base != "builtin") {
        std::error_code ec;
        if (!fs::is_directory(base, ec))
            throw Error(locate(base, 0, 0,
                "is not a folder; --base needs a sentence-transformers model folder or \"builtin\""));
        return base;
    }
    if (const char *env = std::getenv("PAIRTUNE_BUILTIN_MODEL"))
        return env;
    const std::string resources = resourcesFolder();
    const fs::path builtin = fs::path(resources) / "models" / "builtin";
    std::error_code ec;
    if (resources.empty() || !fs::is_directory(builtin, ec))
        throw Error("the built-in model was not found (looked in "
            + (resources.empty() ? std::string("the install and source locations") : builtin.string())
            + "); set PAIRTUNE_BUILTIN_MODEL or pass --base FOLDER");
    return builtin.string();
}

} // namespace pairtune
