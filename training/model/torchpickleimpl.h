#pragma once

// Engine-private (includes torch). Reads the tensors of a pytorch_model.bin that torch.save wrote in
// its zip format (PyTorch 1.6 and later), without running any of the file's pickled code.

#include <ATen/core/Tensor.h>

#include <string>
#include <utility>
#include <vector>

namespace pairtune {

// The file's top-level {name: tensor} dictionary (a state_dict), in file order. Only the globals a
// state_dict needs are understood (collections.OrderedDict, torch._utils._rebuild_tensor_v2 and
// _rebuild_parameter, torch.*Storage, and LibTorch's torch.jit._pickle.restore_type_tag); anything else, the
// pre-1.6 legacy format, a damaged archive or a tensor that reaches past its storage throws pairtune::Error
// naming path and saying how to convert the file to safetensors.
std::vector<std::pair<std::string, at::Tensor>> readTorchStateDict(const std::string &path);

} // namespace pairtune
