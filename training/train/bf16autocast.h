#pragma once

// Engine-private (includes torch). LibTorch's autocast switched on for one scope, as Python's
// `with torch.autocast(device, dtype=torch.bfloat16):` does: matrix products run in bfloat16 on
// bf16 copies of the float32 weights (cached for the scope), the ops autocast keeps in float32 stay
// there, and backward (outside the scope) reaches the float32 parameters.

#include <c10/core/Device.h>

namespace pairtune {

class Bf16Autocast
{
public:
    // enabled = false: does nothing (so callers need no branch).
    Bf16Autocast(bool enabled, const c10::Device &device);
    ~Bf16Autocast();
    Bf16Autocast(const Bf16Autocast &) = delete;
    Bf16Autocast &operator=(const Bf16Autocast &) = delete;

private:
    bool m_enabled = false;
    bool m_cuda = false;
    bool m_wasEnabled = false;
};

} // namespace pairtune
