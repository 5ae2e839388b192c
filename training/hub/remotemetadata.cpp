#include "hub/remotemetadata.h"

#include "hub/cachelayout.h"

#include <nlohmann/json.hpp>

namespace pairtune::hub::detail {

namespace {

bool isSafeEtag(const std::string &etag)
{
    if (etag.empty() || etag.front() == '.' || etag.size() > 200)
        return false;
    for (const unsigned char c : etag)
        if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.'))
            return false;
    return true;
}

bool isSha256Hex(const std::string &text)
{
    if (text.size() != 64)
        return false;
    for (const char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return true;
}

std::optional<std::int64_t> parseSize(const std::optional<std::string> &text)
{
    if (!text || text->empty())
        return std::nullopt;
    try {
        std::size_t used = 0;
        const long long value = std::stoll(*text, &used);
        if (used != text->size() || value < 0)
            return std::nullopt;
        return value;
    } catch (const std::exception &) {
        return std::nullopt;
    }
}

} // namespace

RepoListing fetchRepoListing(const HttpClient &http, const HubSettings &settings, const RepoContext &repo)
{
    HttpRequest request;
    request.url
        = settings.endpoint + "/api/models/" + repo.repoId + "/revision/" + urlEncode(repo.revision, false);
    request.followRedirects = true;
    request.bearerToken = settings.token;
    const HttpResponse response = http.perform(request);
    if (response.status != 200)
        throw ApiStatusError { response.status, response.header("x-error-code") };

    RepoListing listing;
    try {
        const nlohmann::json info = nlohmann::json::parse(response.body);
        listing.commit = info.at("sha").get<std::string>();
        for (const auto &sibling : info.at("siblings"))
            listing.files.push_back(sibling.at("rfilename").get<std::string>());
    } catch (const nlohmann::json::exception &e) {
        throwNotAHub(repo, std::string("the revision API's answer is not the expected JSON: ") + e.what());
    }
    // The commit names a folder of ours: never trust it to be anything but a commit hash.
    if (!isCommitHash(listing.commit))
        throwNotAHub(repo, "the revision API's \"sha\" is not a 40-hex commit hash");
    return listing;
}

RemoteFile fetchFileMetadata(const HttpClient &http, const HubSettings &settings, const RepoContext &repo,
    const std::string &commit, const std::string &file)
{
    HttpRequest request;
    request.url = settings.endpoint + "/" + repo.repoId + "/resolve/" + commit + "/" + urlEncode(file, true);
    request.head = true;
    request.bearerToken = settings.token;
    HttpResponse response = http.perform(request);
    // Relative redirects stay on the Hub (a renamed repo): follow them; absolute ones lead to the bytes.
    for (int hops = 0; hops < 5 && response.status >= 300 && response.status < 400; ++hops) {
        const auto location = response.header("location");
        if (!location || location->empty() || location->front() != '/')
            break;
        request.url = urlOrigin(settings.endpoint) + *location;
        response = http.perform(request);
    }
    const bool redirect = response.status >= 300 && response.status < 400;
    if (!redirect && response.status != 200)
        throwHttpStatus(repo, file, response.status, response.header("x-error-code"));

    if (!response.header("x-repo-commit"))
        throwNotAHub(repo, "no X-Repo-Commit header for '" + file + "'");
    const auto linkedEtag = response.header("x-linked-etag");
    RemoteFile remote;
    remote.name = file;
    remote.etag = normalizeEtag(linkedEtag.value_or(response.header("etag").value_or("")));
    if (!isSafeEtag(remote.etag))
        throwNotAHub(repo, "no usable ETag for '" + file + "'");
    remote.lfs = linkedEtag.has_value() && isSha256Hex(remote.etag);
    remote.size = parseSize(response.header("x-linked-size"));
    if (!remote.size && !redirect)
        remote.size = parseSize(response.header("content-length"));
    remote.downloadUrl = redirect ? response.header("location").value_or(request.url) : request.url;
    // huggingface_hub drops the Authorization header when the bytes live on another server (a CDN).
    remote.sendToken = urlOrigin(remote.downloadUrl) == urlOrigin(request.url);
    return remote;
}

} // namespace pairtune::hub::detail
