// MPNet's config.json branch (torch-free): MPNetConfig's keys and class defaults, what save_pretrained
// writes for an MPNetModel, and the values MPNetModel cannot compute refused with the key named.

#include "core/error.h"
#include "io/jsonfile.h"
#include "model/modelconfig.h"

#include <QtTest>

#include <string>

using nlohmann::json;
using namespace pairtune;

class TestMPNetConfig : public QObject
{
    Q_OBJECT

private slots:
    void readsTheFixture();
    void classDefaults();
    void writesMPNetConfig();
    void refusesWhatMPNetCannotCompute();
};

void TestMPNetConfig::readsTheFixture()
{
    const std::string path = PAIRTUNE_TEST_DATA_DIR "/mpnet/tiny-mpnet/config.json";
    const TransformerConfig c = TransformerConfig::fromJson(readJsonFile(path), path);
    QCOMPARE(c.modelType, std::string("mpnet"));
    QCOMPARE(c.hiddenSize, 32);
    QCOMPARE(c.numHiddenLayers, 2);
    QCOMPARE(c.relativeAttentionNumBuckets, 32);
    QCOMPARE(c.maxPositionEmbeddings, 514);
    QCOMPARE(c.usablePositions(), 512); // positions count from padding_idx 1 + 1
    QCOMPARE(c.layerNormEps, 1e-5);
    QVERIFY(!c.takesTokenTypes());
    QCOMPARE(c.architecture(), std::string("MPNetModel"));
}

void TestMPNetConfig::classDefaults()
{
    // MPNetConfig.__init__: vocab 30527, eps 1e-12, 32 buckets, pad 1, bos 0, eos 2.
    const TransformerConfig c = TransformerConfig::fromJson(json { { "model_type", "mpnet" } }, "c.json");
    QCOMPARE(c.vocabSize, 30527);
    QCOMPARE(c.layerNormEps, 1e-12);
    QCOMPARE(c.relativeAttentionNumBuckets, 32);
    QCOMPARE(c.padTokenId, 1);
    QCOMPARE(c.bosTokenId.value_or(-1), 0);
    QCOMPARE(c.eosTokenId.value_or(-1), 2);
}

void TestMPNetConfig::writesMPNetConfig()
{
    const std::string path = PAIRTUNE_TEST_DATA_DIR "/mpnet/tiny-mpnet/config.json";
    const json out = TransformerConfig::fromJson(readJsonFile(path), path).toJson("float32");
    QCOMPARE(out.at("architectures"), json::array({ "MPNetModel" }));
    QCOMPARE(out.at("model_type").get<std::string>(), std::string("mpnet"));
    QCOMPARE(out.at("relative_attention_num_buckets").get<int>(), 32);
    QCOMPARE(out.at("pad_token_id").get<int>(), 1);
    QCOMPARE(out.at("_name_or_path").get<std::string>(), std::string("microsoft/mpnet-base")); // kept
    for (const char *bertOnly : { "type_vocab_size", "position_embedding_type" })
        QVERIFY2(!out.contains(bertOnly), bertOnly);
    // Read back, it is the same configuration.
    const TransformerConfig again = TransformerConfig::fromJson(out, "out.json");
    QCOMPARE(again.toJson("float32"), out);
}

void TestMPNetConfig::refusesWhatMPNetCannotCompute()
{
    const auto message = [](const json &config) -> std::string {
        try {
            TransformerConfig::fromJson(config, "c.json");
        } catch (const Error &e) {
            return e.what();
        }
        return {};
    };
    const std::string pad = message(json { { "model_type", "mpnet" }, { "pad_token_id", 0 } });
    QVERIFY2(pad.find("pad_token_id") != std::string::npos && pad.find("c.json") != std::string::npos,
        pad.c_str());
    const std::string buckets
        = message(json { { "model_type", "mpnet" }, { "relative_attention_num_buckets", 16 } });
    QVERIFY2(buckets.find("relative_attention_num_buckets") != std::string::npos, buckets.c_str());
    QVERIFY(message(json { { "model_type", "mpnet" }, { "relative_attention_num_buckets", 64 } }).empty());
}

QTEST_GUILESS_MAIN(TestMPNetConfig)
#include "tst_mpnetconfig.moc"
