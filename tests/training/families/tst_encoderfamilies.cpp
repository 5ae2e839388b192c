// The encoder families' config.json layouts and weight names. Expected values are written from
// transformers' configuration classes (DistilBertConfig, RobertaConfig: their __init__ defaults and
// attribute_map) and module trees (DistilBertModel, RobertaModel), not from Pairtune's output.

#include "core/error.h"
#include "io/safetensors.h"
#include "model/encoderfamily.h"
#include "model/modelconfig.h"
#include "model/sentencemodel.h"

#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>
#include <fstream>
#include <set>
#include <string>

using nlohmann::json;
using pairtune::TransformerConfig;

namespace {

const std::string kVocab = std::string(PAIRTUNE_TEST_DATA_DIR) + "/bert-base-uncased-vocab.txt";

std::set<std::string> keysOf(const json &object)
{
    std::set<std::string> keys;
    for (const auto &[key, value] : object.items())
        keys.insert(key);
    return keys;
}

// The state_dict keys of a one-layer DistilBertModel (embeddings, transformer.layer.0: attention q/k/v/out
// linears, sa_layer_norm, ffn lin1/lin2, output_layer_norm; no token types, no pooler).
std::set<std::string> distilBertKeys()
{
    std::set<std::string> keys = { "embeddings.word_embeddings.weight",
        "embeddings.position_embeddings.weight", "embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias" };
    for (const char *module : { "attention.q_lin", "attention.k_lin", "attention.v_lin", "attention.out_lin",
             "sa_layer_norm", "ffn.lin1", "ffn.lin2", "output_layer_norm" })
        for (const char *tensor : { "weight", "bias" })
            keys.insert(std::string("transformer.layer.0.") + module + "." + tensor);
    return keys;
}

// The state_dict keys of a one-layer RobertaModel (BertModel's tree: token types, pooler).
std::set<std::string> robertaKeys()
{
    std::set<std::string> keys
        = { "embeddings.word_embeddings.weight", "embeddings.position_embeddings.weight",
              "embeddings.token_type_embeddings.weight", "embeddings.LayerNorm.weight",
              "embeddings.LayerNorm.bias", "pooler.dense.weight", "pooler.dense.bias" };
    for (const char *module :
        { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense",
            "attention.output.LayerNorm", "intermediate.dense", "output.dense", "output.LayerNorm" })
        for (const char *tensor : { "weight", "bias" })
            keys.insert(std::string("encoder.layer.0.") + module + "." + tensor);
    return keys;
}

} // namespace

class TestEncoderFamilies : public QObject
{
    Q_OBJECT

private slots:
    void familiesAreListed();
    void distilBertDefaults();
    void distilBertKeysMapOntoTheCommonFields();
    void distilBertWritesItsOwnKeys();
    void distilBertSinusoidalRoundTrips();
    void distilBertRefusals();
    void robertaDefaults();
    void createdModelsUseTheFamilyNames_data();
    void createdModelsUseTheFamilyNames();
};

void TestEncoderFamilies::familiesAreListed()
{
    for (const char *type : { "bert", "xlm-roberta", "roberta", "distilbert" }) {
        const pairtune::EncoderFamily *family = pairtune::findEncoderFamily(type);
        QVERIFY2(family, type);
        QVERIFY(pairtune::supportedModelTypes().find(std::string("\"") + type + "\"") != std::string::npos);
    }
    QCOMPARE(
        std::string(pairtune::findEncoderFamily("distilbert")->architecture), std::string("DistilBertModel"));
    QCOMPARE(
        std::string(pairtune::findEncoderFamily("distilbert")->weightPrefix), std::string("distilbert."));
    QCOMPARE(std::string(pairtune::findEncoderFamily("roberta")->architecture), std::string("RobertaModel"));
    QCOMPARE(std::string(pairtune::findEncoderFamily("roberta")->weightPrefix), std::string("roberta."));
    QVERIFY(!pairtune::findEncoderFamily("gpt2"));
    try {
        TransformerConfig::fromJson(json { { "model_type", "gpt2" } }, "config.json");
        QFAIL("gpt2 accepted");
    } catch (const pairtune::Error &e) {
        const std::string message = e.what();
        QVERIFY2(message.find("config.json") != std::string::npos, e.what());
        QVERIFY2(message.find("\"distilbert\"") != std::string::npos, e.what());
    }
}

// DistilBertConfig.__init__ defaults: vocab 30522, 512 positions, 6 layers, 12 heads, dim 768,
// hidden_dim 4 * 768, dropout 0.1, attention_dropout 0.1, gelu, initializer_range 0.02, pad 0.
void TestEncoderFamilies::distilBertDefaults()
{
    const TransformerConfig c = TransformerConfig::fromJson(json { { "model_type", "distilbert" } }, "c");
    QCOMPARE(c.vocabSize, 30522);
    QCOMPARE(c.maxPositionEmbeddings, 512);
    QCOMPARE(c.numHiddenLayers, 6);
    QCOMPARE(c.numAttentionHeads, 12);
    QCOMPARE(c.hiddenSize, 768);
    QCOMPARE(c.intermediateSize, 3072);
    QCOMPARE(c.hiddenDropoutProb, 0.1);
    QCOMPARE(c.attentionProbsDropoutProb, 0.1);
    QCOMPARE(c.hiddenAct, std::string("gelu"));
    QCOMPARE(c.initializerRange, 0.02);
    QCOMPARE(c.padTokenId, 0);
    QCOMPARE(c.layerNormEps, 1e-12); // every DistilBERT LayerNorm is built with eps=1e-12
    QCOMPARE(c.typeVocabSize, 0);
    QVERIFY(!c.takesTokenTypes());
    QVERIFY(!c.positionsFromPadding());
    QCOMPARE(c.usablePositions(), 512);
    QCOMPARE(c.architecture(), std::string("DistilBertModel"));
}

// sentence-transformers/msmarco-distilbert-base-v4's config.json, as its repo holds it.
void TestEncoderFamilies::distilBertKeysMapOntoTheCommonFields()
{
    const json file = json::parse(R"({
  "_name_or_path": "distilbert-base-uncased", "activation": "gelu", "architectures": ["DistilBertModel"],
  "attention_dropout": 0.1, "dim": 768, "dropout": 0.1, "hidden_dim": 3072, "initializer_range": 0.02,
  "max_position_embeddings": 512, "model_type": "distilbert", "n_heads": 12, "n_layers": 6,
  "pad_token_id": 0, "qa_dropout": 0.1, "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": false,
  "tie_weights_": true, "transformers_version": "4.7.0", "vocab_size": 30522 })");
    TransformerConfig c = TransformerConfig::fromJson(file, "c");
    QCOMPARE(c.hiddenSize, 768);
    QCOMPARE(c.numHiddenLayers, 6);
    const json small = json { { "model_type", "distilbert" }, { "dim", 48 }, { "n_layers", 3 },
        { "n_heads", 6 }, { "hidden_dim", 96 }, { "activation", "relu" }, { "dropout", 0.2 },
        { "attention_dropout", 0.3 }, { "max_position_embeddings", 128 }, { "vocab_size", 500 },
        { "pad_token_id", 3 } };
    c = TransformerConfig::fromJson(small, "c");
    QCOMPARE(c.hiddenSize, 48);
    QCOMPARE(c.numHiddenLayers, 3);
    QCOMPARE(c.numAttentionHeads, 6);
    QCOMPARE(c.intermediateSize, 96);
    QCOMPARE(c.hiddenAct, std::string("relu"));
    QCOMPARE(c.hiddenDropoutProb, 0.2);
    QCOMPARE(c.attentionProbsDropoutProb, 0.3);
    QCOMPARE(c.maxPositionEmbeddings, 128);
    QCOMPARE(c.vocabSize, 500);
    QCOMPARE(c.padTokenId, 3);
    // BERT's key names mean nothing to DistilBertConfig (its attribute_map goes the other way).
    c = TransformerConfig::fromJson(json { { "model_type", "distilbert" }, { "hidden_size", 64 } }, "c");
    QCOMPARE(c.hiddenSize, 768);
}

// save_pretrained writes DistilBertConfig's own attributes (no BERT names), sorted, with unknown keys kept.
void TestEncoderFamilies::distilBertWritesItsOwnKeys()
{
    json file = { { "model_type", "distilbert" }, { "dim", 48 }, { "n_layers", 3 }, { "n_heads", 6 },
        { "hidden_dim", 96 }, { "_name_or_path", "distilbert-base-uncased" }, { "tie_weights_", true },
        { "architectures", json::array({ "DistilBertForMaskedLM" }) }, { "dtype", "float32" } };
    const json out = TransformerConfig::fromJson(file, "c").toJson("float16");
    const std::set<std::string> expected = { "_name_or_path", "activation", "architectures",
        "attention_dropout", "dim", "dropout", "hidden_dim", "initializer_range", "max_position_embeddings",
        "model_type", "n_heads", "n_layers", "pad_token_id", "qa_dropout", "seq_classif_dropout",
        "sinusoidal_pos_embds", "tie_weights_", "torch_dtype", "transformers_version", "vocab_size" };
    QCOMPARE(keysOf(out), expected);
    QCOMPARE(out["architectures"], json::array({ "DistilBertModel" }));
    QCOMPARE(out["dim"].get<int>(), 48);
    QCOMPARE(out["n_layers"].get<int>(), 3);
    QCOMPARE(out["hidden_dim"].get<int>(), 96);
    QCOMPARE(out["torch_dtype"].get<std::string>(), std::string("float16"));
    QCOMPARE(out["sinusoidal_pos_embds"].get<bool>(), false);
    QCOMPARE(out["qa_dropout"].get<double>(), 0.1);
    QCOMPARE(out["seq_classif_dropout"].get<double>(), 0.2);
    // Read back: the same values.
    const TransformerConfig again = TransformerConfig::fromJson(out, "c");
    QCOMPARE(again.hiddenSize, 48);
    QCOMPARE(again.intermediateSize, 96);
    QCOMPARE(again.modelType, std::string("distilbert"));
}

// sinusoidal_pos_embds true (the fixed sin/cos position table) is read and written back.
void TestEncoderFamilies::distilBertSinusoidalRoundTrips()
{
    const TransformerConfig c = TransformerConfig::fromJson(
        json { { "model_type", "distilbert" }, { "sinusoidal_pos_embds", true } }, "c");
    QVERIFY(c.sinusoidalPositions);
    QCOMPARE(c.toJson("float32")["sinusoidal_pos_embds"].get<bool>(), true);
    QVERIFY(!TransformerConfig::fromJson(json { { "model_type", "distilbert" } }, "c").sinusoidalPositions);
}

void TestEncoderFamilies::distilBertRefusals()
{
    for (const json &bad : { json { { "model_type", "distilbert" }, { "activation", "silu" } },
             json { { "model_type", "distilbert" }, { "dim", 50 }, { "n_heads", 12 } },
             json { { "model_type", "distilbert" }, { "n_layers", "six" } } }) {
        try {
            TransformerConfig::fromJson(bad, "bad/config.json");
            QFAIL(qPrintable(QString::fromStdString("accepted: " + bad.dump())));
        } catch (const pairtune::Error &e) {
            QVERIFY2(std::string(e.what()).find("bad/config.json") != std::string::npos, e.what());
        }
    }
}

// RobertaConfig: BertConfig's keys with pad 1, bos 0, eos 2 (vocab 50265 in transformers 4.x's defaults).
void TestEncoderFamilies::robertaDefaults()
{
    const TransformerConfig c = TransformerConfig::fromJson(json { { "model_type", "roberta" } }, "c");
    QCOMPARE(c.vocabSize, 50265);
    QCOMPARE(c.padTokenId, 1);
    QCOMPARE(*c.bosTokenId, 0);
    QCOMPARE(*c.eosTokenId, 2);
    QVERIFY(!c.takesTokenTypes());
    QVERIFY(c.positionsFromPadding());
    // roberta-base: 514 positions, 512 usable (they count from pad_token_id + 1).
    const TransformerConfig base
        = TransformerConfig::fromJson(json { { "model_type", "roberta" }, { "max_position_embeddings", 514 },
                                          { "type_vocab_size", 1 }, { "layer_norm_eps", 1e-5 } },
            "c");
    QCOMPARE(base.usablePositions(), 512);
    const json out = base.toJson("float32");
    QCOMPARE(out["architectures"], json::array({ "RobertaModel" }));
    QCOMPARE(out["model_type"].get<std::string>(), std::string("roberta"));
    QCOMPARE(out["bos_token_id"].get<int>(), 0);
    QCOMPARE(out["eos_token_id"].get<int>(), 2);
    QCOMPARE(out["type_vocab_size"].get<int>(), 1);
    QVERIFY(out.contains("hidden_size") && !out.contains("dim"));
}

void TestEncoderFamilies::createdModelsUseTheFamilyNames_data()
{
    QTest::addColumn<QString>("arch");
    QTest::newRow("distilbert") << QStringLiteral("distilbert");
    QTest::newRow("roberta") << QStringLiteral("roberta");
}

// A created model saves under the family's base-model names, with the family's config.json.
void TestEncoderFamilies::createdModelsUseTheFamilyNames()
{
    QFETCH(QString, arch);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    pairtune::CreateOptions o;
    o.architecture = arch.toStdString();
    o.vocabPath = kVocab;
    o.layers = 1;
    o.hidden = 32;
    o.heads = 4;
    o.intermediate = 64;
    o.maxPositions = 64;
    o.maxSeqLength = 24;
    const pairtune::SentenceModel model = pairtune::SentenceModel::create(o);
    QCOMPARE(model.summary().architecture, arch.toStdString());
    const std::string folder = dir.filePath(QStringLiteral("m")).toStdString();
    model.save(folder);

    const pairtune::SafetensorsFile weights = pairtune::SafetensorsFile::open(folder + "/model.safetensors");
    std::set<std::string> names;
    for (const pairtune::TensorInfo &info : weights.tensors())
        names.insert(info.name);
    QCOMPARE(names, arch == QLatin1String("distilbert") ? distilBertKeys() : robertaKeys());

    std::ifstream in(folder + "/config.json");
    const json config = json::parse(in);
    QCOMPARE(config["model_type"].get<std::string>(), arch.toStdString());
    if (arch == QLatin1String("distilbert")) {
        QCOMPARE(config["architectures"], json::array({ "DistilBertModel" }));
        QCOMPARE(config["dim"].get<int>(), 32);
        QVERIFY(!config.contains("hidden_size") && !config.contains("type_vocab_size"));
        QCOMPARE(config["max_position_embeddings"].get<int>(), 64);
    } else {
        QCOMPARE(config["architectures"], json::array({ "RobertaModel" }));
        // positions count from pad_token_id + 1 ([PAD] = 0 in this WordPiece vocabulary)
        QCOMPARE(config["pad_token_id"].get<int>(), 0);
        QCOMPARE(config["max_position_embeddings"].get<int>(), 65);
        QCOMPARE(config["type_vocab_size"].get<int>(), 1);
    }

    // Reloaded, the model embeds exactly as the one in memory.
    const pairtune::SentenceModel loaded = pairtune::SentenceModel::load(folder);
    const std::vector<std::string> texts = { "a quiet harbour", "the bridge opens early; it is busy", "x" };
    const pairtune::Embeddings a = model.encode(texts, 2);
    const pairtune::Embeddings b = loaded.encode(texts, 3);
    QCOMPARE(a.values.size(), b.values.size());
    double diff = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i)
        diff = std::max(diff, double(std::abs(a.values[i] - b.values[i])));
    QVERIFY2(diff < 1e-6, qPrintable(QString::number(diff)));
}

QTEST_GUILESS_MAIN(TestEncoderFamilies)
#include "tst_encoderfamilies.moc"
