#include "core/error.h"
#include "core/log.h"
#include "io/fileutil.h"
#include "io/safetensors.h"
#include "model/densemoduleimpl.h"
#include "model/encoderfamily.h"
#include "model/encoderimpl.h"
#include "model/torchpickleimpl.h"
#include "model/weightioimpl.h"

#include <ATen/ATen.h>
#include <torch/serialize.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>

namespace pairtune {
namespace {

std::string shapeText(const std::vector<int64_t> &shape)
{
    std::string out = "[";
    for (std::size_t i = 0; i < shape.size(); ++i)
        out += (i ? ", " : "") + std::to_string(shape[i]);
    return out + "]";
}

std::vector<int64_t> shapeOf(const TensorInfo &info)
{
    return std::vector<int64_t>(info.shape.begin(), info.shape.end());
}

bool isFloatType(DType dtype)
{
    return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::BF16;
}

// transformers' key fixes: the base-model prefix of *ForMaskedLM-style checkpoints (the family's
// base_model_prefix), and the legacy TensorFlow-era LayerNorm names.
std::string canonicalName(const std::string &name, std::string_view prefix)
{
    std::string out = name;
    if (out.compare(0, prefix.size(), prefix) == 0)
        out = out.substr(prefix.size());
    const auto dot = out.rfind('.');
    const std::string last = dot == std::string::npos ? out : out.substr(dot + 1);
    const std::string stem = dot == std::string::npos ? "" : out.substr(0, dot + 1);
    if (last == "gamma")
        out = stem + "weight";
    else if (last == "beta")
        out = stem + "bias";
    return out;
}

// One tensor of a weight file, whatever the format: its values are read only when needed.
struct StoredTensor
{
    std::string name;
    bool floating = false; // F32, F16 or BF16 (F64 too in pytorch_model.bin)
    std::string dtypeName;
    std::vector<int64_t> shape;
    std::function<at::Tensor()> values; // float32, contiguous, CPU
};

bool isBin(const std::string &path)
{
    return path.size() >= 4 && path.compare(path.size() - 4, 4, ".bin") == 0;
}

// The tensors of a model.safetensors (or shard) or of a torch.save pytorch_model.bin, in file order.
std::vector<StoredTensor> listTensors(const std::string &path)
{
    std::vector<StoredTensor> out;
    if (isBin(path)) {
        for (auto &[name, tensor] : readTorchStateDict(path)) {
            StoredTensor t;
            t.name = name;
            t.floating = tensor.is_floating_point();
            t.dtypeName = std::string(c10::toString(tensor.scalar_type()));
            t.shape.assign(tensor.sizes().begin(), tensor.sizes().end());
            t.values = [tensor] { return tensor.to(at::kFloat).contiguous(); };
            out.push_back(std::move(t));
        }
        return out;
    }
    auto file = std::make_shared<SafetensorsFile>(SafetensorsFile::open(path));
    for (const TensorInfo &info : file->tensors()) {
        StoredTensor t;
        t.name = info.name;
        t.floating = isFloatType(info.dtype);
        t.shape = shapeOf(info);
        t.values = [file, info] {
            std::vector<float> values = file->toFloat32(info);
            return at::from_blob(values.data(), { int64_t(values.size()) }, at::kFloat).clone();
        };
        out.push_back(std::move(t));
    }
    return out;
}

// Copies one stored tensor into a float32 CPU parameter after checking dtype and shape.
void copyInto(
    const StoredTensor &stored, torch::Tensor &parameter, const std::string &path, const std::string &name)
{
    if (!stored.floating)
        throw Error(locate(path, 0, 0,
            "tensor \"" + stored.name
                + "\" is not stored as F32, F16 or BF16; Pairtune cannot load it as a weight"));
    const std::vector<int64_t> expected(parameter.sizes().begin(), parameter.sizes().end());
    if (stored.shape != expected)
        throw Error(locate(path, 0, 0,
            "tensor \"" + stored.name + "\" has shape " + shapeText(stored.shape) + ", expected "
                + shapeText(expected) + " for \"" + name + "\" from the model's config"));
    const at::Tensor values = stored.values();
    if (values.numel() != parameter.numel())
        throw Error(locate(path, 0, 0, "tensor \"" + stored.name + "\" holds the wrong number of values"));
    // A model with NaN or infinite weights (a run that diverged) would only give NaN embeddings.
    if (!values.isfinite().all().item<bool>())
        throw Error(locate(path, 0, 0,
            "tensor \"" + stored.name
                + "\" holds NaN or infinite values; the weights are damaged (from a run that "
                  "diverged?)"));
    at::NoGradGuard noGrad;
    std::memcpy(
        parameter.data_ptr<float>(), values.data_ptr<float>(), std::size_t(values.numel()) * sizeof(float));
}

std::string listNames(const std::vector<std::string> &names, std::size_t limit = 8)
{
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < limit; ++i)
        out += (i ? ", " : "") + names[i];
    if (names.size() > limit)
        out += " and " + std::to_string(names.size() - limit) + " more";
    return out;
}

} // namespace

void loadTransformerWeights(Encoder &model, const std::vector<std::string> &files, at::Generator &generator)
{
    const EncoderFamily &family = encoderFamily(model.config());
    std::map<std::string, torch::Tensor> expected;
    for (auto &item : model.named_parameters(true))
        expected.emplace(item.key(), item.value());

    std::set<std::string> loaded;
    std::vector<std::string> unexpected;
    for (const std::string &path : files) {
        for (const StoredTensor &info : listTensors(path)) {
            const std::string name = canonicalName(info.name, family.weightPrefix);
            // Non-persistent buffers that old checkpoints still carry.
            if (name == "embeddings.position_ids" || name == "embeddings.token_type_ids")
                continue;
            const auto it = expected.find(name);
            if (it == expected.end()) {
                unexpected.push_back(info.name);
                continue;
            }
            if (!loaded.insert(name).second)
                throw Error(locate(
                    path, 0, 0, "tensor \"" + name + "\" is stored twice (with and without a prefix?)"));
            copyInto(info, it->second, path, name);
        }
    }
    if (!unexpected.empty())
        logWarning(files.front() + ": ignoring " + std::to_string(unexpected.size()) + " tensor(s) a "
            + std::string(family.architecture) + " does not use: " + listNames(unexpected));

    std::vector<std::string> missing;
    std::vector<std::string> optionalMissing;
    for (const auto &[name, tensor] : expected) {
        if (loaded.count(name))
            continue;
        (model.isOptional(name) ? optionalMissing : missing).push_back(name);
    }
    if (!missing.empty())
        throw Error(locate(files.front(), 0, 0,
            "missing tensor(s) " + listNames(missing) + "; the weights do not belong to a "
                + std::string(family.architecture) + " with this config.json"));
    if (!optionalMissing.empty()) {
        // Two kinds of optional tensor, told apart because their consequences differ: BERT's pooler,
        // which sentence-transformers never uses (transformers initialises it randomly too), and
        // DistilBERT's sinusoidal position table, which embeddings do use but which is a fixed formula.
        std::vector<std::string> recomputed;
        std::vector<std::string> unused;
        for (const std::string &name : optionalMissing)
            (name.find("position_embeddings") != std::string::npos ? recomputed : unused).push_back(name);
        if (!unused.empty())
            logWarning(files.front() + ": no " + listNames(unused)
                + "; newly initialised (sentence embeddings do not use them)");
        if (!recomputed.empty())
            logWarning(files.front() + ": no " + listNames(recomputed)
                + "; recomputed from the sinusoidal formula, as transformers does (embeddings are "
                  "unchanged)");
        model.initialiseOptional(generator);
    }
}

void loadDenseWeights(DenseModule &dense, const std::string &path)
{
    const std::vector<StoredTensor> stored = listTensors(path);
    std::set<std::string> loaded;
    for (auto &item : dense.named_parameters(true)) {
        const auto found = std::find_if(
            stored.begin(), stored.end(), [&](const StoredTensor &t) { return t.name == item.key(); });
        if (found == stored.end())
            throw Error(locate(path, 0, 0, "missing tensor \"" + item.key() + "\" of the Dense module"));
        copyInto(*found, item.value(), path, item.key());
        loaded.insert(item.key());
    }
    for (const StoredTensor &t : stored)
        if (!loaded.count(t.name))
            throw Error(locate(path, 0, 0,
                "unexpected tensor \"" + t.name
                    + "\" for a Dense module (check \"bias\" in its "
                      "config.json)"));
}

void saveWeights(const std::string &path, const std::vector<std::pair<std::string, torch::Tensor>> &named,
    bool float16, bool formatMetadata)
{
    std::vector<torch::Tensor> keep; // owns the bytes the spans point into
    std::vector<TensorToWrite> tensors;
    keep.reserve(named.size());
    tensors.reserve(named.size());
    for (const auto &[name, tensor] : named) {
        torch::Tensor t = tensor.detach().to(at::kCPU, float16 ? at::kHalf : at::kFloat).contiguous();
        keep.push_back(t);
        TensorToWrite w;
        w.name = name;
        w.dtype = float16 ? DType::F16 : DType::F32;
        for (int64_t d : t.sizes())
            w.shape.push_back(static_cast<decltype(w.shape)::value_type>(d));
        w.bytes = std::span<const std::byte>(static_cast<const std::byte *>(t.data_ptr()), t.nbytes());
        tensors.push_back(std::move(w));
    }
    std::map<std::string, std::string> metadata;
    if (formatMetadata)
        metadata["format"] = "pt";
    writeSafetensors(path, tensors, metadata);
}

void saveTorchStateDict(
    const std::string &path, const std::vector<std::pair<std::string, torch::Tensor>> &named, bool float16)
{
    c10::Dict<std::string, at::Tensor> state;
    for (const auto &[name, tensor] : named)
        state.insert(name, tensor.detach().to(at::kCPU, float16 ? at::kHalf : at::kFloat).contiguous());
    const std::vector<char> bytes = torch::pickle_save(c10::IValue(state));
    writeFileAtomic(path, std::string(bytes.data(), bytes.size()));
}

} // namespace pairtune
