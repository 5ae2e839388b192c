#include "model/modelfolder.h"

#include "core/error.h"
#include "core/log.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"
#include "model/moduletypes.h"
#include "model/transformermoduleconfig.h"
#include "model/weightfiles.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

json readJson(const fs::path &path)
{
    return readJsonFile(path.string());
}

ordered_json readOrderedJson(const fs::path &path)
{
    const std::string text = readFileBytes(path.string());
    try {
        return ordered_json::parse(text);
    } catch (const json::exception &) {
        // Syntax errors and number overflow (1e400, found by fuzzing): parseJson throws a located
        // pairtune::Error for both.
        parseJson(text, path.string());
        throw;
    }
}

std::string joinPath(const std::string &folder, const std::string &relative)
{
    if (relative.empty())
        return folder;
    return (fs::path(folder) / relative).string();
}

// Python's json.dump(obj, f, indent=n): the same separators as nlohmann's dump(n), no final newline.
template <typename Json>
void writeJson(const fs::path &path, const Json &value, int indent, bool finalNewline)
{
    std::string text = value.dump(indent);
    if (finalNewline)
        text += '\n';
    writeTextFile(path.string(), text);
}

} // namespace

void writeTextFile(const std::string &path, const std::string &text)
{
    std::error_code ec;
    const fs::path parent = fs::path(path).parent_path();
    if (!parent.empty())
        fs::create_directories(parent, ec);
    // Atomic, and a failure names the system's reason ("No space left on device").
    writeFileAtomic(path, text);
}

std::string ModelFolder::transformerFolder() const
{
    return joinPath(folder, transformerPath);
}

std::string ModelFolder::modulePath(const std::string &relative) const
{
    return joinPath(folder, relative);
}

int ModelFolder::embeddingDimension() const
{
    int dim = pooling.outputDimension();
    for (const HeadModule &head : heads)
        if (head.kind == ModuleKind::Dense)
            dim = head.dense.outFeatures;
    return dim;
}

ModelFolder ModelFolder::read(const std::string &folderPath)
{
    const fs::path dir(folderPath);
    std::error_code ec;
    if (!fs::exists(dir, ec))
        throw Error(locate(folderPath, 0, 0, "the model folder does not exist"));
    if (!fs::is_directory(dir, ec))
        throw Error(locate(folderPath, 0, 0, "is not a folder; give the model's folder"));

    ModelFolder m;
    m.folder = folderPath;
    bool useModules = fs::exists(dir / "modules.json");

    const fs::path stPath = dir / "config_sentence_transformers.json";
    if (fs::exists(stPath)) {
        const ordered_json st = readOrderedJson(stPath);
        if (st.is_object() && st.contains("model_type") && st["model_type"] != "SentenceTransformer") {
            // SentenceTransformer(path) ignores modules.json for other model types (docs/formats.md §1.3).
            logWarning(stPath.string() + ": model_type " + st["model_type"].dump()
                + " is not SentenceTransformer; loading the folder as a plain transformer with mean "
                  "pooling, as sentence-transformers does");
            useModules = false;
        } else {
            m.sentenceTransformers = SentenceTransformersConfig::fromJson(st, stPath.string());
        }
    }

    std::optional<std::string> poolingPath;
    if (useModules) {
        const fs::path modulesPath = dir / "modules.json";
        const json modules = readJson(modulesPath);
        const std::string where = modulesPath.string();
        if (!modules.is_array() || modules.empty())
            throw Error(locate(where, 0, 0, "expected a non-empty JSON list of modules"));
        for (std::size_t i = 0; i < modules.size(); ++i) {
            const json &entry = modules[i];
            const std::string at = "entry " + std::to_string(i) + ": ";
            if (!entry.is_object() || !entry.contains("type") || !entry["type"].is_string()
                || !entry.contains("path") || !entry["path"].is_string())
                throw Error(locate(where, 0, 0, at + "each module needs a string \"type\" and \"path\""));
            const std::string path = entry["path"].get<std::string>();
            const ModuleKind kind = resolveModuleType(entry["type"].get<std::string>(), where);
            if ((i == 0) != (kind == ModuleKind::Transformer) || (i == 1) != (kind == ModuleKind::Pooling))
                throw Error(locate(where, 0, 0,
                    at
                        + "Pairtune reads models laid out as Transformer, Pooling, then any "
                          "Dense / Normalize modules"));
            if (path.find("..") != std::string::npos || fs::path(path).is_absolute())
                throw Error(locate(where, 0, 0, at + "module path \"" + path + "\" leaves the model folder"));
            if (kind == ModuleKind::Transformer)
                m.transformerPath = path;
            else if (kind == ModuleKind::Pooling)
                poolingPath = path;
            else
                m.heads.push_back(HeadModule { kind, path, {} });
        }
        if (!poolingPath)
            throw Error(
                locate(where, 0, 0, "no Pooling module; Pairtune needs Transformer followed by Pooling"));
        m.poolingPath = *poolingPath;
    } else if (!fs::exists(dir / "modules.json") && fs::exists(dir / "config.json")) {
        // Only worth a warning when the folder is otherwise a model: else the error below says it all.
        logWarning(folderPath
            + ": no modules.json; loading it as a plain transformer with mean pooling, as "
              "sentence-transformers does");
    }

    // The transformer: config.json, sentence_bert_config.json, tokenizer_config.json.
    const fs::path tdir(m.transformerFolder());
    const fs::path configPath = tdir / "config.json";
    if (!fs::exists(configPath))
        throw Error(locate(configPath.string(), 0, 0,
            "missing; a model folder needs the transformer's config.json (is this a "
            "sentence-transformers or transformers model folder?)"));
    m.transformer = TransformerConfig::fromJson(readJson(configPath), configPath.string());

    std::optional<std::int64_t> modelMaxLength;
    const fs::path tokenizerConfigPath = tdir / "tokenizer_config.json";
    if (fs::exists(tokenizerConfigPath)) {
        const json tc = readJson(tokenizerConfigPath);
        // A missing value means int(1e30), i.e. no limit.
        if (tc.is_object() && tc.contains("model_max_length") && tc["model_max_length"].is_number()) {
            const double v = tc["model_max_length"].get<double>();
            if (v > 0 && v < 1e15)
                modelMaxLength = static_cast<std::int64_t>(v);
        }
    }
    m.tokenizerModelMaxLength = modelMaxLength;

    const int usable = m.transformer.usablePositions();
    const TransformerModuleConfig moduleConfig = readTransformerModuleConfig(tdir.string());
    std::optional<int> maxSeq = moduleConfig.maxSeqLength;
    m.doLowerCase = moduleConfig.doLowerCase;
    if (!maxSeq)
        maxSeq = int(std::min<std::int64_t>(usable, modelMaxLength.value_or(usable)));
    if (*maxSeq > usable) {
        logWarning(m.transformerFolder() + ": max_seq_length " + std::to_string(*maxSeq)
            + " exceeds the model's " + std::to_string(usable) + " positions; using "
            + std::to_string(usable));
        maxSeq = usable;
    }
    m.maxSeqLength = *maxSeq;

    // Pooling and heads.
    if (useModules) {
        const fs::path p = fs::path(m.modulePath(m.poolingPath)) / "config.json";
        if (!fs::exists(p))
            throw Error(locate(p.string(), 0, 0, "missing; the Pooling module needs its config.json"));
        m.pooling = PoolingConfig::fromJson(readJson(p), p.string());
        if (m.pooling.wordEmbeddingDimension != m.transformer.hiddenSize)
            throw Error(locate(p.string(), 0, 0,
                "word_embedding_dimension " + std::to_string(m.pooling.wordEmbeddingDimension)
                    + " differs from the transformer's hidden_size "
                    + std::to_string(m.transformer.hiddenSize)));
    } else {
        m.pooling = PoolingConfig {};
        m.pooling.wordEmbeddingDimension = m.transformer.hiddenSize;
    }
    int dim = m.pooling.outputDimension();
    for (HeadModule &head : m.heads) {
        const fs::path p = fs::path(m.modulePath(head.path)) / "config.json";
        if (head.kind == ModuleKind::Normalize) {
            if (!head.path.empty() && fs::exists(p)) // 6.0+ write one; older folders have none
                checkNormalizeConfig(readJson(p), p.string());
            continue;
        }
        if (!fs::exists(p))
            throw Error(locate(p.string(), 0, 0, "missing; the Dense module needs its config.json"));
        head.dense = DenseConfig::fromJson(readJson(p), p.string());
        if (head.dense.inFeatures != dim)
            throw Error(locate(p.string(), 0, 0,
                "in_features " + std::to_string(head.dense.inFeatures)
                    + " does not match the previous module's output dimension " + std::to_string(dim)));
        dim = head.dense.outFeatures;
    }
    return m;
}

std::vector<std::string> ModelFolder::transformerWeightFiles() const
{
    return findTransformerWeightFiles(transformerFolder());
}

std::string ModelFolder::denseWeightFile(const HeadModule &dense) const
{
    return findDenseWeightFile(modulePath(dense.path));
}

ModelFolder ModelFolder::withStandardPaths() const
{
    ModelFolder out = *this;
    out.transformerPath.clear();
    out.poolingPath = "1_Pooling";
    for (std::size_t i = 0; i < out.heads.size(); ++i)
        out.heads[i].path
            = std::to_string(i + 2) + (out.heads[i].kind == ModuleKind::Dense ? "_Dense" : "_Normalize");
    return out;
}

void ModelFolder::writeConfigs(
    const std::string &dirPath, const std::string &torchDtype, const std::string &torchVersion) const
{
    const fs::path dir(dirPath);
    ordered_json modules = ordered_json::array();
    auto addModule = [&](const std::string &path, const char *type) {
        const int idx = int(modules.size());
        modules.push_back(ordered_json { { "idx", idx }, { "name", std::to_string(idx) }, { "path", path },
            { "type", std::string("sentence_transformers.models.") + type } });
    };
    addModule(transformerPath, "Transformer");
    addModule(poolingPath, "Pooling");
    for (const HeadModule &head : heads)
        addModule(head.path, head.kind == ModuleKind::Dense ? "Dense" : "Normalize");
    writeJson(dir / "modules.json", modules, 2, false);
    writeJson(dir / "config_sentence_transformers.json", sentenceTransformers.toJson(torchVersion), 2, false);

    const fs::path tdir = dir / transformerPath;
    // transformers' to_json_file: sorted keys, indent 2, final newline.
    writeJson(tdir / "config.json", transformer.toJson(torchDtype), 2, true);
    writeJson(tdir / "sentence_bert_config.json",
        ordered_json { { "max_seq_length", maxSeqLength }, { "do_lower_case", doLowerCase } }, 4, false);

    writeJson(dir / poolingPath / "config.json", pooling.toJson(), 4, false);
    for (const HeadModule &head : heads) {
        std::error_code ec;
        fs::create_directories(dir / head.path, ec);
        if (ec)
            throw Error(locate((dir / head.path).string(), 0, 0, "cannot create the folder: " + ec.message()),
                Error::Kind::Io);
        if (head.kind == ModuleKind::Dense)
            writeJson(dir / head.path / "config.json", head.dense.toJson(), 4, false);
    }
}

} // namespace pairtune
