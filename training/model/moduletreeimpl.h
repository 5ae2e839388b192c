#pragma once

// Engine-private (includes torch). How the encoders register their parameters under Hugging Face's
// dotted names: plain torch::nn::Module nodes along the path, so named_parameters() yields
// "encoder.layer.0.attention.self.query.weight" and weight files load and save by name.

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <algorithm>
#include <memory>
#include <string>

namespace pairtune {

// An uninitialised float32 CPU parameter `name` of `module`.
inline at::Tensor addParameter(torch::nn::Module &module, const std::string &name, at::IntArrayRef shape)
{
    return module.register_parameter(name, at::empty(shape, at::TensorOptions().dtype(at::kFloat)));
}

// The module at a dotted path below root ("encoder.layer.0.attention.self"), created where missing.
inline torch::nn::Module &moduleAt(torch::nn::Module &root, const std::string &path)
{
    torch::nn::Module *module = &root;
    std::size_t begin = 0;
    while (begin < path.size()) {
        const std::size_t dot = std::min(path.find('.', begin), path.size());
        const std::string name = path.substr(begin, dot - begin);
        auto children = module->named_children();
        if (const auto *child = children.find(name))
            module = child->get();
        else
            module = module->register_module(name, std::make_shared<torch::nn::Module>()).get();
        begin = dot + 1;
    }
    return *module;
}

} // namespace pairtune
