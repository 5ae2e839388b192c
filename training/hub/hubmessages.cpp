#include "hub/hubmessages.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>

namespace pairtune::hub::detail {

namespace {

std::string repoAt(const RepoContext &repo)
{
    return "Hugging Face repo '" + repo.repoId + "' (revision '" + repo.revision + "')";
}

const char *kPrefill
    = "To use a model on a machine without network, download it once on a connected machine "
      "(e.g. pairtune-cli or huggingface-cli download) and copy its ~/.cache/huggingface folder "
      "here (or point HF_HOME / HF_HUB_CACHE at the copy).";

} // namespace

void throwHttpStatus(const RepoContext &repo, const std::string &file, long status,
    const std::optional<std::string> &errorCode)
{
    const std::string what = file.empty() ? repoAt(repo) : repoAt(repo) + ", file '" + file + "'";
    const std::string code = " (HTTP " + std::to_string(status) + " from " + repo.endpoint + ")";
    if (status == 401 || status == 403) {
        const bool gated = errorCode && *errorCode == "GatedRepo";
        std::string message = what + ": access denied" + code + ". The repo is "
            + (gated ? "gated" : "private or gated, or does not exist") + ". ";
        if (repo.tokenSent)
            message += "The access token (HF_TOKEN or the token file) was refused: check that it is valid "
                       "and that "
                       "your account has been granted access to the repo on the Hub.";
        else
            message += "Set HF_TOKEN to an access token (or run `huggingface-cli login`) and check that your "
                       "account has access to the repo on the Hub.";
        throw Error(message);
    }
    if (status == 404) {
        if (errorCode && *errorCode == "RevisionNotFound")
            throw Error(what + ": revision not found" + code + ". Check the branch, tag or commit name.");
        if (errorCode && *errorCode == "EntryNotFound")
            throw Error(what + ": file not found" + code
                + ". The repo changed while it was being downloaded; try again.");
        throw Error(what + ": repo not found" + code + ". Check the name (owner/name, as on the Hub's page)"
            + (repo.tokenSent ? "." : "; a private repo also needs HF_TOKEN."));
    }
    throw Error(what + ": the Hub answered with an error" + code + ". Try again later.");
}

void throwNoNetwork(const RepoContext &repo, const std::string &detail)
{
    throw Error("Cannot reach the Hugging Face Hub at " + repo.endpoint + " (" + detail + ") and "
            + repoAt(repo) + " has no complete cached copy in " + repo.cacheDir + ". Check the network "
            + "connection (and HF_ENDPOINT), or pre-fill the cache. " + kPrefill,
        Error::Kind::Io);
}

void throwNotCachedOffline(const RepoContext &repo)
{
    throw Error(repoAt(repo) + " is not cached in " + repo.cacheDir
        + ", and HF_HUB_OFFLINE=1 is set, so nothing is downloaded. Unset HF_HUB_OFFLINE to download it. "
        + kPrefill);
}

void throwCacheWrite(const RepoContext &repo, const std::string &path, int err)
{
    throw Error(path + ": cannot write into the Hugging Face cache " + repo.cacheDir + ": "
            + std::strerror(err)
            + (err == ENOSPC || err == EDQUOT ? ". Free space there or point HF_HUB_CACHE at a bigger disk."
                                              : "."),
        Error::Kind::Io);
}

void throwChecksumMismatch(
    const RepoContext &repo, const std::string &file, const std::string &expected, const std::string &actual)
{
    throw Error(repoAt(repo) + ", file '" + file + "': checksum mismatch: the downloaded bytes have sha256 "
            + actual + " but the Hub announced " + expected
            + ". The download was corrupted on the way and was deleted; try again.",
        Error::Kind::Io);
}

void throwUnsafeFileName(const RepoContext &repo, const std::string &file, const std::string &reason)
{
    throw Error(repoAt(repo) + " lists a file named '" + file + "', refused because " + reason
        + ": it would be written outside the snapshot folder. Nothing was downloaded; do not use this repo.");
}

void throwNotAHub(const RepoContext &repo, const std::string &what)
{
    throw Error(repoAt(repo) + ": " + repo.endpoint + " does not answer like the Hugging Face Hub (" + what
        + "). Check HF_ENDPOINT and any proxy or firewall in between.");
}

std::string usingCachedCopyWarning(
    const RepoContext &repo, const std::string &why, const std::string &snapshot)
{
    return "Could not check " + repoAt(repo) + " on the Hugging Face Hub at " + repo.endpoint + " (" + why
        + "); using the cached copy " + snapshot + ", which may be out of date.";
}

} // namespace pairtune::hub::detail
