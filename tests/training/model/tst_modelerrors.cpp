// SentenceModel::load on broken folders: every failure is a pairtune::Error whose message names the
// problem well enough to act on.

#include "core/error.h"
#include "io/safetensors.h"
#include "modeltesthelpers.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <functional>

using namespace pairtune;
using namespace modeltest;
namespace fs = std::filesystem;

namespace {

void replaceInFile(const std::string &path, const std::string &from, const std::string &to)
{
    std::string text = readAll(path);
    const auto at = text.find(from);
    QVERIFY2(at != std::string::npos, from.c_str());
    text.replace(at, from.size(), to);
    writeFileAtomic(path, text);
}

// Rewrites model.safetensors through keep(name) -> false drops a tensor.
void rewriteWeights(const std::string &folder, const std::function<bool(const std::string &)> &keep)
{
    const std::string path = folder + "/model.safetensors";
    const std::string bytes = readAll(path);
    const SafetensorsFile original = SafetensorsFile::fromBytes(bytes, path);
    std::vector<TensorToWrite> tensors;
    for (const TensorInfo &t : original.tensors())
        if (keep(t.name))
            tensors.push_back(TensorToWrite { t.name, t.dtype, t.shape, original.bytes(t) });
    writeSafetensors(path, tensors, { { "format", "pt" } });
}

} // namespace

class TestModelErrors : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void loadFails_data();
    void loadFails();

private:
    QTemporaryDir m_dir;
    std::string m_base;
};

void TestModelErrors::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_base = m_dir.path().toStdString() + "/base";
    SentenceModel::create(tinyBert("mean", true, 16)).save(m_base);
    SentenceModel::load(m_base); // the unbroken folder loads
}

using Breaker = std::function<void(const std::string &folder)>;
Q_DECLARE_METATYPE(Breaker)

void TestModelErrors::loadFails_data()
{
    QTest::addColumn<Breaker>("breakFolder");
    QTest::addColumn<QStringList>("mustMention");

    QTest::newRow("missing folder") << Breaker([](const std::string &f) { fs::remove_all(f); })
                                    << QStringList { "does not exist" };
    QTest::newRow("not a folder") << Breaker([](const std::string &f) {
        fs::remove_all(f);
        writeFileAtomic(f, "just a file");
    }) << QStringList { "not a folder" };
    QTest::newRow("no config.json") << Breaker([](const std::string &f) { fs::remove(f + "/config.json"); })
                                    << QStringList { "config.json", "missing" };
    QTest::newRow("config.json not JSON") << Breaker([](const std::string &f) {
        writeFileAtomic(f + "/config.json", "{\"model_type\": \"bert\",\n  oops}");
    }) << QStringList { "config.json:2" };
    QTest::newRow("unsupported model_type") << Breaker([](const std::string &f) {
        replaceInFile(f + "/config.json", "\"model_type\": \"bert\"", "\"model_type\": \"gpt2\"");
    }) << QStringList { "gpt2", "bert", "xlm-roberta" };
    QTest::newRow("unsupported hidden_act") << Breaker([](const std::string &f) {
        replaceInFile(f + "/config.json", "\"hidden_act\": \"gelu\"", "\"hidden_act\": \"swish\"");
    }) << QStringList { "swish" };
    QTest::newRow("relative positions") << Breaker([](const std::string &f) {
        replaceInFile(f + "/config.json", "\"absolute\"", "\"relative_key\"");
    }) << QStringList { "relative_key" };
    QTest::newRow("heads do not divide hidden") << Breaker([](const std::string &f) {
        replaceInFile(f + "/config.json", "\"num_attention_heads\": 4", "\"num_attention_heads\": 5");
    }) << QStringList { "num_attention_heads" };
    QTest::newRow("pytorch_model.bin only") << Breaker([](const std::string &f) {
        fs::remove(f + "/model.safetensors");
        writeFileAtomic(f + "/pytorch_model.bin", "PK\x03\x04 not really a zip");
    }) << QStringList { "pytorch_model.bin", "safe_serialization=True", "SentenceTransformer(p).save(p)" };
    QTest::newRow("no weights at all")
        << Breaker([](const std::string &f) { fs::remove(f + "/model.safetensors"); })
        << QStringList { "model.safetensors", "missing" };
    QTest::newRow("shape mismatch") << Breaker([](const std::string &f) {
        replaceInFile(f + "/config.json", "\"intermediate_size\": 64", "\"intermediate_size\": 48");
    }) << QStringList { "encoder.layer.0.intermediate.dense.bias", "[64]", "[48]" };
    QTest::newRow("vocab_size mismatch") << Breaker([](const std::string &f) {
        replaceInFile(f + "/config.json", "\"vocab_size\": 30522", "\"vocab_size\": 40000");
    }) << QStringList { "embeddings.word_embeddings.weight", "[30522, 32]", "[40000, 32]" };
    QTest::newRow("missing tensor") << Breaker([](const std::string &f) {
        rewriteWeights(f, [](const std::string &n) { return n != "encoder.layer.1.output.dense.bias"; });
    }) << QStringList { "missing", "encoder.layer.1.output.dense.bias" };
    QTest::newRow("integer weights") << Breaker([](const std::string &f) {
        const std::string path = f + "/model.safetensors";
        const std::string bytes = readAll(path);
        const SafetensorsFile original = SafetensorsFile::fromBytes(bytes, path);
        std::vector<TensorToWrite> tensors;
        for (const TensorInfo &t : original.tensors())
            tensors.push_back(TensorToWrite {
                t.name, t.name == "pooler.dense.bias" ? DType::I32 : t.dtype, t.shape, original.bytes(t) });
        writeSafetensors(path, tensors, { { "format", "pt" } });
    }) << QStringList { "pooler.dense.bias", "F32" };
    QTest::newRow("truncated safetensors") << Breaker([](const std::string &f) {
        const std::string bytes = readAll(f + "/model.safetensors");
        writeFileAtomic(f + "/model.safetensors", bytes.substr(0, bytes.size() / 2));
    }) << QStringList { "model.safetensors" };
    QTest::newRow("modules.json not JSON")
        << Breaker([](const std::string &f) { writeFileAtomic(f + "/modules.json", "[{\"idx\": 0,"); })
        << QStringList { "modules.json" };
    QTest::newRow("modules.json not a list")
        << Breaker([](const std::string &f) { writeFileAtomic(f + "/modules.json", "{\"idx\": 0}"); })
        << QStringList { "modules.json", "list" };
    QTest::newRow("unknown module type") << Breaker([](const std::string &f) {
        replaceInFile(
            f + "/modules.json", "sentence_transformers.models.Normalize", "my_package.models.Fancy");
    }) << QStringList { "my_package.models.Fancy", "not supported" };
    QTest::newRow("modules out of order") << Breaker([](const std::string &f) {
        replaceInFile(f + "/modules.json", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Normalize");
    }) << QStringList { "modules.json", "Transformer, Pooling" };
    QTest::newRow("pooling config missing")
        << Breaker([](const std::string &f) { fs::remove(f + "/1_Pooling/config.json"); })
        << QStringList { "1_Pooling/config.json" };
    QTest::newRow("pooling without dimension") << Breaker([](const std::string &f) {
        writeFileAtomic(f + "/1_Pooling/config.json", R"({"pooling_mode_mean_tokens": true})");
    }) << QStringList { "word_embedding_dimension" };
    QTest::newRow("pooling dimension mismatch") << Breaker([](const std::string &f) {
        replaceInFile(f + "/1_Pooling/config.json", "\"word_embedding_dimension\": 32",
            "\"word_embedding_dimension\": 31");
    }) << QStringList { "word_embedding_dimension", "hidden_size" };
    QTest::newRow("dense activation") << Breaker([](const std::string &f) {
        replaceInFile(f + "/2_Dense/config.json", "torch.nn.modules.activation.Tanh",
            "torch.nn.modules.activation.ReLU");
    }) << QStringList { "ReLU", "2_Dense/config.json" };
    QTest::newRow("dense in_features") << Breaker([](const std::string &f) {
        replaceInFile(f + "/2_Dense/config.json", "\"in_features\": 32", "\"in_features\": 33");
    }) << QStringList { "in_features", "2_Dense" };
    QTest::newRow("dense weights only as .bin") << Breaker([](const std::string &f) {
        fs::rename(f + "/2_Dense/model.safetensors", f + "/2_Dense/pytorch_model.bin");
    }) << QStringList { "2_Dense/pytorch_model.bin", "SentenceTransformer(p).save(p)" };
    QTest::newRow("dense bias missing") << Breaker([](const std::string &f) {
        const std::string path = f + "/2_Dense/model.safetensors";
        const std::string bytes = readAll(path);
        const SafetensorsFile original = SafetensorsFile::fromBytes(bytes, path);
        const TensorInfo *w = original.find("linear.weight");
        writeSafetensors(path, { TensorToWrite { w->name, w->dtype, w->shape, original.bytes(*w) } }, {});
    }) << QStringList { "linear.bias", "2_Dense" };
    QTest::newRow("unknown similarity") << Breaker([](const std::string &f) {
        replaceInFile(f + "/config_sentence_transformers.json", "\"cosine\"", "\"jaccard\"");
    }) << QStringList { "jaccard", "config_sentence_transformers.json" };
    QTest::newRow("no tokenizer") << Breaker([](const std::string &f) {
        for (const char *name :
            { "tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json" })
            fs::remove(f + "/" + name);
    }) << QStringList { "tokenizer" };
}

void TestModelErrors::loadFails()
{
    QFETCH(Breaker, breakFolder);
    QFETCH(QStringList, mustMention);
    const std::string folder = m_dir.path().toStdString() + "/" + QTest::currentDataTag();
    copyTree(m_base, folder);
    breakFolder(folder);
    try {
        SentenceModel::load(folder);
        QFAIL("load() accepted a broken folder");
    } catch (const Error &e) {
        const QString message = QString::fromUtf8(e.what());
        for (const QString &needle : mustMention)
            QVERIFY2(message.contains(needle), qPrintable("\"" + needle + "\" not in: " + message));
    }
}

QTEST_GUILESS_MAIN(TestModelErrors)
#include "tst_modelerrors.moc"
