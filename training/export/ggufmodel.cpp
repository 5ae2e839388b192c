#include "export/ggufmodel.h"

#include "core/error.h"
#include "export/ggufquant.h"
#include "model/sentencemodelimpl.h"

#include <map>
#include <optional>
#include <regex>

namespace pairtune {
namespace {

// gguf-py constants.py PoolingType and LlamaFileType.
enum class PoolingType : std::uint32_t { Mean = 1, Cls = 2, Last = 3 };
constexpr std::uint32_t kGgmlQuantVersion = 2; // GGML_QUANT_VERSION

std::uint32_t fileType(GgmlType weights)
{
    switch (weights) {
    case GgmlType::F32:
        return 0; // ALL_F32
    case GgmlType::F16:
        return 1; // MOSTLY_F16
    case GgmlType::Q8_0:
        return 7; // MOSTLY_Q8_0
    }
    return 0;
}

bool isBertFamily(const std::string &type)
{
    return type == "bert" || type == "distilbert" || type == "roberta" || type == "xlm-roberta";
}

// Our (= Hugging Face) parameter name → the GGUF name, per family; "" = not written (the pooler, which
// sentence-transformers never uses).
std::string ggufTensorName(const std::string &modelType, const std::string &name)
{
    static const std::map<std::string, std::string> bertEmbeddings = {
        { "embeddings.word_embeddings.weight", "token_embd.weight" },
        { "embeddings.position_embeddings.weight", "position_embd.weight" },
        { "embeddings.token_type_embeddings.weight", "token_types.weight" },
        { "embeddings.LayerNorm.weight", "token_embd_norm.weight" },
        { "embeddings.LayerNorm.bias", "token_embd_norm.bias" },
    };
    static const std::map<std::string, std::string> bertLayer = {
        { "attention.self.query", "attn_q" },
        { "attention.self.key", "attn_k" },
        { "attention.self.value", "attn_v" },
        { "attention.output.dense", "attn_output" },
        { "attention.output.LayerNorm", "attn_output_norm" },
        { "intermediate.dense", "ffn_up" },
        { "output.dense", "ffn_down" },
        { "output.LayerNorm", "layer_output_norm" },
        // DistilBERT (tensor_mapping.py)
        { "attention.q_lin", "attn_q" },
        { "attention.k_lin", "attn_k" },
        { "attention.v_lin", "attn_v" },
        { "attention.out_lin", "attn_output" },
        { "sa_layer_norm", "attn_output_norm" },
        { "ffn.lin1", "ffn_up" },
        { "ffn.lin2", "ffn_down" },
        { "output_layer_norm", "layer_output_norm" },
    };
    static const std::map<std::string, std::string> modernGlobal = {
        { "embeddings.tok_embeddings.weight", "token_embd.weight" },
        { "embeddings.norm.weight", "token_embd_norm.weight" },
        { "final_norm.weight", "output_norm.weight" },
    };
    static const std::map<std::string, std::string> modernLayer = {
        { "attn_norm", "attn_norm" },
        { "attn.Wqkv", "attn_qkv" },
        { "attn.Wo", "attn_output" },
        { "mlp_norm", "ffn_norm" },
        { "mlp.Wi", "ffn_up" },
        { "mlp.Wo", "ffn_down" },
    };
    const bool modern = modelType == "modernbert";
    const auto &global = modern ? modernGlobal : bertEmbeddings;
    if (auto it = global.find(name); it != global.end())
        return it->second;
    static const std::regex layer(
        R"(^(?:encoder\.layer|transformer\.layer|layers)\.(\d+)\.(.+)\.(weight|bias)$)");
    std::smatch m;
    if (std::regex_match(name, m, layer)) {
        const auto &names = modern ? modernLayer : bertLayer;
        if (auto it = names.find(m[2].str()); it != names.end())
            return "blk." + m[1].str() + "." + it->second + "." + m[3].str();
    }
    if (name.rfind("pooler.", 0) == 0)
        return "";
    throw Error("GGUF export: no llama.cpp name for the " + modelType + " parameter " + name
        + " (a bug in the GGUF export)");
}

// convert_hf_to_gguf.py prepare_tensors: which tensors keep F32 whatever the file type.
GgmlType tensorType(const std::string &ggufName, const std::vector<std::uint64_t> &dims, GgmlType weights)
{
    auto endsWith = [&](const std::string &suffix) {
        return ggufName.size() >= suffix.size()
            && ggufName.compare(ggufName.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (dims.size() <= 1 || endsWith("_norm.weight") || ggufName == "position_embd.weight"
        || ggufName == "token_types.weight" || !endsWith(".weight"))
        return GgmlType::F32;
    if (weights == GgmlType::Q8_0 && dims[0] % kQ8BlockSize != 0)
        return GgmlType::F16; // the converter's QuantError fallback
    return weights;
}

std::optional<PoolingType> poolingType(const PoolingConfig &pooling)
{
    if (pooling.modeCount() != 1)
        return std::nullopt;
    if (pooling.meanTokens)
        return PoolingType::Mean;
    if (pooling.clsToken)
        return PoolingType::Cls;
    if (pooling.lastToken)
        return PoolingType::Last;
    return std::nullopt;
}

// parameter: the model's own name of the tensor, for the refusal of non-finite weights.
void addTensor(GgufWriter &writer, const std::string &name, const std::string &parameter,
    torch::Tensor tensor, GgmlType weights)
{
    tensor = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    // Before anything is written: the file is streamed later, and a NaN found then would waste the work.
    requireFiniteValues(tensor.data_ptr<float>(), std::size_t(tensor.numel()),
        "the weight " + parameter + " (GGUF tensor " + name + ")");
    std::vector<std::uint64_t> dims; // ggml order: innermost first
    for (auto d = tensor.dim(); d > 0; --d)
        dims.push_back(std::uint64_t(tensor.size(d - 1)));
    const GgmlType type = tensorType(name, dims, weights);
    writer.addTensor(name, dims, type, [tensor, type](std::string &out) {
        appendGgmlValues(out, tensor.data_ptr<float>(), std::size_t(tensor.numel()), type);
    });
}

} // namespace

std::string ggufModelUnsupportedReason(const SentenceModel &model)
{
    const ModelFolder &config = model.impl().config;
    const TransformerConfig &t = config.transformer;
    const std::string type = t.modelType;
    if (type == "mpnet")
        return "model_type mpnet: llama.cpp has no MPNet architecture (its relative position attention); use "
               "the "
               "ONNX export";
    if (!isBertFamily(type) && type != "modernbert")
        return "model_type " + type + ": llama.cpp's GGUF loader has no matching architecture";
    if (type == "modernbert") {
        const auto &m = t.modernBert;
        if (m.normBias || m.attentionBias || m.mlpBias)
            return "model_type modernbert with biases (norm_bias / attention_bias / mlp_bias): llama.cpp's "
                   "modern-bert graph has none";
        if (t.hiddenAct != "gelu")
            return "model_type modernbert with hidden_activation " + t.hiddenAct
                + ": only gelu was checked against llama.cpp";
    } else if (t.hiddenAct != "gelu" && t.hiddenAct != "gelu_new") {
        return "model_type " + type + " with hidden_act " + t.hiddenAct
            + ": llama.cpp's bert graph computes GELU";
    }
    for (const HeadModule &head : config.heads)
        if (head.kind == ModuleKind::Dense)
            return "the model has a Dense module (" + head.path
                + ") after pooling: llama.cpp's embedding output ends at the pooling; use the ONNX export "
                  "(sentence_embedding.onnx has the Dense inside)";
    if (!poolingType(config.pooling))
        return "pooling " + config.pooling.modeName()
            + ": llama.cpp pools only by mean, cls or lasttoken, one mode at a time";
    if (!config.pooling.includePrompt)
        return "Pooling include_prompt is false: llama.cpp pools over every token, prompt included";
    if (config.doLowerCase)
        return "sentence_bert_config.json do_lower_case is true: llama.cpp would not lower-case the text "
               "first";
    return "";
}

void addGgufModel(GgufWriter &writer, const SentenceModel &model, GgmlType weights, const std::string &name)
{
    const SentenceModel::Impl &impl = model.impl();
    const TransformerConfig &t = impl.config.transformer;
    const bool modern = t.modelType == "modernbert";
    const std::string arch = modern ? "modern-bert" : "bert";
    // RoBERTa-style tables: llama.cpp counts positions from 0, so the converter drops the first
    // pad_token_id + 1 rows (RobertaModel / XLMRobertaModel.modify_tensors).
    const int positionOffset = t.positionsFromPadding() ? t.padTokenId + 1 : 0;

    writer.addString("general.architecture", arch);
    writer.addString("general.name", name);
    writer.addUint32("general.file_type", fileType(weights));
    writer.addUint32("general.quantization_version", kGgmlQuantVersion);
    writer.addUint32("general.alignment", std::uint32_t(kGgufAlignment));
    writer.addUint32(arch + ".context_length", std::uint32_t(t.maxPositionEmbeddings - positionOffset));
    writer.addUint32(arch + ".embedding_length", std::uint32_t(t.hiddenSize));
    writer.addUint32(arch + ".feed_forward_length", std::uint32_t(t.intermediateSize));
    writer.addUint32(arch + ".attention.head_count", std::uint32_t(t.numAttentionHeads));
    writer.addUint32(arch + ".block_count", std::uint32_t(t.numHiddenLayers));
    writer.addFloat32(arch + ".attention.layer_norm_epsilon", float(t.layerNormEps));
    writer.addBool(arch + ".attention.causal", false);
    if (auto pooling = poolingType(impl.config.pooling))
        writer.addUint32(arch + ".pooling_type", std::uint32_t(*pooling));
    if (modern) {
        const auto &m = t.modernBert;
        writer.addUint32(arch + ".attention.sliding_window", std::uint32_t(m.localAttention));
        writer.addUint32(arch + ".attention.sliding_window_pattern", std::uint32_t(m.globalAttnEveryNLayers));
        writer.addString(arch + ".rope.scaling.type", "none");
        writer.addFloat32(arch + ".rope.freq_base", float(m.globalRopeTheta));
        writer.addFloat32(arch + ".rope.freq_base_swa", float(m.localRopeTheta));
        writer.addUint32(arch + ".vocab_size", std::uint32_t(t.vocabSize));
        writer.addString(arch + ".hidden_activation", t.hiddenAct);
    }

    for (const auto &item : impl.transformer->named_parameters(true)) {
        const std::string gguf = ggufTensorName(t.modelType, item.key());
        if (gguf.empty())
            continue;
        torch::Tensor value = item.value();
        if (gguf == "position_embd.weight" && positionOffset > 0)
            value = value.slice(0, positionOffset);
        addTensor(writer, gguf, item.key(), value, weights);
    }
}

GgufVocabOptions ggufVocabOptions(const SentenceModel &model)
{
    const TransformerConfig &t = model.impl().config.transformer;
    GgufVocabOptions options;
    options.vocabSize = t.vocabSize;
    options.tokenTypeCount = std::max(1, t.typeVocabSize);
    options.padId = int(model.tokenizer().padId());
    options.bpePre = t.modelType == "modernbert" ? "modern-bert" : "roberta-bpe";
    return options;
}

} // namespace pairtune
