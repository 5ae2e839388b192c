// The ONNX graphs of the BERT-shaped families (training/export/onnxbert.cpp, onnxpooling.cpp,
// onnxexport.cpp), checked with ONNX's own tools: every file writeOnnxModels writes for tiny created
// BERT, DistilBERT, RoBERTa and XLM-RoBERTa models passes onnx::checker::check_model and strict shape
// inference at opset 17, has the inputs, outputs, dtypes and dynamic dimensions sentence-transformers'
// backend="onnx" and Transformers.js look for, and holds the model's weights under the names of its
// safetensors files (float16 ones rounded from them). Writing failures (a file where the onnx folder goes,
// a full disk) and a stop give clear errors. That the graphs compute what `pairtune-cli embed` computes is
// checked by running them in onnxruntime (tests/exports).

#include "core/error.h"
#include "export/onnxexport.h"
#include "io/halffloat.h"
#include "io/safetensors.h"
#include "model/sentencemodel.h"
#include "onnxcheck.h"
#include "text/sentencepiecetrainer.h"

#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

using namespace pairtune;
using namespace pairtune::onnxcheck;
namespace fs = std::filesystem;

namespace {

const char *const kFiles[]
    = { "model.onnx", "sentence_embedding.onnx", "model_fp16.onnx", "sentence_embedding_fp16.onnx" };

// Every tensor of a safetensors file as float32, by name.
std::map<std::string, std::vector<float>> readWeights(const std::string &path, const std::string &prefix = "")
{
    const SafetensorsFile file = SafetensorsFile::open(path);
    std::map<std::string, std::vector<float>> out;
    for (const TensorInfo &t : file.tensors())
        out[prefix + t.name] = file.toFloat32(t);
    return out;
}

std::vector<float> initializerValues(const onnx::TensorProto &t)
{
    std::vector<float> out;
    const std::string &raw = t.raw_data();
    if (t.data_type() == onnx::TensorProto_DataType_FLOAT) {
        out.resize(raw.size() / sizeof(float));
        std::memcpy(out.data(), raw.data(), raw.size());
    } else if (t.data_type() == onnx::TensorProto_DataType_FLOAT16) {
        for (std::size_t i = 0; i + 1 < raw.size(); i += 2) {
            std::uint16_t h;
            std::memcpy(&h, raw.data() + i, 2);
            out.push_back(halfToFloat(h));
        }
    }
    return out;
}

} // namespace

class TestOnnxExport : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void graphsPassOnnxChecks_data();
    void graphsPassOnnxChecks();
    void initializersHoldTheWeights_data();
    void initializersHoldTheWeights();
    void everyPoolingModeIsWritten();
    void aFileWhereTheFolderGoesIsAnIoError();
    void aFullDiskIsAnIoErrorNamingTheFile();
    void aStopIsACancel();

private:
    // A created model saved and loaded back (what an export works on), its folder in m_scratch.
    std::string makeModel(const std::string &name, CreateOptions options);

    QTemporaryDir m_scratch;
    std::map<std::string, std::string> m_folders; // name -> model folder with onnx/ written
};

std::string TestOnnxExport::makeModel(const std::string &name, CreateOptions options)
{
    if (options.vocabPath.empty() && options.spmPath.empty() && options.tokenizerPath.empty())
        options.vocabPath = PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt";
    options.layers = 2;
    options.hidden = 32;
    options.heads = 4;
    options.intermediate = 64;
    options.maxPositions = 64;
    options.maxSeqLength = 32;
    const std::string folder = m_scratch.filePath(QString::fromStdString(name)).toStdString();
    SentenceModel::create(options).save(folder);
    return folder;
}

void TestOnnxExport::initTestCase()
{
    QVERIFY(m_scratch.isValid());
    CreateOptions bert;
    bert.architecture = "bert";
    bert.pooling = "cls";
    bert.denseOut = 16; // a Dense head (Tanh), then Normalize
    m_folders["bert"] = makeModel("bert", bert);

    CreateOptions distil;
    distil.architecture = "distilbert";
    distil.pooling = "weightedmean";
    distil.sinusoidalPositions = true;
    distil.normalize = false;
    m_folders["distilbert"] = makeModel("distilbert", distil);

    CreateOptions roberta; // byte-level BPE: pad id 1, positions from 2
    roberta.architecture = "roberta";
    roberta.tokenizerPath = PAIRTUNE_TEST_DATA_DIR "/text_bpe/roberta";
    roberta.pooling = "max";
    m_folders["roberta"] = makeModel("roberta", roberta);

#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    // (Sanitizer builds cannot isolate the sentencepiece shim from LibTorch: tst_sentencemodel's note.)
    const std::string corpus = m_scratch.filePath(QStringLiteral("corpus.txt")).toStdString();
    {
        std::ofstream out(corpus);
        for (int copy = 0; copy < 20; ++copy)
            out << "a quiet harbour at dawn " << copy << "\nthe bridge opens early; it is busy " << copy
                << "\nboats, nets and gulls over the water " << copy << "\n";
    }
    CreateOptions xlmr;
    xlmr.architecture = "xlm-roberta";
    xlmr.spmPath = m_scratch.filePath(QStringLiteral("xlmr.model")).toStdString();
    trainSentencePiece(corpus, xlmr.spmPath, 120);
    xlmr.pooling = "mean_sqrt_len_tokens";
    xlmr.denseOut = 8;
    xlmr.normalize = false;
    m_folders["xlm-roberta"] = makeModel("xlm-roberta", xlmr);
#endif

    for (const auto &[name, folder] : m_folders) {
        const SentenceModel model = SentenceModel::load(folder);
        QCOMPARE(onnxUnsupportedReason(model), std::string());
        writeOnnxModels(model, folder, OnnxExportOptions { true }, {});
    }
}

void TestOnnxExport::graphsPassOnnxChecks_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("file");
    for (const auto &[name, folder] : m_folders)
        for (const char *file : kFiles)
            QTest::newRow((name + "/" + file).c_str()) << QString::fromStdString(name) << QString(file);
}

// ONNX's checker and strict shape inference accept the file; the inputs and outputs are the ones the
// consumers look for, with symbolic batch and sequence axes.
void TestOnnxExport::graphsPassOnnxChecks()
{
    QFETCH(QString, model);
    QFETCH(QString, file);
    const std::string folder = m_folders.at(model.toStdString());
    const std::string path = folder + "/onnx/" + file.toStdString();
    const QString failure = checkFailure(path);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const onnx::ModelProto proto = readModel(path);
    QCOMPARE(proto.ir_version(), 8);
    QCOMPARE(proto.opset_import_size(), 1);
    QCOMPARE(proto.opset_import(0).version(), 17);

    const ModelSummary summary = SentenceModel::load(folder).summary();
    QStringList inputs { "input_ids", "attention_mask" };
    if (model == QLatin1String("bert"))
        inputs << "token_type_ids";
    checkSignature(proto.graph(), file, inputs, summary.hidden, summary.embeddingDimension);
}

void TestOnnxExport::initializersHoldTheWeights_data()
{
    graphsPassOnnxChecks_data();
}

// The initializers are the safetensors' tensors under the same names (Dense ones as
// "<module>.linear.weight"), all of them but BERT's pooler, which sentence embeddings never use: equal in
// float32, rounded to the nearest float16 in the _fp16 files.
void TestOnnxExport::initializersHoldTheWeights()
{
    QFETCH(QString, model);
    QFETCH(QString, file);
    const std::string folder = m_folders.at(model.toStdString());
    const onnx::ModelProto proto = readModel(folder + "/onnx/" + file.toStdString());
    const bool float16 = file.contains(QLatin1String("fp16"));
    const bool head = file.startsWith(QLatin1String("sentence_embedding"));

    std::map<std::string, std::vector<float>> weights;
    for (auto &[name, values] : readWeights(folder + "/model.safetensors"))
        if (name.rfind("pooler.", 0) != 0)
            weights[name] = values;
    if (head)
        for (const auto &entry : fs::directory_iterator(folder))
            if (entry.path().filename().string().find("_Dense") != std::string::npos)
                for (auto &[name, values] : readWeights((entry.path() / "model.safetensors").string(),
                         entry.path().filename().string() + "."))
                    weights[name] = values;
    QVERIFY(weights.size() > 10);

    std::set<std::string> names;
    for (const onnx::TensorProto &t : proto.graph().initializer()) {
        names.insert(t.name());
        QCOMPARE(t.data_type(),
            float16 ? int(onnx::TensorProto_DataType_FLOAT16) : int(onnx::TensorProto_DataType_FLOAT));
        const auto it = weights.find(t.name());
        QVERIFY2(it != weights.end(), t.name().c_str());
        const std::vector<float> values = initializerValues(t);
        QCOMPARE(values.size(), it->second.size());
        for (std::size_t i = 0; i < values.size(); ++i) {
            const float want = it->second[i];
            // float16 keeps 11 significant bits: half a unit in the last place, or the subnormal step.
            const double tolerance = float16
                ? std::max(std::abs(double(want)) * std::ldexp(1.0, -11), std::ldexp(1.0, -25))
                : 0.0;
            if (std::abs(double(values[i]) - double(want)) > tolerance)
                QFAIL(qPrintable(QStringLiteral("%1[%2]: %3 in the graph, %4 in the weights")
                                     .arg(QString::fromStdString(t.name()))
                                     .arg(i)
                                     .arg(values[i])
                                     .arg(want)));
        }
    }
    std::set<std::string> expected;
    for (const auto &[name, values] : weights)
        expected.insert(name);
    QCOMPARE(names, expected);
    if (model == QLatin1String("bert"))
        QVERIFY(names.count(head ? "2_Dense.linear.weight" : "encoder.layer.1.output.LayerNorm.bias"));
}

// Every pooling mode Pairtune computes, all at once (concatenated as Pooling.forward does): the graph is
// valid and its output has the concatenated width.
void TestOnnxExport::everyPoolingModeIsWritten()
{
    CreateOptions options;
    options.pooling = "cls+mean+max+mean_sqrt_len_tokens+weightedmean+lasttoken";
    const std::string folder = makeModel("allmodes", options);
    const SentenceModel model = SentenceModel::load(folder);
    writeOnnxModels(model, folder, {}, {});
    QVERIFY(!fs::exists(folder + "/onnx/model_fp16.onnx"));
    const std::string path = folder + "/onnx/sentence_embedding.onnx";
    const QString failure = checkFailure(path);
    QVERIFY2(failure.isEmpty(), qPrintable(failure));
    const onnx::ModelProto proto = readModel(path);
    QCOMPARE(dims(proto.graph().output(0)), QStringList({ "batch_size", QString::number(6 * 32) }));
    QCOMPARE(model.summary().embeddingDimension, 6 * 32);
}

void TestOnnxExport::aFileWhereTheFolderGoesIsAnIoError()
{
    const std::string folder = m_scratch.filePath(QStringLiteral("blocked")).toStdString();
    fs::create_directories(folder);
    std::ofstream(folder + "/onnx") << "not a folder";
    const SentenceModel model = SentenceModel::load(m_folders.at("bert"));
    try {
        writeOnnxModels(model, folder, {}, {});
        QFAIL("no error");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), Error::Kind::Io);
        QVERIFY2(std::string(e.what()).find(folder + "/onnx") != std::string::npos, e.what());
    }
}

// /dev/full accepts the open and fails every write with ENOSPC: the disk-full path, for real.
void TestOnnxExport::aFullDiskIsAnIoErrorNamingTheFile()
{
    if (!fs::exists("/dev/full"))
        QSKIP("no /dev/full on this system");
    const std::string folder = m_scratch.filePath(QStringLiteral("full")).toStdString();
    fs::create_directories(folder + "/onnx");
    fs::create_symlink("/dev/full", folder + "/onnx/sentence_embedding.onnx");
    const SentenceModel model = SentenceModel::load(m_folders.at("bert"));
    try {
        writeOnnxModels(model, folder, {}, {});
        QFAIL("no error");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), Error::Kind::Io);
        const std::string message = e.what();
        QVERIFY2(message.find(folder + "/onnx/sentence_embedding.onnx") != std::string::npos, e.what());
        QVERIFY2(message.find("disk full") != std::string::npos, e.what());
    }
}

void TestOnnxExport::aStopIsACancel()
{
    const std::string folder = m_scratch.filePath(QStringLiteral("stopped")).toStdString();
    fs::create_directories(folder);
    const SentenceModel model = SentenceModel::load(m_folders.at("bert"));
    ExportCallbacks callbacks;
    int reports = 0;
    callbacks.progress = [&](double, const std::string &) { ++reports; };
    callbacks.cancelled = [&] { return reports >= 2; }; // after the first file, before the second
    try {
        writeOnnxModels(model, folder, OnnxExportOptions { true }, callbacks);
        QFAIL("no stop");
    } catch (const Error &e) {
        QCOMPARE(e.kind(), Error::Kind::Cancelled);
    }
    QVERIFY(fs::exists(folder + "/onnx/model.onnx"));
    QVERIFY(!fs::exists(folder + "/onnx/model_fp16.onnx"));
}

QTEST_GUILESS_MAIN(TestOnnxExport)
#include "tst_onnxexport.moc"
