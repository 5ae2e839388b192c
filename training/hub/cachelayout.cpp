#include "hub/cachelayout.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace pairtune::hub::detail {

namespace fs = std::filesystem;

namespace {
constexpr const char *kRepoSeparator = "--"; // REPO_ID_SEPARATOR
constexpr const char *kModelsPrefix = "models--";
} // namespace

std::string repoFolderName(const std::string &repoId)
{
    std::string out = "models";
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = repoId.find('/', start);
        out += kRepoSeparator;
        out += repoId.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (slash == std::string::npos)
            return out;
        start = slash + 1;
    }
}

std::optional<std::string> repoIdFromFolderName(const std::string &folderName)
{
    const std::string prefix = kModelsPrefix;
    if (folderName.rfind(prefix, 0) != 0 || folderName.size() == prefix.size())
        return std::nullopt;
    std::string rest = folderName.substr(prefix.size());
    // Repo ids never contain "--" (validate_repo_id), so at most one separator remains: owner--name.
    const std::size_t sep = rest.find(kRepoSeparator);
    if (sep == std::string::npos)
        return rest;
    if (rest.find(kRepoSeparator, sep + 2) != std::string::npos)
        return std::nullopt;
    return rest.substr(0, sep) + "/" + rest.substr(sep + 2);
}

std::string storageFolder(const std::string &cacheDir, const std::string &repoId)
{
    return (std::filesystem::path(cacheDir) / repoFolderName(repoId)).string();
}

bool isCommitHash(const std::string &revision)
{
    if (revision.size() != 40)
        return false;
    for (const char c : revision)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

std::string unsafeRelativePathReason(const std::string &name)
{
    if (name.empty())
        return "it is empty";
    if (name.find('\0') != std::string::npos)
        return "it contains a NUL byte";
    if (name.front() == '/')
        return "it is an absolute path";
    if (name.find('\\') != std::string::npos)
        return "it contains a backslash";
    if (name.size() >= 2 && name[1] == ':')
        return "it starts with a drive letter";
    std::size_t start = 0;
    for (;;) {
        const std::size_t slash = name.find('/', start);
        const std::string segment
            = name.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (segment == "..")
            return "it contains a '..' path segment";
        if (segment.empty() || segment == ".")
            return "it contains an empty or '.' path segment";
        if (slash == std::string::npos)
            return "";
        start = slash + 1;
    }
}

std::string normalizeEtag(const std::string &etag)
{
    // etag.lstrip("W/").strip('"'): strips any run of the characters W and / on the left, then quotes.
    std::size_t begin = etag.find_first_not_of("W/");
    if (begin == std::string::npos)
        return "";
    std::string out = etag.substr(begin);
    const std::size_t first = out.find_first_not_of('"');
    if (first == std::string::npos)
        return "";
    const std::size_t last = out.find_last_not_of('"');
    return out.substr(first, last - first + 1);
}

std::string blobLinkTarget(const std::string &file, const std::string &etag)
{
    std::string target = "../../";
    for (const char c : file)
        if (c == '/')
            target += "../";
    return target + "blobs/" + etag;
}

std::optional<std::string> readRef(const std::string &storage, const std::string &revision)
{
    if (!unsafeRelativePathReason(revision).empty())
        return std::nullopt;
    std::ifstream in(std::filesystem::path(storage) / "refs" / revision, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::string commit((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!isCommitHash(commit))
        return std::nullopt;
    return commit;
}

bool snapshotHasListedFiles(const std::string &storage, const std::string &commit,
    const std::function<std::vector<std::string>(const std::vector<std::string> &)> &filter)
{
    const fs::path listingPath = fs::path(storage) / "trees" / (commit + ".json");
    std::ifstream in(listingPath, std::ios::binary);
    if (!in)
        return true;
    std::vector<std::string> files;
    try {
        const nlohmann::json listing = nlohmann::json::parse(in);
        for (const auto &[name, info] : listing.at("files").items())
            files.push_back(name);
    } catch (const nlohmann::json::exception &) {
        return true; // not a listing we understand: nothing to check against
    }
    const fs::path snapshot = fs::path(storage) / "snapshots" / commit;
    for (const std::string &file : filter ? filter(files) : files) {
        std::error_code ec;
        if (!unsafeRelativePathReason(file).empty() || !fs::exists(snapshot / file, ec))
            return false;
    }
    return true;
}

} // namespace pairtune::hub::detail
