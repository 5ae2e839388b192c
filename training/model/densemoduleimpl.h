#pragma once

// Engine-private (includes torch). sentence-transformers' Dense: act(x W^T + b), parameters
// "linear.weight" [out, in] and "linear.bias" as Dense.save writes them.

#include "model/modelconfig.h"

#include <ATen/core/Generator.h>
#include <torch/nn/module.h>

namespace pairtune {

class DenseModule : public torch::nn::Module
{
public:
    explicit DenseModule(const DenseConfig &config); // allocated, not initialised

    torch::Tensor forward(const torch::Tensor &x);
    // nn.Linear's default init: weight and bias ~ U(-1/sqrt(in), 1/sqrt(in)).
    void initialise(at::Generator &generator);

    const DenseConfig &config() const { return m_config; }

private:
    DenseConfig m_config;
    torch::Tensor m_weight;
    torch::Tensor m_bias; // undefined without bias
};

} // namespace pairtune
