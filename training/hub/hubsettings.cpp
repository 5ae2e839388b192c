// HubSettings::fromEnvironment and isValidRepoId: the environment variables and repo-id rules of
// huggingface_hub's constants.py, utils/_auth.py and utils/_validators.py.

#include "hub/hubclient.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <pwd.h>
#include <unistd.h>

namespace pairtune::hub {

namespace {

std::optional<std::string> env(const char *name)
{
    const char *value = std::getenv(name);
    if (!value)
        return std::nullopt;
    return std::string(value);
}

// ENV_VARS_TRUE_VALUES: "1", "ON", "YES", "TRUE" in any case.
bool isTrue(const std::optional<std::string> &value)
{
    if (!value)
        return false;
    std::string upper = *value;
    std::transform(
        upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    return upper == "1" || upper == "ON" || upper == "YES" || upper == "TRUE";
}

std::string homeFolder()
{
    if (const auto home = env("HOME"); home && !home->empty())
        return *home;
    if (const passwd *pw = ::getpwuid(::getuid()); pw && pw->pw_dir)
        return pw->pw_dir;
    return "/";
}

// os.path.expanduser: a leading "~" or "~/" is the home folder.
std::string expandUser(const std::string &path)
{
    if (path == "~")
        return homeFolder();
    if (path.rfind("~/", 0) == 0)
        return homeFolder() + path.substr(1);
    return path;
}

// os.path.expandvars: $NAME and ${NAME} are replaced when NAME is set, left as they are otherwise.
std::string expandVars(const std::string &path)
{
    std::string out;
    for (std::size_t i = 0; i < path.size();) {
        if (path[i] != '$') {
            out += path[i++];
            continue;
        }
        const bool braced = i + 1 < path.size() && path[i + 1] == '{';
        std::size_t begin = i + (braced ? 2 : 1);
        std::size_t end = begin;
        if (braced) {
            end = path.find('}', begin);
            if (end == std::string::npos) {
                out += path.substr(i);
                break;
            }
        } else {
            while (end < path.size()
                && (std::isalnum(static_cast<unsigned char>(path[end])) || path[end] == '_'))
                ++end;
        }
        const std::size_t next = braced ? end + 1 : end;
        const auto value = end > begin ? env(path.substr(begin, end - begin).c_str()) : std::nullopt;
        out += value ? *value : path.substr(i, next - i);
        i = next;
    }
    return out;
}

std::string expandPath(const std::string &path)
{
    return expandVars(expandUser(path));
}

// _clean_token: carriage returns and newlines removed, outer white space stripped, "" means none.
std::optional<std::string> cleanToken(std::string token)
{
    token.erase(std::remove_if(token.begin(), token.end(), [](char c) { return c == '\r' || c == '\n'; }),
        token.end());
    const auto space = [](unsigned char c) { return std::isspace(c) != 0; };
    token.erase(token.begin(), std::find_if_not(token.begin(), token.end(), space));
    token.erase(std::find_if_not(token.rbegin(), token.rend(), space).base(), token.end());
    if (token.empty())
        return std::nullopt;
    return token;
}

bool isNameChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}
bool isWordChar(char c)
{
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

// One part of REPO_ID_REGEX: [\w\-.]+ between word boundaries, i.e. starting and ending with \w.
bool isValidPart(const std::string &part, std::size_t maxLength)
{
    return !part.empty() && part.size() <= maxLength && std::all_of(part.begin(), part.end(), isNameChar)
        && isWordChar(part.front()) && isWordChar(part.back());
}

} // namespace

HubSettings HubSettings::fromEnvironment()
{
    HubSettings settings;
    if (const auto endpoint = env("HF_ENDPOINT")) {
        std::string value = *endpoint;
        while (!value.empty() && value.back() == '/')
            value.pop_back();
        settings.endpoint = value;
    }

    const std::string cacheHome = env("XDG_CACHE_HOME").value_or(homeFolder() + "/.cache");
    const std::string hfHome = expandPath(env("HF_HOME").value_or(cacheHome + "/huggingface"));
    // HUGGINGFACE_HUB_CACHE is the legacy name, HF_HUB_CACHE wins over it.
    const std::string legacyCache = env("HUGGINGFACE_HUB_CACHE").value_or(hfHome + "/hub");
    settings.cacheDir = expandPath(env("HF_HUB_CACHE").value_or(legacyCache));

    // HF_TOKEN first (HUGGING_FACE_HUB_TOKEN for backward compatibility), then the token file.
    const auto envToken = env("HF_TOKEN");
    settings.token
        = cleanToken(envToken && !envToken->empty() ? *envToken : env("HUGGING_FACE_HUB_TOKEN").value_or(""));
    if (!settings.token) {
        const std::string tokenPath = expandPath(env("HF_TOKEN_PATH").value_or(hfHome + "/token"));
        std::ifstream in(tokenPath, std::ios::binary);
        if (in)
            settings.token = cleanToken(std::string(std::istreambuf_iterator<char>(in), {}));
    }

    const auto offline = env("HF_HUB_OFFLINE");
    settings.offline = isTrue(offline && !offline->empty() ? offline : env("TRANSFORMERS_OFFLINE"));

    if (const auto timeout = env("HF_HUB_DOWNLOAD_TIMEOUT")) {
        // _as_int: an integer number of seconds; anything else keeps the default.
        char *end = nullptr;
        const long seconds = std::strtol(timeout->c_str(), &end, 10);
        if (end && *end == '\0' && !timeout->empty() && seconds > 0)
            settings.timeoutSeconds = static_cast<double>(seconds);
    }
    return settings;
}

bool isValidRepoId(const std::string &name)
{
    // validate_repo_id: "name" or "namespace/name", the name 1-96 characters of [A-Za-z0-9_.-] starting and
    // ending with a letter, digit or '_'; no "--" or ".." anywhere; not ending with ".git". (Python's \w
    // also takes non-ASCII letters; the Hub itself only creates ASCII names, so only those are accepted.)
    const std::size_t slash = name.find('/');
    if (slash != std::string::npos && name.find('/', slash + 1) != std::string::npos)
        return false;
    if (slash != std::string::npos && !isValidPart(name.substr(0, slash), std::string::npos))
        return false;
    const std::string repoName = slash == std::string::npos ? name : name.substr(slash + 1);
    if (!isValidPart(repoName, 96))
        return false;
    if (name.find("--") != std::string::npos || name.find("..") != std::string::npos)
        return false;
    return !(name.size() >= 4 && name.compare(name.size() - 4, 4, ".git") == 0);
}

} // namespace pairtune::hub
