#pragma once

// Engine-private (includes torch). Dynamically quantised int8 dense layers for inference
// (`pairtune-cli embed --int8`), as torch.ao.quantization.quantize_dynamic does for nn.Linear: weights
// int8 per output row (symmetric, scale max|w| / 127), activations quantised per call to uint8 with their
// own range, the product in int8 with int32 sums and a float32 result, through LibTorch's
// quantized::linear_dynamic on its oneDNN (or FBGEMM) engine. docs/performance.md has what it gains.

#include <ATen/ATen.h>
#include <ATen/core/ivalue.h>

#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace pairtune {

struct LinearWeights
{
    at::Tensor weight; // float [out, in]
    at::Tensor bias; // float [out] or undefined
};

// The packed int8 weights of one model, packed on first use, keyed by a parameter that identifies the
// layer (its weight, or the first of several weights a layer concatenates). Valid while those weights
// do not change: made for embedding with a loaded model, never for training. apply() may run on several
// threads at once (encode's batches run on every core, model/batchworkers.h).
class Int8Linears
{
public:
    // x [rows, in] float -> [rows, out] float.
    at::Tensor apply(
        const at::Tensor &x, const at::Tensor &key, const std::function<LinearWeights()> &weights);

private:
    std::mutex m_mutex; // guards m_packed (its elements stay where they are when others are added)
    std::unordered_map<const void *, c10::IValue> m_packed;
};

// While alive, inferenceLinear() on this thread runs the layers in int8 through `linears`.
class Int8Scope
{
public:
    explicit Int8Scope(Int8Linears *linears);
    ~Int8Scope();
    Int8Scope(const Int8Scope &) = delete;
    Int8Scope &operator=(const Int8Scope &) = delete;

private:
    Int8Linears *m_previous;
};

// An encoder's dense layer: x·Wᵀ + b, in int8 when an Int8Scope is active and autograd is off (so a
// training step never takes it), else float with weights() as given. `key` names the layer (see
// Int8Linears); weights() is called only when the float weights are needed (at first use in int8).
at::Tensor inferenceLinear(
    const at::Tensor &x, const at::Tensor &key, const std::function<LinearWeights()> &weights);

// Whether this LibTorch has an int8 engine that is faster than its float32 BLAS on the CPU: oneDNN or
// FBGEMM (QNNPACK, the only other one in Debian's build, ran int8 at 20 GFLOP/s against OpenBLAS's 50 in
// float32 on an AMD EPYC, so it is not used). Selects that engine the first time it is asked.
bool int8LinearAvailable();

} // namespace pairtune
