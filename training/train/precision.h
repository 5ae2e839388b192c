#pragma once

// Which precision a training run's matrix products use (torch-free). TrainingConfig::bf16 is Off, On or
// Auto; Auto is resolved here when a run starts, so config.json records what the run did.

#include "recipe/trainingconfig.h"

#include <string>

namespace pairtune {

// Whether the CPU has usable AMX-BF16 tiles (cpuid, and the kernel enabled their state), where LibTorch's
// oneDNN runs bf16 matrix products about twice as fast as float32.
bool cpuHasAmxBf16();

// Auto's choice for a device: bfloat16 autocast on a CPU with AMX-BF16, where it is about twice as fast
// as float32 and its held-out quality matches float32's (tst_bf16quality); float32 on CPUs with
// AVX512-BF16 alone (native, but LibTorch's bf16 products ran at about half float32's rate there), on
// CPUs without bf16 (emulated: several times slower) and on GPUs (not measured as a default there).
bool bf16ByDefault(const std::string &device);

// Whether the run's matrix products run in bfloat16: On, or Auto where bf16ByDefault says so.
bool usesBf16(const TrainingConfig &config);

// config.bf16 with Auto replaced by what it means here (On or Off).
Bf16Mode resolvedBf16(const TrainingConfig &config);

// For the compute line, the started message and the model card: "matrix products in bfloat16 (autocast,
// native AVX512-BF16)" or "matrix products in float32".
std::string precisionDescription(const TrainingConfig &config);

} // namespace pairtune
