#include "model/weightfiles.h"

#include "core/error.h"
#include "io/jsonfile.h"

#include <algorithm>
#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

// The distinct files of an index's weight_map, in first-mention order.
std::vector<std::string> shardsOf(const fs::path &index)
{
    const nlohmann::json j = readJsonFile(index.string());
    if (!j.is_object() || !j.contains("weight_map") || !j["weight_map"].is_object())
        throw Error(locate(index.string(), 0, 0, "no \"weight_map\" object"));
    std::vector<std::string> files;
    for (const auto &[name, file] : j["weight_map"].items()) {
        if (!file.is_string())
            throw Error(locate(index.string(), 0, 0, "weight_map values must be file names"));
        const fs::path relative(file.get<std::string>());
        // An index from an untrusted repository must not send us reading elsewhere.
        if (relative.is_absolute() || relative.has_parent_path() || relative.filename() != relative)
            throw Error(locate(index.string(), 0, 0,
                "weight_map names \"" + relative.string() + "\", which is not a file next to the index"));
        const std::string path = (index.parent_path() / relative).string();
        if (std::find(files.begin(), files.end(), path) == files.end())
            files.push_back(path);
    }
    if (files.empty())
        throw Error(locate(index.string(), 0, 0, "weight_map lists no files"));
    for (const std::string &file : files)
        if (!fs::exists(file))
            throw Error(locate(file, 0, 0, "missing; " + index.filename().string() + " lists it as a shard"));
    return files;
}

} // namespace

std::vector<std::string> findTransformerWeightFiles(const std::string &dirPath)
{
    const fs::path dir(dirPath);
    if (fs::exists(dir / "model.safetensors"))
        return { (dir / "model.safetensors").string() };
    if (fs::exists(dir / "model.safetensors.index.json"))
        return shardsOf(dir / "model.safetensors.index.json");
    if (fs::exists(dir / "pytorch_model.bin"))
        return { (dir / "pytorch_model.bin").string() };
    if (fs::exists(dir / "pytorch_model.bin.index.json"))
        return shardsOf(dir / "pytorch_model.bin.index.json");
    throw Error(locate((dir / "model.safetensors").string(), 0, 0,
        "missing; the model's weights must be in model.safetensors (or its shards, or "
        "pytorch_model.bin)"));
}

std::string findDenseWeightFile(const std::string &dirPath)
{
    const fs::path dir(dirPath);
    for (const char *name : { "model.safetensors", "pytorch_model.bin" })
        if (fs::exists(dir / name))
            return (dir / name).string();
    throw Error(locate((dir / "model.safetensors").string(), 0, 0, "missing; the Dense module's weights"));
}

} // namespace pairtune
