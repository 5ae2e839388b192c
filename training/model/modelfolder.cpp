#include "model/modelfolder.h"

#include "core/error.h"
#include "core/log.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

// Names Transformer.load() also accepts for sentence_bert_config.json (older ST versions).
const char *const kSbertConfigNames[] = {
    "sentence_bert_config.json",
    "sentence_roberta_config.json",
    "sentence_distilbert_config.json",
    "sentence_camembert_config.json",
    "sentence_albert_config.json",
    "sentence_xlm-roberta_config.json",
    "sentence_xlnet_config.json",
};

// Transformer.__init__ arguments a sentence_bert_config.json may carry that do not change inference.
const std::set<std::string> kToleratedSbertKeys = { "model_args", "tokenizer_args", "config_args",
    "cache_dir", "tokenizer_name_or_path", "backend", "processor_kwargs", "model_name_or_path" };

ModuleKind moduleKindFromType(const std::string &type, const std::string &path)
{
    // modules.json names the module ("sentence_transformers.models.Pooling"); older files name the
    // class inside it ("sentence_transformers.models.Pooling.Pooling"). Both resolve to one class.
    const std::string prefix = "sentence_transformers.models.";
    if (type.rfind(prefix, 0) == 0) {
        std::string name = type.substr(prefix.size());
        const auto dot = name.find('.');
        if (dot != std::string::npos && name.substr(dot + 1) == name.substr(0, dot))
            name = name.substr(0, dot);
        if (name == "Transformer")
            return ModuleKind::Transformer;
        if (name == "Pooling")
            return ModuleKind::Pooling;
        if (name == "Dense")
            return ModuleKind::Dense;
        if (name == "Normalize")
            return ModuleKind::Normalize;
    }
    throw Error(locate(path, 0, 0,
        "module type \"" + type
            + "\" is not supported; Pairtune reads Transformer, Pooling, Dense and Normalize "
              "(sentence_transformers.models.*)"));
}

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

[[noreturn]] void pytorchBinOnly(const fs::path &bin)
{
    throw Error(locate(bin.string(), 0, 0,
        "Pairtune reads weights from model.safetensors only, and this folder has just "
        "pytorch_model.bin. Convert it once in Python: "
        "`from sentence_transformers import SentenceTransformer; "
        "SentenceTransformer(p).save(p)` for a sentence-transformers folder, or "
        "`from transformers import AutoModel; "
        "AutoModel.from_pretrained(p).save_pretrained(p, safe_serialization=True)` for a "
        "plain transformers folder (p = the folder)."));
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
            // SentenceTransformer(path) ignores modules.json for other model types (format-spec §1.3).
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
            const ModuleKind kind = moduleKindFromType(entry["type"].get<std::string>(), where);
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
    std::optional<int> maxSeq;
    for (const char *name : kSbertConfigNames) {
        const fs::path p = tdir / name;
        if (!fs::exists(p))
            continue;
        const json sb = readJson(p);
        if (!sb.is_object())
            throw Error(locate(p.string(), 0, 0, "expected a JSON object"));
        for (const auto &[key, value] : sb.items()) {
            if (key == "max_seq_length") {
                if (value.is_null())
                    continue;
                if (!value.is_number_integer() || value.get<std::int64_t>() <= 0)
                    throw Error(locate(p.string(), 0, 0, "\"max_seq_length\" must be a positive integer"));
                maxSeq = int(std::min<std::int64_t>(value.get<std::int64_t>(), 1 << 30));
            } else if (key == "do_lower_case") {
                if (!value.is_boolean())
                    throw Error(locate(p.string(), 0, 0, "\"do_lower_case\" must be true or false"));
                m.doLowerCase = value.get<bool>();
            } else if (!kToleratedSbertKeys.count(key)) {
                logWarning(p.string() + ": ignoring unknown key \"" + key + "\"");
            }
        }
        break;
    }
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
        if (head.kind != ModuleKind::Dense)
            continue;
        const fs::path p = fs::path(m.modulePath(head.path)) / "config.json";
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
    const fs::path tdir(transformerFolder());
    const fs::path single = tdir / "model.safetensors";
    if (fs::exists(single))
        return { single.string() };
    const fs::path index = tdir / "model.safetensors.index.json";
    if (fs::exists(index)) {
        const json j = readJson(index);
        if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
            throw Error(locate(index.string(), 0, 0, "no \"weight_map\" object"));
        std::vector<std::string> files;
        for (const auto &[name, file] : j["weight_map"].items()) {
            if (!file.is_string())
                throw Error(locate(index.string(), 0, 0, "weight_map values must be file names"));
            const std::string path = (tdir / file.get<std::string>()).string();
            if (std::find(files.begin(), files.end(), path) == files.end())
                files.push_back(path);
        }
        return files;
    }
    if (fs::exists(tdir / "pytorch_model.bin"))
        pytorchBinOnly(tdir / "pytorch_model.bin");
    throw Error(locate(single.string(), 0, 0, "missing; the model's weights must be in model.safetensors"));
}

std::string ModelFolder::denseWeightFile(const HeadModule &dense) const
{
    const fs::path dir(modulePath(dense.path));
    if (fs::exists(dir / "model.safetensors"))
        return (dir / "model.safetensors").string();
    if (fs::exists(dir / "pytorch_model.bin"))
        pytorchBinOnly(dir / "pytorch_model.bin");
    throw Error(locate((dir / "model.safetensors").string(), 0, 0, "missing; the Dense module's weights"));
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
