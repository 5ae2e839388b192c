#include "model/densemoduleimpl.h"

#include <ATen/ATen.h>

#include <cmath>

namespace pairtune {

DenseModule::DenseModule(const DenseConfig &config)
    : m_config(config)
{
    auto linear = register_module("linear", std::make_shared<torch::nn::Module>());
    const auto options = at::TensorOptions().dtype(at::kFloat);
    m_weight
        = linear->register_parameter("weight", at::empty({ config.outFeatures, config.inFeatures }, options));
    if (config.bias)
        m_bias = linear->register_parameter("bias", at::empty({ config.outFeatures }, options));
}

torch::Tensor DenseModule::forward(const torch::Tensor &x)
{
    const torch::Tensor y = m_bias.defined() ? at::linear(x, m_weight, m_bias) : at::linear(x, m_weight);
    return m_config.isTanh() ? at::tanh(y) : y;
}

void DenseModule::initialise(at::Generator &generator)
{
    at::NoGradGuard noGrad;
    const double bound = 1.0 / std::sqrt(double(m_config.inFeatures));
    m_weight.uniform_(-bound, bound, generator);
    if (m_bias.defined())
        m_bias.uniform_(-bound, bound, generator);
}

} // namespace pairtune
