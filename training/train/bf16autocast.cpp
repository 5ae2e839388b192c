#include "train/bf16autocast.h"

#include <ATen/autocast_mode.h>

namespace pairtune {

Bf16Autocast::Bf16Autocast(bool enabled, const c10::Device &device)
    : m_enabled(enabled)
    , m_cuda(device.is_cuda())
{
    if (!m_enabled)
        return;
    if (m_cuda) {
        m_wasEnabled = at::autocast::is_enabled();
        at::autocast::set_autocast_gpu_dtype(at::kBFloat16);
        at::autocast::set_enabled(true);
    } else {
        m_wasEnabled = at::autocast::is_cpu_enabled();
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
        at::autocast::set_cpu_enabled(true);
    }
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
    if (m_cuda)
        at::autocast::set_enabled(m_wasEnabled);
    else
        at::autocast::set_cpu_enabled(m_wasEnabled);
}

} // namespace pairtune
