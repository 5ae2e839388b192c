#pragma once

#include "hub/hubclient.h"

#include <optional>
#include <string>

namespace pairtune {

// Resolves a --base argument: "builtin" becomes the folder of the model that ships with Pairtune,
// wherever the program runs from (PAIRTUNE_BUILTIN_MODEL, the install prefix's share/pairtune,
// or the source tree); anything else must be an existing folder.
std::string resolveBaseModel(const std::string &base);

// How a model named by the user reaches a folder.
struct ModelResolveOptions
{
    std::string revision = "main"; // branch, tag or commit (Hub repos only)
    hub::ProgressCallback progress; // download progress (called on the resolving thread)
    hub::CancelCallback cancel;
};

// Resolves any model argument exactly as SentenceTransformer(name) does, then returns a folder:
// "builtin" → the built-in model; an existing local folder wins; "owner/name" → that Hub repo;
// a bare "name" → "sentence-transformers/name". Hub repos are found in (or downloaded into) the
// Hugging Face cache shared with Python, fetching only the files a sentence-transformers model needs
// (sentenceTransformersFiles). Throws pairtune::Error naming the argument and what to do.
std::string resolveModel(const std::string &nameOrFolder, const ModelResolveOptions &options = {});

// Where a resolved model came from, for run configs and model cards (never holds the token).
struct ResolvedModel
{
    std::string folder; // what to load
    std::string repoId; // the Hub repo ("owner/name"); empty for a local folder or "builtin"
    std::string revision; // as asked for (Hub repos only)
    std::string commit; // the commit the revision resolved to (Hub repos only)
};
// resolveModel, also saying which repo and commit the folder holds.
ResolvedModel resolveModelSource(const std::string &nameOrFolder, const ModelResolveOptions &options = {});

// The Hub repo id SentenceTransformer(name) would fetch for a name that is not a local folder:
// "owner/name" as is, a bare "name" as "sentence-transformers/name" except the original transformers
// checkpoints ("bert-base-uncased", ...), nullopt for names it refuses (a backslash, more than one '/').
std::optional<std::string> hubRepoIdForName(const std::string &name);

// The folder of Pairtune's shipped resources (sample data, built-in model), or "" when not found.
std::string resourcesFolder();

} // namespace pairtune
