// The ONNX graphs of the MPNet and ModernBERT families (training/export/onnxmpnet.cpp,
// onnxmodernbert.cpp), checked with ONNX's own tools: every file writeOnnxModels produces for a model of
// each family passes onnx::checker::check_model and strict shape inference (every node's inputs fit its
// operator's schema at opset 17), has the inputs and outputs sentence-transformers' backend="onnx" and
// Transformers.js look for, the family's weights under their Hugging Face names and nothing that family
// does not compute (MPNet's pooler, ModernBERT's layer 0 attn_norm, biases its config turns off).
// That the graphs compute what `pairtune-cli embed` computes is checked by running them in onnxruntime
// (tests/exports).

#include "encoderreferencecheck.h"
#include "export/onnxexport.h"
#include "model/sentencemodel.h"
#include "onnxcheck.h"

#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <set>
#include <string>

using namespace pairtune;
using namespace pairtune::encodercheck;
using namespace pairtune::onnxcheck;

namespace {

const QString kMPNet = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/mpnet/tiny-mpnet");
const QString kModernBert = QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/modernbert/tiny-modernbert");

} // namespace

class TestOnnxArchitectures : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void graphsPassOnnxChecks_data();
    void graphsPassOnnxChecks();

private:
    QTemporaryDir m_scratch;
};

void TestOnnxArchitectures::initTestCase()
{
    QVERIFY(m_scratch.isValid());
}

void TestOnnxArchitectures::graphsPassOnnxChecks_data()
{
    // A model folder, or "make-modernbert-folder ARGS" / "make-mpnet-folder ARGS": one of reference.py's
    // independent makers.
    QTest::addColumn<QString>("folder");
    QTest::addColumn<int>("hidden");
    QTest::addColumn<int>("dimension");
    QTest::addColumn<QStringList>("present"); // initializers the graph must hold
    QTest::addColumn<QStringList>("absent"); // and must not

    QTest::newRow("mpnet fixture") << kMPNet << 32 << 32
                                   << QStringList { "embeddings.word_embeddings.weight",
                                          "embeddings.position_embeddings.weight",
                                          "embeddings.LayerNorm.bias",
                                          "encoder.relative_attention_bias.weight",
                                          "encoder.layer.1.attention.attn.q.weight",
                                          "encoder.layer.1.output.LayerNorm.weight" }
                                   << QStringList { "pooler.dense.weight" };
    QTest::newRow("modernbert fixture")
        << kModernBert << 32 << 32
        << QStringList { "embeddings.tok_embeddings.weight", "embeddings.norm.weight",
               "layers.0.attn.Wqkv.weight", "layers.1.attn_norm.weight", "layers.2.mlp.Wi.weight",
               "final_norm.weight" }
        << QStringList { "layers.0.attn_norm.weight", "layers.0.attn.Wqkv.bias", "final_norm.bias" };
    QTest::newRow("modernbert biases 2 globals cls")
        << QStringLiteral("make-modernbert-folder --biases --layers 4 --global-every 2 --hidden 48 --heads 6 "
                          "--pooling cls --seed 3")
        << 48 << 48
        << QStringList { "layers.3.attn.Wqkv.bias", "layers.3.attn.Wo.bias", "layers.3.mlp.Wi.bias",
               "layers.3.mlp.Wo.bias", "layers.3.mlp_norm.bias", "final_norm.bias" }
        << QStringList { "layers.0.attn_norm.weight", "layers.0.attn_norm.bias" };
    // Every layer global: no local layer, so no window and no local rotary table.
    QTest::newRow("modernbert all global gelu_new")
        << QStringLiteral("make-modernbert-folder --layers 2 --global-every 1 --hidden-act gelu_new --seed 4")
        << 32 << 32 << QStringList { "layers.1.attn_norm.weight", "layers.1.mlp.Wo.weight" }
        << QStringList { "layers.2.attn.Wqkv.weight" };
    QTest::newRow("mpnet F16 64-bucket table max relu")
        << QStringLiteral(
               "make-mpnet-folder --dtype F16 --buckets 64 --pooling max --hidden-act relu --seed 5")
        << 32 << 32
        << QStringList { "encoder.relative_attention_bias.weight", "encoder.layer.1.output.dense.bias" }
        << QStringList { "pooler.dense.weight" };
}

void TestOnnxArchitectures::graphsPassOnnxChecks()
{
    QFETCH(QString, folder);
    QFETCH(int, hidden);
    QFETCH(int, dimension);
    QFETCH(QStringList, present);
    QFETCH(QStringList, absent);

    const QString tag
        = QString::fromLatin1(QTest::currentDataTag()).replace(QLatin1Char(' '), QLatin1Char('-'));
    if (folder.startsWith(QLatin1String("make-"))) {
        const QString missing = torchMissing();
        if (!missing.isEmpty())
            QSKIP(qPrintable(missing));
        const QString made = m_scratch.filePath(QStringLiteral("made-") + tag);
        QStringList makeArgs = folder.split(QLatin1Char(' '));
        const QString maker = makeArgs.takeFirst();
        RUN_OK(python(),
            QStringList({ kReference, maker, QStringLiteral("--out"), made, QStringLiteral("--vocab-file"),
                kVocab, QStringLiteral("--words"), QStringLiteral("1000") })
                + makeArgs);
        folder = made;
    }
    const QString out = m_scratch.filePath(tag);
    QVERIFY(QDir().mkpath(out));
    const SentenceModel model = SentenceModel::load(folder.toStdString());
    QCOMPARE(QString::fromStdString(onnxUnsupportedReason(model)), QString());
    OnnxExportOptions options;
    options.float16 = true;
    writeOnnxModels(model, out.toStdString(), options, {});

    for (const QString file : { "model", "sentence_embedding", "model_fp16", "sentence_embedding_fp16" }) {
        const QString path = out + QStringLiteral("/onnx/") + file + QStringLiteral(".onnx");
        const QString failure = checkFailure(path.toStdString());
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        const onnx::ModelProto proto = readModel(path.toStdString());
        const onnx::GraphProto &graph = proto.graph();
        // Neither family takes token types: exactly input_ids and attention_mask.
        checkSignature(graph, file, { "input_ids", "attention_mask" }, hidden, dimension);
        if (QTest::currentTestFailed())
            return;

        const std::set<std::string> names = initializerNames(graph);
        for (const QString &name : present)
            QVERIFY2(names.count(name.toStdString()), qPrintable(path + QStringLiteral(" lacks ") + name));
        for (const QString &name : absent)
            QVERIFY2(!names.count(name.toStdString()), qPrintable(path + QStringLiteral(" holds ") + name));
        // The _fp16 files store the weights as float16 (the arithmetic stays float32).
        const int weightType = file.endsWith(QLatin1String("fp16")) ? onnx::TensorProto_DataType_FLOAT16
                                                                    : onnx::TensorProto_DataType_FLOAT;
        for (const onnx::TensorProto &t : graph.initializer())
            if (t.name() == present.first().toStdString())
                QCOMPARE(t.data_type(), weightType);
    }
}

QTEST_GUILESS_MAIN(TestOnnxArchitectures)
#include "tst_onnxarchitectures.moc"
