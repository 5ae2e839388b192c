#pragma once

// What the Hub says about a repo before anything is downloaded: the revision API (commit and file list)
// and a HEAD per file (etag, size, where the bytes are). Internal to training/hub.

#include "hub/blobfetch.h"
#include "hub/httpclient.h"
#include "hub/hubmessages.h"

#include <string>
#include <vector>

namespace pairtune::hub::detail {

struct RepoListing
{
    std::string commit; // 40 hex
    std::vector<std::string> files; // siblings[].rfilename
};

// An HTTP error status of the revision API, kept apart from the network failures (TransferFailed) so the
// caller can fall back to the cache for either.
struct ApiStatusError
{
    long status = 0;
    std::optional<std::string> errorCode; // X-Error-Code
};

// GET {endpoint}/api/models/{repo}/revision/{revision} (hf_api.repo_info). Throws ApiStatusError,
// TransferFailed, Error (cancel, an answer that is not the Hub's).
RepoListing fetchRepoListing(const HttpClient &http, const HubSettings &settings, const RepoContext &repo);

// HEAD {endpoint}/{repo}/resolve/{commit}/{file} without following redirects, except relative ones (a
// renamed repo), as get_hf_file_metadata. Throws TransferFailed, Error (HTTP status, cancel, not a Hub).
RemoteFile fetchFileMetadata(const HttpClient &http, const HubSettings &settings, const RepoContext &repo,
    const std::string &commit, const std::string &file);

} // namespace pairtune::hub::detail
