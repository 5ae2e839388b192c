#include "export/onnxexport.h"

#include "core/error.h"
#include "export/onnxencoders.h"
#include "export/onnxpooling.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <onnx/checker.h>

namespace fs = std::filesystem;

namespace pairtune {

namespace {

constexpr std::int64_t kOpset = 17; // LayerNormalization; onnxruntime since 1.14
constexpr std::int64_t kIrVersion = 8; // what ONNX 1.12 writes for opset 17
// protobuf refuses messages of 2 GiB or more; leave room for the graph around the weights.
constexpr std::uint64_t kMaxWeightBytes = (std::uint64_t(1) << 31) - (std::uint64_t(64) << 20);

std::uint64_t weightBytes(const SentenceModel::Impl &impl)
{
    std::uint64_t bytes = 0;
    for (const auto &item : impl.namedParameters())
        bytes += std::uint64_t(item.second.numel()) * sizeof(float);
    return bytes;
}

// The graph of one file: the encoder, and with head the pooling, Dense and Normalize after it.
onnx::ModelProto buildModel(const SentenceModel::Impl &impl, bool head, bool float16)
{
    const TransformerConfig &config = impl.config.transformer;
    const OnnxEncoderFamily *family = findOnnxEncoderFamily(config.modelType);
    OnnxGraph g(head ? "sentence_embedding" : "model", float16);
    const std::vector<OnnxDim> dims { std::string("batch_size"), std::string("sequence_length") };
    OnnxEncoderInputs inputs;
    inputs.inputIds = g.input("input_ids", onnx::TensorProto_DataType_INT64, dims);
    inputs.attentionMask = g.input("attention_mask", onnx::TensorProto_DataType_INT64, dims);
    if (config.takesTokenTypes())
        inputs.tokenTypeIds = g.input("token_type_ids", onnx::TensorProto_DataType_INT64, dims);
    const std::string tokens = family->build(g, *impl.transformer, inputs);
    if (head)
        g.output(onnxSentenceHead(g, impl, tokens, inputs.attentionMask), "sentence_embedding",
            onnx::TensorProto_DataType_FLOAT,
            { std::string("batch_size"), std::int64_t(impl.config.embeddingDimension()) });
    else
        g.output(tokens, "last_hidden_state", onnx::TensorProto_DataType_FLOAT,
            { std::string("batch_size"), std::string("sequence_length"), std::int64_t(config.hiddenSize) });

    onnx::ModelProto model;
    model.set_ir_version(kIrVersion);
    model.set_producer_name("Pairtune");
    // Pooling's include_prompt false leaves a prompt's tokens out of pooling, and the graph takes no prompt
    // length: it pools every token, as sentence-transformers does for a text encoded without a prompt.
    const std::string promptNote = head && !impl.config.pooling.includePrompt
        ? "; include_prompt is false but this graph pools every token: feed texts without the prompt"
        : "";
    model.set_doc_string(head ? "Sentence embeddings (" + impl.config.pooling.modeName()
                + " pooling, Dense and Normalize as the model folder lists them) from token ids" + promptNote
                              : "The transformer's last_hidden_state from token ids");
    onnx::OperatorSetIdProto *opset = model.add_opset_import();
    opset->set_domain("");
    opset->set_version(kOpset);
    *model.mutable_graph() = std::move(g.proto());
    return model;
}

void writeModel(const onnx::ModelProto &model, const fs::path &path)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out)
        throw Error("cannot create " + path.string() + ": " + std::strerror(errno), Error::Kind::Io);
    if (!model.SerializeToOstream(&out))
        throw Error("writing " + path.string() + " failed (disk full?)", Error::Kind::Io);
    out.close();
    if (!out)
        throw Error("writing " + path.string() + " failed (disk full?)", Error::Kind::Io);
}

} // namespace

std::string onnxUnsupportedReason(const SentenceModel &model)
{
    const SentenceModel::Impl &impl = model.impl();
    const TransformerConfig &config = impl.config.transformer;
    const OnnxEncoderFamily *family = findOnnxEncoderFamily(config.modelType);
    if (!family)
        return "model_type \"" + config.modelType + "\" has no ONNX export in Pairtune";
    if (family->check)
        if (std::string reason = family->check(config); !reason.empty())
            return reason;
    if (std::string reason = onnxPoolingUnsupportedReason(impl.config.pooling); !reason.empty())
        return reason;
    if (const std::uint64_t bytes = weightBytes(impl); bytes > kMaxWeightBytes)
        return "the model's float32 weights (" + std::to_string(bytes >> 20)
            + " MiB) exceed what one ONNX protobuf file holds (2 GiB); ONNX external data is not written";
    return "";
}

void writeOnnxModels(const SentenceModel &model, const std::string &folder, const OnnxExportOptions &options,
    const ExportCallbacks &callbacks)
{
    const fs::path dir = fs::path(folder) / "onnx";
    if (const std::string reason = onnxUnsupportedReason(model); !reason.empty())
        throw Error("cannot write " + dir.string() + ": " + reason);
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        throw Error("cannot create " + dir.string() + ": " + ec.message(), Error::Kind::Io);

    struct File
    {
        const char *name;
        bool head;
        bool float16;
    };
    std::vector<File> files { { "model.onnx", false, false }, { "sentence_embedding.onnx", true, false } };
    if (options.float16) {
        files.push_back({ "model_fp16.onnx", false, true });
        files.push_back({ "sentence_embedding_fp16.onnx", true, true });
    }
    for (std::size_t i = 0; i < files.size(); ++i) {
        callbacks.throwIfCancelled();
        const std::string what = std::string("writing onnx/") + files[i].name;
        callbacks.report(double(i) / double(files.size()), what);
        const onnx::ModelProto proto = buildModel(model.impl(), files[i].head, files[i].float16);
        try {
            onnx::checker::check_model(proto);
        } catch (const std::exception &e) {
            throw Error("internal: the ONNX graph for " + (dir / files[i].name).string()
                + " fails the ONNX checker: " + e.what());
        }
        callbacks.throwIfCancelled();
        writeModel(proto, dir / files[i].name);
    }
    callbacks.report(1.0, "onnx written");
}

} // namespace pairtune
