#pragma once

// Export-private (includes the ONNX protobuf classes, never torch): a small builder for the ONNX graphs
// the exports write (onnxexport.h). Values are named strings, as in ONNX itself; every method that makes a
// node returns the name of its (first) output. Weights go in as initializers under the Hugging Face names
// the weight files use ("encoder.layer.0.attention.self.query.weight"); with float16 weights the
// initializer is float16 and one Cast gives the float32 value the graph computes with (onnxruntime folds
// it once when it loads the model), so the arithmetic stays float32.
//
// A family's encoder graph is a function of onnxencoders.h; the composite helpers here (linear,
// layerNorm, activation, attention) are the pieces every family shares.

#include <cstdint>
#include <initializer_list>
#include <onnx/onnx_pb.h>
#include <string>
#include <variant>
#include <vector>

namespace pairtune {

// One node attribute: OnnxAttr::ints("perm", {0, 2, 1, 3}), OnnxAttr::integer("axis", 1), ...
struct OnnxAttr
{
    onnx::AttributeProto proto;

    static OnnxAttr integer(const std::string &name, std::int64_t value);
    static OnnxAttr ints(const std::string &name, const std::vector<std::int64_t> &values);
    static OnnxAttr real(const std::string &name, float value);
    static OnnxAttr tensor(const std::string &name, const onnx::TensorProto &value);
};

// A dimension of a graph input or output: a fixed size or a symbolic name ("batch_size").
using OnnxDim = std::variant<std::int64_t, std::string>;

class OnnxGraph
{
public:
    // float16Weights: weight() stores float16 initializers (see above).
    OnnxGraph(const std::string &name, bool float16Weights);

    onnx::GraphProto &proto() { return m_graph; }
    bool float16Weights() const { return m_float16; }

    // Graph inputs and outputs; elemType is onnx::TensorProto_DataType_INT64, ..._FLOAT.
    std::string input(const std::string &name, int elemType, const std::vector<OnnxDim> &dims);
    // Makes value the graph output `name` (an Identity node when the names differ).
    void output(
        const std::string &value, const std::string &name, int elemType, const std::vector<OnnxDim> &dims);

    // A float32 value holding a model weight, stored under name (float16 initializer + Cast with
    // float16Weights). data: row-major, dims as the weight file has them ([out, in] for a Linear).
    std::string weight(const std::string &name, const float *data, const std::vector<std::int64_t> &dims);
    // Constants: always stored as written (float32 / int64), named after the node that uses them.
    std::string constantFloats(const std::vector<float> &values, const std::vector<std::int64_t> &dims);
    std::string scalar(float value); // a float32 scalar (shape [])
    std::string constantInts(const std::vector<std::int64_t> &values); // 1-D int64
    std::string scalarInt(std::int64_t value); // int64 scalar (shape [])

    // A node with the given inputs ("" = an omitted optional input) and one output; returns its name.
    std::string node(const std::string &opType, const std::vector<std::string> &inputs,
        const std::vector<OnnxAttr> &attributes = {});
    // A node with several outputs.
    std::vector<std::string> node(const std::string &opType, const std::vector<std::string> &inputs,
        int outputCount, const std::vector<OnnxAttr> &attributes);

    // --- Composites shared by the encoder families (all float32 values) ---

    // x [..., in] times a Linear's weight [out, in] (Transpose of the stored weight, folded once by the
    // runtime) plus bias ("" = none): torch's F.linear.
    std::string linear(const std::string &x, const std::string &weight, const std::string &bias);
    // LayerNormalization over the last axis.
    std::string layerNorm(
        const std::string &x, const std::string &scale, const std::string &bias, double epsilon);
    // transformers' ACT2FN for hidden_act: "gelu" (erf: 0.5 x (1 + erf(x / sqrt 2))), "gelu_new" /
    // "gelu_pytorch_tanh" (tanh form), "relu", "silu". Throws pairtune::Error for any other name.
    std::string activation(const std::string &x, const std::string &hiddenAct);
    static bool supportsActivation(const std::string &hiddenAct);
    // Additive attention mask [B, 1, 1, L] from an int64 attention_mask [B, L]: 0 where attended,
    // float32's lowest value where masked (transformers' get_extended_attention_mask).
    std::string additiveKeyMask(const std::string &attentionMask);
    // The mask as float32 [B, L, 1] (1 = real token), for zeroing padding rows and pooling.
    std::string maskColumn(const std::string &attentionMask);
    // Multi-head scaled dot-product attention. q, k, v: [B, L, heads * headDim]; scoreBias: added to the
    // scores [B, heads, L, L] before the softmax (broadcastable: additiveKeyMask's [B, 1, 1, L], or a
    // family's own mask / relative position bias; "" = none). Returns the context [B, L, heads * headDim].
    std::string attention(const std::string &q, const std::string &k, const std::string &v,
        const std::string &scoreBias, int heads, int headDim);
    // [B, L, heads * headDim] <-> [B, heads, L, headDim].
    std::string splitHeads(const std::string &x, int heads, int headDim);
    std::string mergeHeads(const std::string &x, int heads, int headDim);

    // Bytes of the initializers so far (protobuf's 2 GB limit).
    std::uint64_t initializerBytes() const { return m_initializerBytes; }

private:
    std::string fresh(const std::string &stem);

    onnx::GraphProto m_graph;
    bool m_float16 = false;
    int m_counter = 0;
    std::uint64_t m_initializerBytes = 0;
};

} // namespace pairtune
