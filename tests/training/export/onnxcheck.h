#pragma once

// What the ONNX suites (tst_onnxexport, tst_onnxarchitectures) share: an exported file read back and put
// through ONNX's own checker and strict shape inference, and the inputs and output that
// sentence-transformers' backend="onnx" and Transformers.js look for. Header-only; the suites are built
// with ONNX_NAMESPACE=onnx ONNX_ML=1, which libonnx-dev's headers need.

#include <QtCore/QString>
#include <QtCore/QStringList>
#include <QtTest/QtTest>

#include <exception>
#include <fstream>
#include <onnx/checker.h>
#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <set>
#include <string>

namespace pairtune::onnxcheck {

// The file parsed; an empty proto (no graph) when it cannot be read.
inline onnx::ModelProto readModel(const std::string &path)
{
    onnx::ModelProto model;
    std::ifstream in(path, std::ios::binary);
    if (!in || !model.ParseFromIstream(&in))
        model.Clear();
    return model;
}

// "" when onnx::checker::check_model and strict shape inference (a node whose inputs do not fit its
// operator's schema at the model's opset throws) both accept the file, else the path and what they said.
inline QString checkFailure(const std::string &path)
{
    try {
        onnx::checker::check_model(path);
        onnx::ModelProto proto = readModel(path);
        if (!proto.has_graph())
            return QString::fromStdString(path + ": no ONNX graph could be read");
        const onnx::ShapeInferenceOptions strict(/*check_type=*/true, /*error_mode=*/1,
            /*enable_data_propagation=*/true);
        onnx::shape_inference::InferShapes(proto, onnx::OpSchemaRegistry::Instance(), strict);
    } catch (const std::exception &e) {
        return QString::fromStdString(path + ": " + e.what());
    }
    return {};
}

// "batch_size" / "sequence_length" for symbolic dimensions, the number for fixed ones.
inline QStringList dims(const onnx::ValueInfoProto &value)
{
    QStringList out;
    for (const onnx::TensorShapeProto_Dimension &d : value.type().tensor_type().shape().dim())
        out << (d.has_dim_param() ? QString::fromStdString(d.dim_param()) : QString::number(d.dim_value()));
    return out;
}

inline std::set<std::string> initializerNames(const onnx::GraphProto &graph)
{
    std::set<std::string> names;
    for (const onnx::TensorProto &t : graph.initializer())
        names.insert(t.name());
    return names;
}

// The graph of file (model*.onnx or sentence_embedding*.onnx) takes exactly these inputs, int64
// [batch_size, sequence_length], and gives one float32 output: last_hidden_state [batch_size,
// sequence_length, hidden] or sentence_embedding [batch_size, dimension]. A mismatch fails the running
// test function; the caller returns when QTest::currentTestFailed().
inline void checkSignature(
    const onnx::GraphProto &graph, const QString &file, const QStringList &inputs, int hidden, int dimension)
{
    QStringList names;
    for (const onnx::ValueInfoProto &input : graph.input()) {
        names << QString::fromStdString(input.name());
        QCOMPARE(input.type().tensor_type().elem_type(), int(onnx::TensorProto_DataType_INT64));
        QCOMPARE(dims(input), QStringList({ "batch_size", "sequence_length" }));
    }
    QCOMPARE(names, inputs);
    QCOMPARE(graph.output_size(), 1);
    const onnx::ValueInfoProto &output = graph.output(0);
    QCOMPARE(output.type().tensor_type().elem_type(), int(onnx::TensorProto_DataType_FLOAT));
    if (file.startsWith(QLatin1String("model"))) {
        QCOMPARE(QString::fromStdString(output.name()), QStringLiteral("last_hidden_state"));
        QCOMPARE(dims(output), QStringList({ "batch_size", "sequence_length", QString::number(hidden) }));
    } else {
        QCOMPARE(QString::fromStdString(output.name()), QStringLiteral("sentence_embedding"));
        QCOMPARE(dims(output), QStringList({ "batch_size", QString::number(dimension) }));
    }
}

} // namespace pairtune::onnxcheck
