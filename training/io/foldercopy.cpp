#include "io/foldercopy.h"

#include "core/error.h"
#include "io/atomicfile.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

void copyTree(const fs::path &from, const fs::path &to, const BeforeFileCopy &beforeFile)
{
    std::error_code ec;
    if (fs::is_directory(from, ec)) {
        fs::create_directories(to, ec);
        if (ec)
            throw Error(
                locate(to.string(), 0, 0, "cannot create the folder: " + ec.message()), Error::Kind::Io);
        for (const auto &entry : fs::directory_iterator(from))
            copyTree(entry.path(), to / entry.path().filename(), beforeFile);
        return;
    }
    if (beforeFile)
        beforeFile(from.string(), fs::file_size(from, ec));
    copyFileAtomic(from.string(), to.string());
}

} // namespace

void copyFolderContents(const std::string &from, const std::string &to, const BeforeFileCopy &beforeFile)
{
    copyTree(from, to, beforeFile);
}

std::uintmax_t folderBytes(const std::string &folder)
{
    std::uintmax_t total = 0;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(folder, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (it->is_regular_file(ec))
            total += it->file_size(ec);
    }
    return total;
}

} // namespace pairtune
