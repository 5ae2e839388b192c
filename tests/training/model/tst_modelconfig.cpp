// The torch-free side of the model module: config parsing with Python's defaults, folder reading,
// and the Python string operations encode() applies before tokenizing.

#include "core/error.h"
#include "io/fileutil.h"
#include "model/modelconfig.h"
#include "model/modelfolder.h"
#include "model/pythontext.h"
#include "text/utf8.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace pairtune;
using nlohmann::json;
namespace fs = std::filesystem;

class TestModelConfig : public QObject
{
    Q_OBJECT

private slots:
    void pythonStripAndLength();
    void pythonLower();
    void poolingDefaults();
    void poolingSingleModeOverride();
    void poolingModesParse();
    void transformerConfigDefaults();
    void transformerConfigWriteKeepsUnknownKeys();
    void sentenceTransformersConfig();
    void maxSeqLengthWithoutSentenceBertConfig_data();
    void maxSeqLengthWithoutSentenceBertConfig();
    void legacyLayout();
};

void TestModelConfig::pythonStripAndLength()
{
    QCOMPARE(pythonStrip("  hello world \t\n"), std::string("hello world"));
    // U+00A0, U+3000, U+2009 and U+001C are Python whitespace; U+200B (zero width space) is not.
    QCOMPARE(pythonStrip("\u00a0\u3000x y\u2009\x1c"), std::string("x y"));
    QCOMPARE(pythonStrip("\u200bx"), std::string("\u200bx"));
    QCOMPARE(pythonStrip(" \t "), std::string());
    // Every code point for which Python 3.11's str.isspace() is true (listed by running it over all of
    // Unicode), and neighbours for which it is false (U+001B, U+180E, U+200B, U+FEFF).
    for (char32_t c : { 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
             0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200A, 0x2028,
             0x2029, 0x202F, 0x205F, 0x3000 })
        QCOMPARE(pythonStrip(encodeUtf8(std::u32string { c, U'x', c })), std::string("x"));
    for (char32_t c : { 0x1B, 0x180E, 0x200B, 0xFEFF }) {
        const std::string text = encodeUtf8(std::u32string { c, U'x' });
        QCOMPARE(pythonStrip(text), text);
    }
    QCOMPARE(pythonLength("héllo"), std::size_t(5));
    QCOMPARE(pythonLength("日本語"), std::size_t(3));
    QCOMPARE(pythonLength("😀a"), std::size_t(2));
}

void TestModelConfig::pythonLower()
{
    QCOMPARE(pairtune::pythonLower("HeLLo ÀÉÎ"), std::string("hello àéî"));
    QCOMPARE(pairtune::pythonLower("İ"), std::string("i\u0307")); // full mapping, two code points
    QCOMPARE(pairtune::pythonLower("ΟΔΟΣ"), std::string("οδο\u03c2")); // final sigma
    QCOMPARE(pairtune::pythonLower("ΣΑ"), std::string("\u03c3α")); // not final
    QCOMPARE(pairtune::pythonLower("Σ"), std::string("\u03c3")); // alone: not final
    QCOMPARE(pairtune::pythonLower("ΑΣ'Β"), std::string("α\u03c3'β")); // cased letter follows
    QCOMPARE(pairtune::pythonLower("ДОМ"), std::string("дом"));
}

void TestModelConfig::poolingDefaults()
{
    // An old 5-key file and one with only the dimension: mean pooling is on by default.
    const PoolingConfig p = PoolingConfig::fromJson(json { { "word_embedding_dimension", 384 } }, "p.json");
    QVERIFY(p.meanTokens);
    QVERIFY(!p.clsToken && !p.maxTokens && !p.meanSqrtLenTokens && !p.weightedMeanTokens && !p.lastToken);
    QVERIFY(p.includePrompt);
    QCOMPARE(p.outputDimension(), 384);
    const PoolingConfig cls = PoolingConfig::fromJson(
        json { { "word_embedding_dimension", 8 }, { "pooling_mode_cls_token", true },
            { "pooling_mode_mean_tokens", false } },
        "p.json");
    QCOMPARE(cls.modeName(), std::string("cls"));
    QVERIFY_THROWS_EXCEPTION(
        Error, PoolingConfig::fromJson(json { { "pooling_mode_mean_tokens", true } }, "p.json"));
    QVERIFY_THROWS_EXCEPTION(Error,
        PoolingConfig::fromJson(
            json { { "word_embedding_dimension", 8 }, { "pooling_mode_mean_tokens", false } }, "p"));
    QVERIFY_THROWS_EXCEPTION(Error,
        PoolingConfig::fromJson(
            json { { "word_embedding_dimension", 8 }, { "pooling_mode_max_tokens", "yes" } }, "p"));
}

void TestModelConfig::poolingSingleModeOverride()
{
    const PoolingConfig p
        = PoolingConfig::fromJson(json { { "word_embedding_dimension", 8 }, { "pooling_mode", "max" },
                                      { "pooling_mode_mean_tokens", true } },
            "p.json");
    QCOMPARE(p.modeName(), std::string("max"));
}

void TestModelConfig::poolingModesParse()
{
    const PoolingConfig p = PoolingConfig::fromModes("lasttoken+cls,mean", 16);
    QCOMPARE(p.modeName(), std::string("cls+mean+lasttoken"));
    QCOMPARE(p.outputDimension(), 48);
    const auto text = p.toJson().dump();
    QCOMPARE(text,
        std::string(R"({"word_embedding_dimension":16,"pooling_mode_cls_token":true,)"
                    R"("pooling_mode_mean_tokens":true,"pooling_mode_max_tokens":false,)"
                    R"("pooling_mode_mean_sqrt_len_tokens":false,"pooling_mode_lasttoken":true})"));
    // Keys at their defaults that sentence-transformers 2.0-2.3 do not know stay out.
    PoolingConfig excluding = PoolingConfig::fromModes("weightedmean", 16);
    excluding.includePrompt = false;
    QCOMPARE(excluding.toJson().dump(),
        std::string(R"({"word_embedding_dimension":16,"pooling_mode_cls_token":false,)"
                    R"("pooling_mode_mean_tokens":false,"pooling_mode_max_tokens":false,)"
                    R"("pooling_mode_mean_sqrt_len_tokens":false,"pooling_mode_weightedmean_tokens":true,)"
                    R"("include_prompt":false})"));
    QVERIFY_THROWS_EXCEPTION(Error, PoolingConfig::fromModes("median", 16));
}

void TestModelConfig::transformerConfigDefaults()
{
    const TransformerConfig bert = TransformerConfig::fromJson(json { { "model_type", "bert" } }, "c.json");
    QCOMPARE(bert.hiddenSize, 768);
    QCOMPARE(bert.layerNormEps, 1e-12);
    QCOMPARE(bert.padTokenId, 0);
    QCOMPARE(bert.usablePositions(), 512);
    QVERIFY(!bert.bosTokenId);

    const TransformerConfig xlmr = TransformerConfig::fromJson(
        json { { "model_type", "xlm-roberta" }, { "vocab_size", 250002 }, { "max_position_embeddings", 514 },
            { "type_vocab_size", 1 }, { "layer_norm_eps", 1e-5 }, { "hidden_size", 384 },
            { "num_attention_heads", 12 }, { "intermediate_size", 1536 }, { "hidden_act", "gelu" } },
        "c.json");
    QCOMPARE(xlmr.padTokenId, 1);
    QCOMPARE(xlmr.usablePositions(), 512);
    QCOMPARE(*xlmr.bosTokenId, 0);
    QCOMPARE(*xlmr.eosTokenId, 2);
    const json out = xlmr.toJson("float32");
    QCOMPARE(out["architectures"], json::array({ "XLMRobertaModel" }));
    QCOMPARE(out["bos_token_id"].get<int>(), 0);
    QCOMPARE(out["pad_token_id"].get<int>(), 1);
    QCOMPARE(out["layer_norm_eps"].get<double>(), 1e-5);
    QVERIFY(out.dump(2).find("\"layer_norm_eps\": 1e-05") != std::string::npos); // as Python's json writes it
    QVERIFY(out["classifier_dropout"].is_null());

    const TransformerConfig gelu = TransformerConfig::fromJson(
        json { { "model_type", "bert" }, { "hidden_act", "gelu_pytorch_tanh" } }, "c");
    QCOMPARE(gelu.hiddenAct, std::string("gelu_new"));
    QVERIFY_THROWS_EXCEPTION(Error, TransformerConfig::fromJson(json { { "hidden_size", 8 } }, "c.json"));
    QVERIFY_THROWS_EXCEPTION(Error, TransformerConfig::fromJson(json { { "model_type", "gpt2" } }, "c.json"));
    QVERIFY_THROWS_EXCEPTION(
        Error, TransformerConfig::fromJson(json { { "model_type", "bert" }, { "hidden_size", "big" } }, "c"));
}

void TestModelConfig::transformerConfigWriteKeepsUnknownKeys()
{
    const TransformerConfig c
        = TransformerConfig::fromJson(json { { "model_type", "bert" }, { "_name_or_path", "nreimers/MiniLM" },
                                          { "gradient_checkpointing", false }, { "dtype", "float32" },
                                          { "hidden_size", 384 }, { "num_attention_heads", 12 } },
            "c.json");
    const json out = c.toJson("float16");
    QCOMPARE(out["_name_or_path"].get<std::string>(), std::string("nreimers/MiniLM"));
    QCOMPARE(out["gradient_checkpointing"].get<bool>(), false);
    QVERIFY(!out.contains("dtype"));
    QCOMPARE(out["torch_dtype"].get<std::string>(), std::string("float16"));
    QCOMPARE(out["hidden_size"].get<int>(), 384);
}

void TestModelConfig::sentenceTransformersConfig()
{
    const auto c = SentenceTransformersConfig::fromJson(
        nlohmann::ordered_json::parse(R"({"__version__": {"sentence_transformers": "2.2.2"}})"), "st.json");
    QCOMPARE(c.similarityFnName, std::string("cosine"));
    QVERIFY(c.prompts.empty());
    const auto d = SentenceTransformersConfig::fromJson(
        nlohmann::ordered_json::parse(R"({"prompts": {"query": "query: ", "passage": "passage: "},
            "default_prompt_name": "query", "similarity_fn_name": "dot"})"),
        "st.json");
    QCOMPARE(d.similarityFnName, std::string("dot"));
    QCOMPARE(d.toJson("1.13.1").dump(),
        std::string(R"({"model_type":"SentenceTransformer","__version__":)")
            + d.toJson("1.13.1")["__version__"].dump()
            + R"(,"prompts":{"query":"query: ","passage":"passage: "},)"
              R"("default_prompt_name":"query","similarity_fn_name":"dot"})");
    QVERIFY_THROWS_EXCEPTION(Error,
        SentenceTransformersConfig::fromJson(
            nlohmann::ordered_json::parse(R"({"similarity_fn_name": "l2"})"), "st.json"));
}

void TestModelConfig::maxSeqLengthWithoutSentenceBertConfig_data()
{
    QTest::addColumn<QString>("modelType");
    QTest::addColumn<int>("maxPositions");
    QTest::addColumn<int>("tokenizerMax"); // 0 = not in tokenizer_config.json
    QTest::addColumn<int>("expected");
    QTest::newRow("bert, tokenizer 256") << "bert" << 512 << 256 << 256;
    QTest::newRow("bert, no tokenizer limit") << "bert" << 512 << 0 << 512;
    QTest::newRow("xlm-r 514, no tokenizer limit") << "xlm-roberta" << 514 << 0 << 512;
    QTest::newRow("xlm-r 514, tokenizer 512") << "xlm-roberta" << 514 << 512 << 512;
    QTest::newRow("xlm-r 514, tokenizer 128") << "xlm-roberta" << 514 << 128 << 128;
}

void TestModelConfig::maxSeqLengthWithoutSentenceBertConfig()
{
    QFETCH(QString, modelType);
    QFETCH(int, maxPositions);
    QFETCH(int, tokenizerMax);
    QFETCH(int, expected);
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    writeFileAtomic(d + "/config.json",
        json { { "model_type", modelType.toStdString() }, { "max_position_embeddings", maxPositions },
            { "hidden_size", 8 }, { "num_attention_heads", 2 } }
            .dump());
    json tc = { { "tokenizer_class", "BertTokenizer" } };
    if (tokenizerMax)
        tc["model_max_length"] = tokenizerMax;
    else
        tc["model_max_length"] = 1e30; // what int(1e30) looks like in some files
    writeFileAtomic(d + "/tokenizer_config.json", tc.dump());
    const ModelFolder m = ModelFolder::read(d);
    QCOMPARE(m.maxSeqLength, expected);
    QCOMPARE(m.pooling.modeName(), std::string("mean"));
    QCOMPARE(m.pooling.wordEmbeddingDimension, 8);
    QVERIFY(!m.doLowerCase);
}

void TestModelConfig::legacyLayout()
{
    // ST 0.x/1.x folders: 0_Transformer/ holds the transformer and is named in modules.json.
    QTemporaryDir dir;
    const std::string d = dir.path().toStdString();
    fs::create_directories(d + "/0_Transformer");
    fs::create_directories(d + "/1_Pooling");
    writeFileAtomic(d + "/modules.json",
        R"([{"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"},
                        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling.Pooling"}])");
    writeFileAtomic(d + "/0_Transformer/config.json",
        R"({"model_type": "bert", "hidden_size": 16, "num_attention_heads": 2})");
    writeFileAtomic(
        d + "/0_Transformer/sentence_bert_config.json", R"({"max_seq_length": 100, "do_lower_case": true})");
    writeFileAtomic(d + "/1_Pooling/config.json",
        R"({"word_embedding_dimension": 16, "pooling_mode_cls_token": true, "pooling_mode_mean_tokens": false,
                        "pooling_mode_max_tokens": false, "pooling_mode_mean_sqrt_len_tokens": false})");
    const ModelFolder m = ModelFolder::read(d);
    QCOMPARE(m.transformerPath, std::string("0_Transformer"));
    QCOMPARE(fs::path(m.transformerFolder()), fs::path(d) / "0_Transformer");
    QCOMPARE(m.maxSeqLength, 100);
    QVERIFY(m.doLowerCase);
    QCOMPARE(m.pooling.modeName(), std::string("cls"));
    QCOMPARE(m.embeddingDimension(), 16);
    QCOMPARE(m.withStandardPaths().transformerPath, std::string());

    // Too long for the position table: clamped with a warning rather than failing at run time.
    writeFileAtomic(d + "/0_Transformer/sentence_bert_config.json", R"({"max_seq_length": 1000})");
    QCOMPARE(ModelFolder::read(d).maxSeqLength, 512);
}

QTEST_GUILESS_MAIN(TestModelConfig)
#include "tst_modelconfig.moc"
