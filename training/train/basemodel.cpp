#include "train/basemodel.h"

#include "core/error.h"
#include "model/modelfiles.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <string_view>
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

// The checkpoints that predate organisations on the Hub: SentenceTransformer(name) leaves these bare
// names alone instead of prefixing "sentence-transformers/" (ORIGINAL_TRANSFORMER_MODELS in
// sentence_transformers/util/misc.py of sentence-transformers 6.1.0.dev0, the same list as
// basic_transformer_models in 2.x-5.x; compared in lower case).
constexpr std::array<std::string_view, 68> kOriginalTransformerModels
    = { "albert-base-v1", "albert-base-v2", "albert-large-v1", "albert-large-v2", "albert-xlarge-v1",
          "albert-xlarge-v2", "albert-xxlarge-v1", "albert-xxlarge-v2", "bert-base-cased-finetuned-mrpc",
          "bert-base-cased", "bert-base-chinese", "bert-base-german-cased", "bert-base-german-dbmdz-cased",
          "bert-base-german-dbmdz-uncased", "bert-base-multilingual-cased", "bert-base-multilingual-uncased",
          "bert-base-uncased", "bert-large-cased-whole-word-masking-finetuned-squad",
          "bert-large-cased-whole-word-masking", "bert-large-cased",
          "bert-large-uncased-whole-word-masking-finetuned-squad", "bert-large-uncased-whole-word-masking",
          "bert-large-uncased", "camembert-base", "ctrl", "distilbert-base-cased-distilled-squad",
          "distilbert-base-cased", "distilbert-base-german-cased", "distilbert-base-multilingual-cased",
          "distilbert-base-uncased-distilled-squad", "distilbert-base-uncased-finetuned-sst-2-english",
          "distilbert-base-uncased", "distilgpt2", "distilroberta-base", "gpt2-large", "gpt2-medium",
          "gpt2-xl", "gpt2", "openai-gpt", "roberta-base-openai-detector", "roberta-base",
          "roberta-large-mnli", "roberta-large-openai-detector", "roberta-large", "t5-11b", "t5-3b",
          "t5-base", "t5-large", "t5-small", "transfo-xl-wt103", "xlm-clm-ende-1024", "xlm-clm-enfr-1024",
          "xlm-mlm-100-1280", "xlm-mlm-17-1280", "xlm-mlm-en-2048", "xlm-mlm-ende-1024", "xlm-mlm-enfr-1024",
          "xlm-mlm-enro-1024", "xlm-mlm-tlm-xnli15-1024", "xlm-mlm-xnli15-1024", "xlm-roberta-base",
          "xlm-roberta-large-finetuned-conll02-dutch", "xlm-roberta-large-finetuned-conll02-spanish",
          "xlm-roberta-large-finetuned-conll03-english", "xlm-roberta-large-finetuned-conll03-german",
          "xlm-roberta-large", "xlnet-base-cased", "xlnet-large-cased" };

bool isCommitHash(const std::string &revision)
{
    return revision.size() == 40 && std::all_of(revision.begin(), revision.end(), [](unsigned char c) {
        return std::isdigit(c) || (c >= 'a' && c <= 'f');
    });
}

} // namespace

std::optional<std::string> hubRepoIdForName(const std::string &name)
{
    // sentence-transformers 6.1.0.dev0, SentenceTransformer.__init__ (sentence_transformers/base/model.py):
    // more than one '/' is FileNotFoundError; a backslash only counts there on Windows, but on Linux such
    // a name then fails huggingface_hub's validate_repo_id, so it is refused either way. A bare name gets
    // the organisation without the bare name being tried on the Hub first, as in 2.x-5.x.
    if (name.empty() || name.find('\\') != std::string::npos || std::count(name.begin(), name.end(), '/') > 1)
        return std::nullopt;
    std::string repoId = name;
    if (name.find('/') == std::string::npos) {
        std::string lower = name;
        std::transform(
            lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
        if (std::find(kOriginalTransformerModels.begin(), kOriginalTransformerModels.end(), lower)
            == kOriginalTransformerModels.end())
            repoId = "sentence-transformers/" + name;
    }
    if (!hub::isValidRepoId(repoId))
        return std::nullopt;
    return repoId;
}

ResolvedModel resolveModelSource(const std::string &name, const ModelResolveOptions &options)
{
    if (name == "builtin")
        return { resolveBaseModel(name), {}, {}, {} };
    std::error_code ec;
    // As SentenceTransformer(name): an existing folder wins over a Hub id of the same name.
    if (fs::is_directory(name, ec))
        return { name, {}, {}, {} };
    if (fs::exists(name, ec))
        throw Error(locate(name, 0, 0,
            "is a file, not a folder; a model is a sentence-transformers folder, a Hugging Face Hub id "
            "(owner/name, or name for sentence-transformers/name) or \"builtin\""));
    const std::optional<std::string> repoId = hubRepoIdForName(name);
    if (!repoId)
        throw Error(locate(name, 0, 0,
            "no such folder, and not a Hugging Face Hub model id either (owner/name, or name for "
            "sentence-transformers/name: letters, digits, '-', '_', '.')"));

    const hub::HubSettings settings = hub::HubSettings::fromEnvironment();
    const std::string revision = options.revision.empty() ? std::string("main") : options.revision;
    std::string folder;
    // A commit is immutable: its cached snapshot is used without asking the Hub, as hf_hub_download does
    // for commit hashes (so --revision with a run's recorded base_commit repeats it off the network).
    if (isCommitHash(revision)) {
        if (const std::optional<std::string> cached = hub::cachedSnapshot(settings, { *repoId, revision }))
            folder = *cached;
    }
    if (folder.empty()) {
        try {
            folder = hub::snapshotDownload(
                settings, { *repoId, revision }, sentenceTransformersFiles, options.progress, options.cancel);
        } catch (const Error &e) {
            if (e.kind() == Error::Kind::Cancelled || *repoId == name)
                throw;
            // Say why a bare name became another repo id, or the message names a repo nobody typed.
            throw Error(name + " is not a local folder, so it was looked up on the Hugging Face Hub as "
                    + *repoId + " (as sentence-transformers does): " + e.what(),
                e.kind());
        }
    }
    // Models that need code from the repo (auto_map, custom module types) are refused by the loader
    // (modelconfig.cpp, moduletypes.cpp), for a local folder and a snapshot alike.
    return { folder, *repoId, revision, fs::path(folder).filename().string() };
}

std::string resolveModel(const std::string &nameOrFolder, const ModelResolveOptions &options)
{
    return resolveModelSource(nameOrFolder, options).folder;
}

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
