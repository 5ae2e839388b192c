#include "train/bf16autocast.h"

#include <ATen/autocast_mode.h>
#include <torch/version.h>

namespace pairtune {

namespace {

// LibTorch 2.4 replaced the per-device autocast functions (is_cpu_enabled, set_autocast_gpu_dtype, ...)
// with ones that take the device type; Debian's 1.13 only has the old ones, a CUDA wheel's 2.x the new.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
bool autocastEnabled(at::DeviceType type)
{
    return at::autocast::is_autocast_enabled(type);
}

void enableAutocast(at::DeviceType type, bool enabled)
{
    at::autocast::set_autocast_enabled(type, enabled);
}

void setAutocastBf16(at::DeviceType type)
{
    at::autocast::set_autocast_dtype(type, at::kBFloat16);
}
#else
bool autocastEnabled(at::DeviceType type)
{
    return type == at::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
}

void enableAutocast(at::DeviceType type, bool enabled)
{
    if (type == at::kCUDA)
        at::autocast::set_enabled(enabled);
    else
        at::autocast::set_cpu_enabled(enabled);
}

void setAutocastBf16(at::DeviceType type)
{
    if (type == at::kCUDA)
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
    else
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
}
#endif

} // namespace

Bf16Autocast::Bf16Autocast(bool enabled, const c10::Device &device)
    : m_enabled(enabled)
    , m_cuda(device.is_cuda())
{
    if (!m_enabled)
        return;
    const at::DeviceType type = m_cuda ? at::kCUDA : at::kCPU;
    m_wasEnabled = autocastEnabled(type);
    setAutocastBf16(type);
    enableAutocast(type, true);
    at::autocast::increment_nesting();
}

Bf16Autocast::~Bf16Autocast()
{
    if (!m_enabled)
        return;
    // The cached bf16 weights are stale once the optimizer steps: drop them when the outermost scope
    // ends, as torch.autocast's __exit__ does.
    if (at::autocast::decrement_nesting() == 0)
        at::autocast::clear_cache();
    enableAutocast(m_cuda ? at::kCUDA : at::kCPU, m_wasEnabled);
}

} // namespace pairtune
