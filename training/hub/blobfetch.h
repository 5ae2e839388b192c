#pragma once

// Fetching one file of a repo into blobs/<etag>, as huggingface_hub's _hf_hub_download_to_cache_dir
// does: under the blob's lock, into blobs/<etag>.incomplete, resumed with Range after a dropped
// connection, retried with back-off, sha256-checked for LFS files, then renamed into place. Internal to
// training/hub.

#include "hub/httpclient.h"
#include "hub/hubmessages.h"
#include "hub/progresstracker.h"

#include <cstdint>
#include <optional>
#include <string>

namespace pairtune::hub::detail {

// What a HEAD on {endpoint}/{repo}/resolve/{commit}/{file} told about a file.
struct RemoteFile
{
    std::string name; // path in the repo
    std::string etag; // normalised: sha256 for LFS files, git blob sha1 otherwise
    bool lfs = false; // X-Linked-Etag came: the etag is the sha256 of the bytes
    std::string downloadUrl; // the Location of a redirect, else the resolve URL
    bool sendToken = false; // only to the endpoint's own server, never to a CDN it redirects to
    std::optional<std::int64_t> size;
};

struct BlobStore
{
    std::string storage; // CACHE/models--owner--name
    std::string lockFolder; // CACHE/.locks/models--owner--name
    std::optional<std::string> token;
    int maxRetries = 5;
};

// Makes sure storage/blobs/<etag> holds the file's bytes. Throws Error (Cancelled, checksum mismatch,
// HTTP status, disk) or TransferFailed when the network kept failing after maxRetries attempts.
void fetchBlob(const HttpClient &http, const BlobStore &store, const RepoContext &repo,
    const RemoteFile &file, ProgressTracker &progress);

} // namespace pairtune::hub::detail
