#include "export/onnxgraph.h"

#include "core/error.h"
#include "io/halffloat.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>

namespace pairtune {

namespace {

void setDims(onnx::ValueInfoProto &info, int elemType, const std::vector<OnnxDim> &dims)
{
    onnx::TypeProto_Tensor *tensor = info.mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(elemType);
    onnx::TensorShapeProto *shape = tensor->mutable_shape();
    for (const OnnxDim &dim : dims) {
        onnx::TensorShapeProto_Dimension *d = shape->add_dim();
        if (const auto *size = std::get_if<std::int64_t>(&dim))
            d->set_dim_value(*size);
        else
            d->set_dim_param(std::get<std::string>(dim));
    }
}

} // namespace

OnnxAttr OnnxAttr::integer(const std::string &name, std::int64_t value)
{
    OnnxAttr a;
    a.proto.set_name(name);
    a.proto.set_type(onnx::AttributeProto_AttributeType_INT);
    a.proto.set_i(value);
    return a;
}

OnnxAttr OnnxAttr::ints(const std::string &name, const std::vector<std::int64_t> &values)
{
    OnnxAttr a;
    a.proto.set_name(name);
    a.proto.set_type(onnx::AttributeProto_AttributeType_INTS);
    for (const std::int64_t v : values)
        a.proto.add_ints(v);
    return a;
}

OnnxAttr OnnxAttr::real(const std::string &name, float value)
{
    OnnxAttr a;
    a.proto.set_name(name);
    a.proto.set_type(onnx::AttributeProto_AttributeType_FLOAT);
    a.proto.set_f(value);
    return a;
}

OnnxAttr OnnxAttr::tensor(const std::string &name, const onnx::TensorProto &value)
{
    OnnxAttr a;
    a.proto.set_name(name);
    a.proto.set_type(onnx::AttributeProto_AttributeType_TENSOR);
    *a.proto.mutable_t() = value;
    return a;
}

OnnxGraph::OnnxGraph(const std::string &name, bool float16Weights)
    : m_float16(float16Weights)
{
    m_graph.set_name(name);
}

std::string OnnxGraph::fresh(const std::string &stem)
{
    return "/" + stem + "_" + std::to_string(m_counter++);
}

std::string OnnxGraph::input(const std::string &name, int elemType, const std::vector<OnnxDim> &dims)
{
    setDims(*m_graph.add_input(), elemType, dims);
    m_graph.mutable_input(m_graph.input_size() - 1)->set_name(name);
    return name;
}

void OnnxGraph::output(
    const std::string &value, const std::string &name, int elemType, const std::vector<OnnxDim> &dims)
{
    if (value != name) {
        onnx::NodeProto *n = m_graph.add_node();
        n->set_op_type("Identity");
        n->set_name(fresh("Identity"));
        n->add_input(value);
        n->add_output(name);
    }
    onnx::ValueInfoProto *info = m_graph.add_output();
    info->set_name(name);
    setDims(*info, elemType, dims);
}

std::string OnnxGraph::weight(
    const std::string &name, const float *data, const std::vector<std::int64_t> &dims)
{
    std::size_t count = 1;
    for (const std::int64_t d : dims)
        count *= std::size_t(d);
    onnx::TensorProto *t = m_graph.add_initializer();
    t->set_name(name);
    for (const std::int64_t d : dims)
        t->add_dims(d);
    if (!m_float16) {
        t->set_data_type(onnx::TensorProto_DataType_FLOAT);
        t->mutable_raw_data()->assign(reinterpret_cast<const char *>(data), count * sizeof(float));
        m_initializerBytes += count * sizeof(float);
        return name;
    }
    t->set_data_type(onnx::TensorProto_DataType_FLOAT16);
    std::string &raw = *t->mutable_raw_data();
    raw.resize(count * sizeof(std::uint16_t));
    for (std::size_t i = 0; i < count; ++i) {
        const std::uint16_t h = floatToHalf(data[i]);
        std::memcpy(raw.data() + i * sizeof h, &h, sizeof h);
    }
    m_initializerBytes += raw.size();
    return node("Cast", { name }, { OnnxAttr::integer("to", onnx::TensorProto_DataType_FLOAT) });
}

std::string OnnxGraph::constantFloats(const std::vector<float> &values, const std::vector<std::int64_t> &dims)
{
    onnx::TensorProto t;
    t.set_data_type(onnx::TensorProto_DataType_FLOAT);
    for (const std::int64_t d : dims)
        t.add_dims(d);
    t.mutable_raw_data()->assign(
        reinterpret_cast<const char *>(values.data()), values.size() * sizeof(float));
    return node("Constant", {}, { OnnxAttr::tensor("value", t) });
}

std::string OnnxGraph::scalar(float value)
{
    return constantFloats({ value }, {});
}

std::string OnnxGraph::constantInts(const std::vector<std::int64_t> &values)
{
    onnx::TensorProto t;
    t.set_data_type(onnx::TensorProto_DataType_INT64);
    t.add_dims(std::int64_t(values.size()));
    t.mutable_raw_data()->assign(
        reinterpret_cast<const char *>(values.data()), values.size() * sizeof(std::int64_t));
    return node("Constant", {}, { OnnxAttr::tensor("value", t) });
}

std::string OnnxGraph::scalarInt(std::int64_t value)
{
    onnx::TensorProto t;
    t.set_data_type(onnx::TensorProto_DataType_INT64);
    t.mutable_raw_data()->assign(reinterpret_cast<const char *>(&value), sizeof value);
    return node("Constant", {}, { OnnxAttr::tensor("value", t) });
}

std::vector<std::string> OnnxGraph::node(const std::string &opType, const std::vector<std::string> &inputs,
    int outputCount, const std::vector<OnnxAttr> &attributes)
{
    onnx::NodeProto *n = m_graph.add_node();
    n->set_op_type(opType);
    const std::string name = fresh(opType);
    n->set_name(name);
    for (const std::string &in : inputs)
        n->add_input(in);
    std::vector<std::string> outputs;
    for (int i = 0; i < outputCount; ++i) {
        outputs.push_back(name + "_output_" + std::to_string(i));
        n->add_output(outputs.back());
    }
    for (const OnnxAttr &a : attributes)
        *n->add_attribute() = a.proto;
    return outputs;
}

std::string OnnxGraph::node(const std::string &opType, const std::vector<std::string> &inputs,
    const std::vector<OnnxAttr> &attributes)
{
    return node(opType, inputs, 1, attributes).front();
}

std::string OnnxGraph::linear(const std::string &x, const std::string &weight, const std::string &bias)
{
    const std::string wT = node("Transpose", { weight }, { OnnxAttr::ints("perm", { 1, 0 }) });
    const std::string y = node("MatMul", { x, wT });
    return bias.empty() ? y : node("Add", { y, bias });
}

std::string OnnxGraph::layerNorm(
    const std::string &x, const std::string &scale, const std::string &bias, double epsilon)
{
    return node("LayerNormalization", { x, scale, bias },
        { OnnxAttr::integer("axis", -1), OnnxAttr::real("epsilon", float(epsilon)) });
}

bool OnnxGraph::supportsActivation(const std::string &hiddenAct)
{
    return hiddenAct == "gelu" || hiddenAct == "gelu_new" || hiddenAct == "gelu_pytorch_tanh"
        || hiddenAct == "relu" || hiddenAct == "silu" || hiddenAct == "swish";
}

std::string OnnxGraph::activation(const std::string &x, const std::string &hiddenAct)
{
    if (hiddenAct == "relu")
        return node("Relu", { x });
    if (hiddenAct == "silu" || hiddenAct == "swish")
        return node("Mul", { x, node("Sigmoid", { x }) });
    if (hiddenAct == "gelu") { // 0.5 x (1 + erf(x / sqrt 2))
        const std::string erf = node("Erf", { node("Div", { x, scalar(float(std::numbers::sqrt2)) }) });
        return node("Mul", { node("Mul", { x, scalar(0.5f) }), node("Add", { erf, scalar(1.0f) }) });
    }
    if (hiddenAct == "gelu_new" || hiddenAct == "gelu_pytorch_tanh") {
        // 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3)))
        const std::string cube = node("Mul", { node("Mul", { x, x }), x });
        const std::string inner = node("Mul",
            { node("Add", { x, node("Mul", { cube, scalar(0.044715f) }) }),
                scalar(float(std::sqrt(2.0 / std::numbers::pi))) });
        return node("Mul",
            { node("Mul", { x, scalar(0.5f) }), node("Add", { node("Tanh", { inner }), scalar(1.0f) }) });
    }
    throw Error("hidden_act \"" + hiddenAct + "\" has no ONNX form in Pairtune's export");
}

std::string OnnxGraph::maskColumn(const std::string &attentionMask)
{
    const std::string m
        = node("Cast", { attentionMask }, { OnnxAttr::integer("to", onnx::TensorProto_DataType_FLOAT) });
    return node("Unsqueeze", { m, constantInts({ -1 }) });
}

std::string OnnxGraph::additiveKeyMask(const std::string &attentionMask)
{
    const std::string m
        = node("Cast", { attentionMask }, { OnnxAttr::integer("to", onnx::TensorProto_DataType_FLOAT) });
    const std::string masked
        = node("Sub", { scalar(1.0f), node("Unsqueeze", { m, constantInts({ 1, 2 }) }) });
    return node("Mul", { masked, scalar(std::numeric_limits<float>::lowest()) });
}

std::string OnnxGraph::splitHeads(const std::string &x, int heads, int headDim)
{
    const std::string split = node("Reshape", { x, constantInts({ 0, 0, heads, headDim }) });
    return node("Transpose", { split }, { OnnxAttr::ints("perm", { 0, 2, 1, 3 }) });
}

std::string OnnxGraph::mergeHeads(const std::string &x, int heads, int headDim)
{
    const std::string t = node("Transpose", { x }, { OnnxAttr::ints("perm", { 0, 2, 1, 3 }) });
    return node("Reshape", { t, constantInts({ 0, 0, std::int64_t(heads) * headDim }) });
}

std::string OnnxGraph::attention(const std::string &q, const std::string &k, const std::string &v,
    const std::string &scoreBias, int heads, int headDim)
{
    const std::string qh = splitHeads(q, heads, headDim);
    const std::string kT
        = node("Transpose", { node("Reshape", { k, constantInts({ 0, 0, heads, headDim }) }) },
            { OnnxAttr::ints("perm", { 0, 2, 3, 1 }) });
    const std::string vh = splitHeads(v, heads, headDim);
    std::string scores
        = node("Div", { node("MatMul", { qh, kT }), scalar(float(std::sqrt(double(headDim)))) });
    if (!scoreBias.empty())
        scores = node("Add", { scores, scoreBias });
    const std::string probs = node("Softmax", { scores }, { OnnxAttr::integer("axis", -1) });
    return mergeHeads(node("MatMul", { probs, vh }), heads, headDim);
}

} // namespace pairtune
