#include "model/int8linearimpl.h"

#include <ATen/core/dispatch/Dispatcher.h>

#include <algorithm>
#include <vector>

namespace pairtune {
namespace {

thread_local Int8Linears *activeLinears = nullptr;

// Boxed calls: the packed-weight class (LinearPackedParamsBase) is not in LibTorch's installed headers,
// so it travels as an IValue from quantized::linear_prepack to quantized::linear_dynamic.
c10::IValue callOperator(const char *name, std::vector<c10::IValue> stack)
{
    const c10::OperatorHandle op = c10::Dispatcher::singleton().findSchemaOrThrow(name, "");
    op.callBoxed(&stack);
    return std::move(stack.at(0));
}

c10::IValue pack(const LinearWeights &w)
{
    const at::Tensor weight = w.weight.detach().to(at::kFloat).contiguous();
    // Symmetric per output row, as quantize_dynamic's per-channel weight observer with qint8.
    const at::Tensor scales = weight.abs().amax({ 1 }).div(127.0).clamp_min(1e-12).to(at::kDouble);
    const at::Tensor zeroPoints = at::zeros({ weight.size(0) }, at::kLong);
    const at::Tensor quantized = at::quantize_per_channel(weight, scales, zeroPoints, 0, at::kQInt8);
    const c10::optional<at::Tensor> bias = w.bias.defined()
        ? c10::optional<at::Tensor>(w.bias.detach().to(at::kFloat).contiguous())
        : c10::nullopt;
    return callOperator("quantized::linear_prepack", { quantized, bias });
}

} // namespace

at::Tensor Int8Linears::apply(
    const at::Tensor &x, const at::Tensor &key, const std::function<LinearWeights()> &weights)
{
    const void *id = key.unsafeGetTensorImpl();
    const c10::IValue *packed = nullptr;
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        auto found = m_packed.find(id);
        if (found == m_packed.end())
            found = m_packed.emplace(id, pack(weights())).first;
        packed = &found->second;
    }
    // reduce_range false: oneDNN takes the full uint8 range (FBGEMM would want 7 bits on CPUs without
    // VNNI; it is not in Debian's LibTorch).
    return callOperator("quantized::linear_dynamic", { x.contiguous(), *packed, false }).toTensor();
}

Int8Scope::Int8Scope(Int8Linears *linears)
    : m_previous(activeLinears)
{
    activeLinears = linears;
}

Int8Scope::~Int8Scope()
{
    activeLinears = m_previous;
}

at::Tensor inferenceLinear(
    const at::Tensor &x, const at::Tensor &key, const std::function<LinearWeights()> &weights)
{
    if (activeLinears && !at::GradMode::is_enabled() && x.device().is_cpu() && x.scalar_type() == at::kFloat)
        return activeLinears->apply(x, key, weights);
    const LinearWeights w = weights();
    return w.bias.defined() ? at::linear(x, w.weight, w.bias) : at::linear(x, w.weight);
}

bool int8LinearAvailable()
{
    static const bool available = [] {
        const std::vector<at::QEngine> engines = at::globalContext().supportedQEngines();
        for (const at::QEngine engine : { at::QEngine::ONEDNN, at::QEngine::FBGEMM }) {
            if (std::find(engines.begin(), engines.end(), engine) != engines.end()) {
                at::globalContext().setQEngine(engine);
                return true;
            }
        }
        return false;
    }();
    return available;
}

} // namespace pairtune
