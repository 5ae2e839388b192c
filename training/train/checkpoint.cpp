#include "train/checkpoint.h"

#include "core/error.h"
#include "io/atomicdirectory.h"
#include "io/jsonfile.h"
#include "io/safetensors.h"
#include "model/sentencemodel.h"
#include "train/adamw.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <filesystem>
#include <mutex>

namespace fs = std::filesystem;

namespace pairtune {
namespace {

std::span<const std::byte> bytesOf(const torch::Tensor &t)
{
    return { static_cast<const std::byte *>(t.data_ptr()),
        static_cast<std::size_t>(t.numel()) * sizeof(float) };
}

std::vector<std::int64_t> shapeOf(const torch::Tensor &t)
{
    return t.sizes().vec();
}

const char *kHex = "0123456789abcdef";

} // namespace

void saveCheckpoint(const std::string &folder, const SentenceModel &model, const AdamW &optimizer,
    nlohmann::json trainerState)
{
    AtomicDirectory staging(folder, /*replaceExisting=*/true);
    model.save((fs::path(staging.stagingPath()) / "model").string());

    // Keep CPU float32 copies alive while the writer reads them.
    std::vector<torch::Tensor> keep;
    std::vector<TensorToWrite> tensors;
    nlohmann::json steps = nlohmann::json::object();
    for (const AdamW::Param &p : optimizer.params()) {
        steps[p.name] = p.steps;
        if (!p.expAvg.defined())
            continue;
        for (const auto &[suffix, tensor] :
            { std::pair { ".exp_avg", p.expAvg }, std::pair { ".exp_avg_sq", p.expAvgSq } }) {
            keep.push_back(tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous());
            tensors.push_back({ p.name + suffix, DType::F32, shapeOf(keep.back()), bytesOf(keep.back()) });
        }
    }
    writeSafetensors((fs::path(staging.stagingPath()) / "optimizer.safetensors").string(), tensors, {});
    trainerState["adamw_steps"] = steps;
    writeJsonFile((fs::path(staging.stagingPath()) / "trainer_state.json").string(), trainerState, 2);
    staging.commit();
}

nlohmann::json readTrainerState(const std::string &folder)
{
    return readJsonFile((fs::path(folder) / "trainer_state.json").string());
}

void loadOptimizerState(const std::string &folder, AdamW &optimizer)
{
    const std::string path = (fs::path(folder) / "optimizer.safetensors").string();
    const SafetensorsFile file = SafetensorsFile::open(path);
    const nlohmann::json state = readTrainerState(folder);
    const nlohmann::json &steps = state.at("adamw_steps");
    for (AdamW::Param &p : optimizer.params()) {
        p.steps = steps.value(p.name, std::int64_t { 0 });
        const TensorInfo *avg = file.find(p.name + ".exp_avg");
        const TensorInfo *avgSq = file.find(p.name + ".exp_avg_sq");
        if (!avg || !avgSq) {
            if (p.steps > 0)
                throw Error(
                    locate(path, 0, 0, "no optimizer state for " + p.name + "; the checkpoint is damaged"));
            continue;
        }
        auto load = [&](const TensorInfo &info) {
            std::vector<float> values = file.toFloat32(info);
            torch::Tensor t = torch::from_blob(values.data(), info.shape, torch::kFloat32).clone();
            if (!t.sizes().equals(p.value.sizes()))
                throw Error(locate(path, 0, 0, "optimizer state for " + p.name + " has the wrong shape"));
            return t.to(p.value.device());
        };
        p.expAvg = load(*avg);
        p.expAvgSq = load(*avgSq);
    }
}

std::string torchRngState()
{
    auto generator = at::detail::getDefaultCPUGenerator();
    torch::Tensor state;
    {
        std::lock_guard<std::mutex> lock(generator.mutex());
        state = generator.get_state();
    }
    const auto *bytes = state.data_ptr<std::uint8_t>();
    std::string hex;
    hex.reserve(static_cast<std::size_t>(state.numel()) * 2);
    for (std::int64_t i = 0; i < state.numel(); ++i) {
        hex += kHex[bytes[i] >> 4];
        hex += kHex[bytes[i] & 15];
    }
    return hex;
}

void setTorchRngState(const std::string &hex)
{
    if (hex.size() % 2 != 0)
        throw Error("damaged random-generator state in the checkpoint");
    torch::Tensor state = torch::empty({ static_cast<std::int64_t>(hex.size() / 2) }, torch::kUInt8);
    auto *bytes = state.data_ptr<std::uint8_t>();
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        throw Error("damaged random-generator state in the checkpoint");
    };
    for (std::size_t i = 0; i < hex.size() / 2; ++i)
        bytes[i] = static_cast<std::uint8_t>(nibble(hex[2 * i]) * 16 + nibble(hex[2 * i + 1]));
    auto generator = at::detail::getDefaultCPUGenerator();
    std::lock_guard<std::mutex> lock(generator.mutex());
    generator.set_state(state);
}

} // namespace pairtune
