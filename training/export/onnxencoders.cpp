#include "export/onnxencoders.h"

#include "core/error.h"
#include "export/onnxmodernbert.h"
#include "export/onnxmpnet.h"

#include <ATen/ATen.h>

#include <array>

namespace pairtune {

const OnnxEncoderFamily *findOnnxEncoderFamily(const std::string &modelType)
{
    // One line per family; the BERT-shaped ones share onnxbert.cpp as they share BertEncoder.
    static const std::array<OnnxEncoderFamily, 6> families { {
        { "bert", &buildBertOnnxEncoder, &checkBertOnnxEncoder },
        { "roberta", &buildBertOnnxEncoder, &checkBertOnnxEncoder },
        { "xlm-roberta", &buildBertOnnxEncoder, &checkBertOnnxEncoder },
        { "distilbert", &buildBertOnnxEncoder, &checkBertOnnxEncoder },
        { "mpnet", &buildMPNetOnnxEncoder, &checkMPNetOnnxEncoder },
        { "modernbert", &buildModernBertOnnxEncoder, &checkModernBertOnnxEncoder },
    } };
    for (const OnnxEncoderFamily &family : families)
        if (modelType == family.modelType)
            return &family;
    return nullptr;
}

std::string onnxWeight(OnnxGraph &graph, const std::string &name, const at::Tensor &tensor)
{
    const at::Tensor t = tensor.detach().to(at::kCPU, at::kFloat).contiguous();
    return graph.weight(
        name, t.data_ptr<float>(), std::vector<std::int64_t>(t.sizes().begin(), t.sizes().end()));
}

std::string onnxWeight(OnnxGraph &graph, const torch::nn::Module &module, const std::string &name)
{
    const auto parameters = module.named_parameters(true);
    const at::Tensor *tensor = parameters.find(name);
    if (!tensor)
        throw Error("internal: the encoder has no parameter \"" + name + "\" to export");
    return onnxWeight(graph, name, *tensor);
}

} // namespace pairtune
