// Every model-folder layout sentence-transformers 1.x-6.x and transformers 4.x-5.x write
// (docs/model-folders.md) loads and embeds exactly as the same weights in today's layout do. The
// golden folders in tests/data/layouts/ come from scripts/make_layout_fixtures.py, which writes one
// random model in each layout; variations that differ only in a JSON value are made here from copies.

#include "core/error.h"
#include "modeltesthelpers.h"
#include "processrun.h"

#include <QTemporaryDir>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>

using namespace pairtune;
using namespace modeltest;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string layout(const std::string &name)
{
    return std::string(PAIRTUNE_TEST_DATA_DIR) + "/layouts/" + name;
}

void replaceInFile(const std::string &path, const std::string &from, const std::string &to)
{
    std::string text = readAll(path);
    const auto at = text.find(from);
    QVERIFY2(at != std::string::npos, (path + ": no " + from).c_str());
    text.replace(at, from.size(), to);
    writeFileAtomic(path, text);
}

void writeJson(const std::string &path, const json &value)
{
    writeFileAtomic(path, value.dump(2));
}

// The modules.json of `folder` with only the Transformer and the Pooling (what a plain transformers
// folder means to SentenceTransformer: mean pooling, no Dense, no Normalize).
void keepTransformerAndPooling(const std::string &folder)
{
    json modules = json::parse(readAll(folder + "/modules.json"));
    modules.erase(modules.begin() + 2, modules.end());
    writeJson(folder + "/modules.json", modules);
}

using Edit = std::function<void(const std::string &folder)>;

} // namespace

Q_DECLARE_METATYPE(Edit)

class TestFolderLayouts : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();

    void goldenLayoutEmbedsLikeToday_data();
    void goldenLayoutEmbedsLikeToday();
    void st6FolderSummary();
    void plainFolderEmbedsLikeMeanPooling_data();
    void plainFolderEmbedsLikeMeanPooling();
    void editedLayoutEmbedsLikeToday_data();
    void editedLayoutEmbedsLikeToday();
    void legacyBertModuleLoadsWithWarning();
    void poolingModeListMatchesFlags();
    void refusedLayout_data();
    void refusedLayout();
    void exportOfNewLayoutUsesNamesEveryVersionLoads();
    void exportedDenseAlsoHasPytorchModelBin();
    void exportLoadsWithSentenceTransformers2Readers();

private:
    std::string copyOf(const std::string &name, const std::string &as)
    {
        const std::string to = m_dir.path().toStdString() + "/" + as;
        copyTree(layout(name), to);
        return to;
    }
    void expectSameEmbeddings(const std::string &folder, const Embeddings &reference)
    {
        const Embeddings e = SentenceModel::load(folder).encode(m_texts);
        const float diff = maxAbsDiff(e, reference);
        // Same float32 weights, same tokens, same code: the vectors are bit-identical.
        QVERIFY2(
            diff == 0.0f, qPrintable(QString("%1 differs from today/ by %2").arg(folder.c_str()).arg(diff)));
    }

    QTemporaryDir m_dir;
    std::vector<std::string> m_texts;
    Embeddings m_today; // today/: Transformer, mean Pooling, Dense (Tanh, 16), Normalize
    Embeddings m_meanPooled; // the same transformer with mean pooling only
};

void TestFolderLayouts::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_texts = sampleTexts();
    const SentenceModel today = SentenceModel::load(layout("today"));
    m_today = today.encode(m_texts);
    QCOMPARE(m_today.dim, std::size_t(16));
    const std::string meanOnly = copyOf("today", "mean-only");
    keepTransformerAndPooling(meanOnly);
    m_meanPooled = SentenceModel::load(meanOnly).encode(m_texts);
    QCOMPARE(m_meanPooled.dim, std::size_t(32));
    // The sample texts must reach past max_seq_length (24) and use real word pieces, or the checks
    // below would prove little.
    std::size_t longest = 0, unknown = 0, total = 0;
    for (const std::string &text : m_texts) {
        const Encoding enc = today.tokenizeForModel(text);
        longest = std::max(longest, enc.ids.size());
        for (const auto id : enc.ids)
            unknown += id == 1 ? 1 : 0;
        total += enc.ids.size();
    }
    QCOMPARE(longest, std::size_t(24));
    QVERIFY2(unknown * 4 < total, "most tokens of the sample texts should be in the fixture vocabulary");
}

void TestFolderLayouts::goldenLayoutEmbedsLikeToday_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("sentence-transformers 6 / transformers 5") << "st6";
    QTest::newRow("sentence-transformers 1.x save: 0_Transformer, pytorch_model.bin") << "st2-legacy";
    QTest::newRow("sharded safetensors") << "sharded";
    QTest::newRow("sharded pytorch_model.bin (transformers < 4.35)") << "sharded-bin";
    QTest::newRow("vocab.txt-only tokenizer") << "vocab-txt-only";
}

void TestFolderLayouts::goldenLayoutEmbedsLikeToday()
{
    QFETCH(QString, name);
    expectSameEmbeddings(layout(name.toStdString()), m_today);
}

void TestFolderLayouts::st6FolderSummary()
{
    // 5.4+ keep max_seq_length in tokenizer_config.json (model_max_length), not in
    // sentence_bert_config.json; the Dense and Normalize modules are found under their new paths.
    const ModelSummary s = SentenceModel::load(layout("st6")).summary();
    QCOMPARE(s.maxSeqLength, 24);
    QCOMPARE(s.pooling, std::string("mean"));
    QVERIFY(s.hasDense);
    QVERIFY(s.normalize);
    QCOMPARE(s.embeddingDimension, 16);
    QCOMPARE(s.vocabSize, std::size_t(300));
}

void TestFolderLayouts::plainFolderEmbedsLikeMeanPooling_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("warning");
    QTest::newRow("transformers 5 save_pretrained (dtype)") << "plain-transformers5"
                                                            << "no modules.json";
    QTest::newRow("transformers 4 BertForMaskedLM checkpoint, F16") << "plain-mlm-checkpoint"
                                                                    << "pooler";
}

void TestFolderLayouts::plainFolderEmbedsLikeMeanPooling()
{
    QFETCH(QString, name);
    QFETCH(QString, warning);
    WarningCollector warnings;
    expectSameEmbeddings(layout(name.toStdString()), m_meanPooled);
    QVERIFY2(warnings.contains(warning.toStdString()), qPrintable("no warning mentioning " + warning));
}

void TestFolderLayouts::editedLayoutEmbedsLikeToday_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<Edit>("edit");
    const std::string modules = "/modules.json";
    QTest::newRow("5.4-5.7 Normalize path, no Normalize config") << "st6" << Edit([=](const std::string &f) {
        replaceInFile(f + modules, "sentence_transformers.base.modules.normalize.Normalize",
            "sentence_transformers.sentence_transformer.modules.normalize.Normalize");
        fs::remove(f + "/3_Normalize/config.json");
    });
    QTest::newRow("package-level class names") << "st6" << Edit([=](const std::string &f) {
        replaceInFile(f + modules, "sentence_transformers.base.modules.transformer.Transformer",
            "sentence_transformers.sentence_transformer.modules.Transformer");
        replaceInFile(f + modules, "sentence_transformers.sentence_transformer.modules.pooling.Pooling",
            "sentence_transformers.sentence_transformer.modules.Pooling");
        replaceInFile(f + modules, "sentence_transformers.base.modules.dense.Dense",
            "sentence_transformers.base.modules.Dense");
    });
    QTest::newRow("module.Class names of the old package") << "today" << Edit([=](const std::string &f) {
        replaceInFile(f + modules, "sentence_transformers.models.Pooling\"",
            "sentence_transformers.models.Pooling.Pooling\"");
        replaceInFile(f + modules, "sentence_transformers.models.Dense\"",
            "sentence_transformers.models.Dense.Dense\"");
    });
    QTest::newRow("pooling_mode name with the legacy key (Pooling(pooling_mode=...), <= 5.3)")
        << "today" << Edit([](const std::string &f) {
               writeJson(f + "/1_Pooling/config.json",
                   json { { "word_embedding_dimension", 32 }, { "pooling_mode", "mean" },
                       { "pooling_mode_cls_token", true } });
           });
    QTest::newRow("embedding_dimension wins over word_embedding_dimension")
        << "st6" << Edit([](const std::string &f) {
               writeJson(f + "/1_Pooling/config.json",
                   json { { "embedding_dimension", 32 }, { "word_embedding_dimension", 7 },
                       { "pooling_mode", json::array({ "mean" }) } });
           });
    QTest::newRow("activation given as torch.nn.Tanh") << "today" << Edit([](const std::string &f) {
        replaceInFile(f + "/2_Dense/config.json", "torch.nn.modules.activation.Tanh", "torch.nn.Tanh");
    });
    QTest::newRow("config.json with both dtype and torch_dtype") << "st6" << Edit([](const std::string &f) {
        replaceInFile(f + "/config.json", "\"dtype\": \"float32\"",
            "\"dtype\": \"float32\",\n  \"torch_dtype\": \"float16\"");
    });
    QTest::newRow("config_sentence_transformers.json without model_type (2.x)")
        << "today" << Edit([](const std::string &f) {
               writeJson(f + "/config_sentence_transformers.json",
                   json { { "__version__",
                       { { "sentence_transformers", "2.2.2" }, { "transformers", "4.8.2" },
                           { "pytorch", "1.9.0" } } } });
           });
    QTest::newRow("sentence_bert_config.json under a 0.x name") << "today" << Edit([](const std::string &f) {
        fs::rename(f + "/sentence_bert_config.json", f + "/sentence_xlm-roberta_config.json");
    });
}

void TestFolderLayouts::editedLayoutEmbedsLikeToday()
{
    QFETCH(QString, base);
    QFETCH(Edit, edit);
    const std::string folder = copyOf(base.toStdString(), QTest::currentDataTag());
    edit(folder);
    expectSameEmbeddings(folder, m_today);
}

void TestFolderLayouts::legacyBertModuleLoadsWithWarning()
{
    // sentence-transformers 0.x named the module after the architecture ("0_BERT",
    // sentence_transformers.models.BERT) around the files a Transformer module reads.
    const std::string folder = copyOf("st2-legacy", "st0-bert");
    fs::rename(folder + "/0_Transformer", folder + "/0_BERT");
    replaceInFile(folder + "/modules.json", "\"0_Transformer\"", "\"0_BERT\"");
    replaceInFile(folder + "/modules.json", "sentence_transformers.models.Transformer",
        "sentence_transformers.models.BERT");
    WarningCollector warnings;
    expectSameEmbeddings(folder, m_today);
    QVERIFY(warnings.contains("sentence_transformers.models.BERT"));
}

void TestFolderLayouts::poolingModeListMatchesFlags()
{
    // 5.4+ write several modes as a list; up to 5.3 the same pooling is a set of flags.
    const std::string list = copyOf("st6", "pooling-list");
    writeJson(list + "/1_Pooling/config.json",
        json { { "embedding_dimension", 32 }, { "pooling_mode", json::array({ "cls", "mean" }) },
            { "include_prompt", true } });
    const std::string flags = copyOf("today", "pooling-flags");
    replaceInFile(flags + "/1_Pooling/config.json", "\"pooling_mode_cls_token\": false",
        "\"pooling_mode_cls_token\": true");
    // Drop the Dense (its weights are for 32 inputs) and compare the pooled vectors directly.
    for (const std::string &f : { list, flags }) {
        json modules = json::parse(readAll(f + "/modules.json"));
        modules.erase(modules.begin() + 2);
        writeJson(f + "/modules.json", modules);
    }
    const Embeddings a = SentenceModel::load(list).encode(m_texts);
    const Embeddings b = SentenceModel::load(flags).encode(m_texts);
    QCOMPARE(a.dim, std::size_t(64));
    QCOMPARE(maxAbsDiff(a, b), 0.0f);
}

void TestFolderLayouts::refusedLayout_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<Edit>("edit");
    QTest::addColumn<QStringList>("mustMention");
    const Edit none = [](const std::string &) {};
    QTest::newRow("unknown sentence-transformers module")
        << "today" << Edit([](const std::string &f) {
               replaceInFile(f + "/modules.json", "sentence_transformers.models.Dense",
                   "sentence_transformers.models.LSTM");
           })
        << QStringList { "sentence_transformers.models.LSTM", "not supported", "Transformer", "Pooling",
               "Dense", "Normalize" };
    QTest::newRow("custom module code") << "st6" << Edit([](const std::string &f) {
        replaceInFile(f + "/modules.json",
            "sentence_transformers.sentence_transformer.modules.pooling.Pooling", "custom_pooling.MyPooling");
    }) << QStringList { "custom_pooling.MyPooling", "custom code", "trust_remote_code" };
    QTest::newRow("custom modelling code (auto_map)") << "st6" << Edit([](const std::string &f) {
        replaceInFile(f + "/config.json", "\"architectures\"",
            "\"auto_map\": {\"AutoModel\": \"modeling_bert.JinaBertModel\"},\n  \"architectures\"");
    }) << QStringList { "config.json", "auto_map", "trust_remote_code" };
    QTest::newRow("pooling_mode list in another order") << "st6" << Edit([](const std::string &f) {
        writeJson(f + "/1_Pooling/config.json",
            json { { "embedding_dimension", 32 }, { "pooling_mode", json::array({ "mean", "cls" }) } });
    }) << QStringList { "1_Pooling/config.json", "pooling_mode", "order" };
    QTest::newRow("a CrossEncoder's transformer_task") << "st6" << Edit([](const std::string &f) {
        replaceInFile(f + "/sentence_bert_config.json", "feature-extraction", "sequence-classification");
    }) << QStringList { "sentence_bert_config.json", "sequence-classification", "CrossEncoder" };
    QTest::newRow("Dense on token embeddings") << "st6" << Edit([](const std::string &f) {
        replaceInFile(f + "/2_Dense/config.json", "\"module_input_name\": \"sentence_embedding\"",
            "\"module_input_name\": \"token_embeddings\"");
    }) << QStringList { "2_Dense/config.json", "module_input_name" };
    QTest::newRow("Normalize of token embeddings") << "st6" << Edit([](const std::string &f) {
        replaceInFile(f + "/3_Normalize/config.json", "\"module_input_name\": \"sentence_embedding\"",
            "\"module_input_name\": \"token_embeddings\"");
    }) << QStringList { "3_Normalize/config.json", "module_input_name" };
    QTest::newRow("pytorch_model.bin in the pre-1.6 format")
        << "refused-legacy-pickle" << none
        << QStringList { "pytorch_model.bin", "legacy format", "safe_serialization=True" };
    QTest::newRow("pytorch_model.bin that pickles a function call")
        << "refused-code-pickle" << none << QStringList { "pytorch_model.bin", "print", "runs no code" };
    QTest::newRow("truncated pytorch_model.bin") << "st2-legacy" << Edit([](const std::string &f) {
        const std::string path = f + "/0_Transformer/pytorch_model.bin";
        const std::string bytes = readAll(path);
        writeFileAtomic(path, bytes.substr(0, bytes.size() / 2));
    }) << QStringList { "0_Transformer/pytorch_model.bin", "damaged", "SentenceTransformer(p).save(p)" };
    QTest::newRow("shard index pointing outside the folder") << "sharded" << Edit([](const std::string &f) {
        replaceInFile(f + "/model.safetensors.index.json", "\"model-00001-of-00002.safetensors\"",
            "\"../today/model.safetensors\"");
    }) << QStringList { "model.safetensors.index.json", "../today/model.safetensors" };
}

void TestFolderLayouts::refusedLayout()
{
    QFETCH(QString, base);
    QFETCH(Edit, edit);
    QFETCH(QStringList, mustMention);
    const std::string folder = copyOf(base.toStdString(), QTest::currentDataTag());
    edit(folder);
    try {
        SentenceModel::load(folder);
        QFAIL("load() accepted the folder");
    } catch (const Error &e) {
        const QString message = QString::fromUtf8(e.what());
        for (const QString &needle : mustMention)
            QVERIFY2(message.contains(needle), qPrintable("\"" + needle + "\" not in: " + message));
    }
}

void TestFolderLayouts::exportOfNewLayoutUsesNamesEveryVersionLoads()
{
    // Saving a model read from a 6.x folder writes the names and keys sentence-transformers 2.x
    // reads and 6.x still maps (util/deprecated_import.py): sentence_transformers.models.*, the
    // pooling flags with word_embedding_dimension, transformers 4's torch_dtype.
    const std::string out = m_dir.path().toStdString() + "/exported";
    SentenceModel::load(layout("st6")).save(out);
    const json modules = json::parse(readAll(out + "/modules.json"));
    QCOMPARE(modules.size(), std::size_t(4));
    const char *expected[]
        = { "sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
              "sentence_transformers.models.Dense", "sentence_transformers.models.Normalize" };
    for (std::size_t i = 0; i < 4; ++i)
        QCOMPARE(modules[i]["type"].get<std::string>(), std::string(expected[i]));
    const json pooling = json::parse(readAll(out + "/1_Pooling/config.json"));
    QCOMPARE(pooling["word_embedding_dimension"].get<int>(), 32);
    QVERIFY(pooling["pooling_mode_mean_tokens"].get<bool>());
    QVERIFY(!pooling.contains("embedding_dimension") && !pooling.contains("pooling_mode"));
    const json config = json::parse(readAll(out + "/config.json"));
    QCOMPARE(config["torch_dtype"].get<std::string>(), std::string("float32"));
    QVERIFY(!config.contains("dtype"));
    const json sbert = json::parse(readAll(out + "/sentence_bert_config.json"));
    QCOMPARE(sbert["max_seq_length"].get<int>(), 24);
    expectSameEmbeddings(out, m_today);
}

void TestFolderLayouts::exportedDenseAlsoHasPytorchModelBin()
{
    // sentence-transformers 2.x-3.0.0 read 2_Dense/pytorch_model.bin only: the export writes it next
    // to model.safetensors, and a folder with only the .bin embeds the same.
    const std::string out = m_dir.path().toStdString() + "/exported-dense";
    SentenceModel::load(layout("today")).save(out);
    QVERIFY(fs::exists(out + "/2_Dense/model.safetensors"));
    QVERIFY(fs::exists(out + "/2_Dense/pytorch_model.bin"));
    fs::remove(out + "/2_Dense/model.safetensors");
    expectSameEmbeddings(out, m_today);
}

void TestFolderLayouts::exportLoadsWithSentenceTransformers2Readers()
{
    // What sentence-transformers 2.0 does with an exported folder's modules, in Debian's Python:
    // Pooling(**config) with 2.0's signature (models/Pooling.py at v2.0.0), and Dense.load's
    // torch.load + load_state_dict into a Linear named "linear" (models/Dense.py at v2.0.0), whose
    // values must equal the ones in model.safetensors.
    const QString python = testrun::python();
    const QString missing = testrun::torchMissing();
    if (!missing.isEmpty())
        QSKIP(qPrintable(missing + QStringLiteral(": needed to check the export with torch.load")));
    const std::string out = m_dir.path().toStdString() + "/exported-for-2x";
    SentenceModel::load(layout("st6")).save(out);
    const QString script = QStringLiteral(R"PY(
import json, struct, sys
import numpy as np, torch
d = sys.argv[1]
def pooling_2_0(word_embedding_dimension, pooling_mode=None, pooling_mode_cls_token=False,
                pooling_mode_max_tokens=False, pooling_mode_mean_tokens=True,
                pooling_mode_mean_sqrt_len_tokens=False):
    return pooling_mode_mean_tokens
assert pooling_2_0(**json.load(open(d + "/1_Pooling/config.json")))
config = json.load(open(d + "/2_Dense/config.json"))
module = torch.nn.Module()
module.linear = torch.nn.Linear(config["in_features"], config["out_features"], bias=config["bias"])
module.load_state_dict(torch.load(d + "/2_Dense/pytorch_model.bin", map_location=torch.device("cpu")))
raw = open(d + "/2_Dense/model.safetensors", "rb").read()
n = struct.unpack("<Q", raw[:8])[0]
header = json.loads(raw[8:8 + n])
for name, info in header.items():
    if name == "__metadata__":
        continue
    a, b = info["data_offsets"]
    stored = np.frombuffer(raw[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"])
    assert np.array_equal(stored, module.state_dict()[name].numpy()), name
print("ok")
)PY");
    const QStringList args { QStringLiteral("-c"), script, QString::fromStdString(out) };
    const testrun::RunResult result = testrun::run(python, args, 120000);
    QVERIFY2(result.code == 0 && result.out.trimmed() == "ok", qPrintable(result.describe(python, args)));
}

QTEST_GUILESS_MAIN(TestFolderLayouts)
#include "tst_folderlayouts.moc"
