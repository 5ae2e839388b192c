// The GGUF export (export/ggufexport.h, issue 22), read back by the tests' own GGUF reader (ggufreader.h,
// independent of the exporter's writer): the keys and tensor names llama.cpp's loader requires for its
// bert and modern-bert architectures (src/models/bert.cpp, modern-bert.cpp, src/llama-vocab.cpp), the
// weights equal to the model's own safetensors, f16 and Q8_0 blocks within their rounding bounds, and a
// clear refusal for what llama.cpp cannot compute. That llama.cpp itself gives the same vectors is
// tests/exports' runtime check.

#include "core/error.h"
#include "export/ggufexport.h"
#include "ggufreader.h"
#include "io/safetensors.h"
#include "model/sentencemodel.h"
#include "text/sentencepiecetrainer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <cmath>
#include <optional>
#include <set>
#include <stdexcept>

using namespace pairtune;
using namespace ggufread;

namespace {

const QString kData = QStringLiteral(PAIRTUNE_TEST_DATA_DIR);

// ---- models ---------------------------------------------------------------------------------

CreateOptions tinyOptions(const std::string &architecture)
{
    CreateOptions options;
    options.architecture = architecture;
    options.layers = 2;
    options.hidden = 64;
    options.heads = 4;
    options.intermediate = 128;
    return options;
}

CreateOptions tinyBert()
{
    CreateOptions options = tinyOptions("bert");
    options.vocabPath = (kData + QStringLiteral("/bert-base-uncased-vocab.txt")).toStdString();
    return options;
}

QStringList vocabLines()
{
    QFile file(kData + QStringLiteral("/bert-base-uncased-vocab.txt"));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
}

// Writes the model's GGUF of this type into dir and reads it back.
GgufFile written(const SentenceModel &model, const QTemporaryDir &dir, GgufType type)
{
    writeGgufModel(model, dir.path().toStdString(), type, {});
    return readGguf(dir.filePath(QString::fromStdString(ggufFileName(type))));
}

// The tensors llama.cpp's bert loader (src/models/bert.cpp load_arch_tensors) looks up for this file:
// every required one plus the optional token_types where the family has a token type table.
std::set<std::string> bertTensorNames(int layers, bool tokenTypes)
{
    std::set<std::string> names
        = { "token_embd.weight", "position_embd.weight", "token_embd_norm.weight", "token_embd_norm.bias" };
    if (tokenTypes)
        names.insert("token_types.weight");
    for (int i = 0; i < layers; ++i)
        for (const char *t : { "attn_q", "attn_k", "attn_v", "attn_output", "attn_output_norm", "ffn_up",
                 "ffn_down", "layer_output_norm" })
            for (const char *part : { "weight", "bias" })
                names.insert("blk." + std::to_string(i) + "." + t + "." + part);
    return names;
}

// The header, offsets and sizes are consistent: data aligned to 32, tensors in order without overlap,
// the file ending with the last tensor's padded data.
void checkLayout(const GgufFile &g)
{
    QCOMPARE(g.version, 3u);
    QCOMPARE(g.key("general.alignment").type, std::uint32_t(U32));
    QCOMPARE(g.key("general.alignment").u, std::uint64_t(32));
    QCOMPARE(g.dataStart % 32, std::uint64_t(0));
    std::uint64_t end = 0;
    for (const TensorEntry &t : g.tensors) {
        QVERIFY2(t.offset % 32 == 0, t.name.c_str());
        QVERIFY2(t.offset >= end, t.name.c_str());
        end = t.offset + tensorBytes(t);
    }
    QCOMPARE(std::uint64_t(g.bytes.size()), g.dataStart + (end + 31) / 32 * 32);
}

void checkUint(const GgufFile &g, const std::string &key, std::uint64_t value)
{
    QVERIFY2(g.kv.count(key), key.c_str());
    QCOMPARE(g.key(key).type, std::uint32_t(U32));
    QCOMPARE(g.key(key).u, value);
}

std::vector<float> safetensorsValues(const QString &folder, const std::string &name)
{
    const SafetensorsFile file
        = SafetensorsFile::open((folder + QStringLiteral("/model.safetensors")).toStdString());
    const TensorInfo *info = file.find(name);
    if (!info)
        throw std::runtime_error("no " + name + " in model.safetensors");
    return file.toFloat32(*info);
}

std::optional<std::string> refusal(const SentenceModel &model)
{
    const std::string reason = ggufUnsupportedReason(model, GgufType::F32);
    if (reason.empty())
        return std::nullopt;
    return reason;
}

} // namespace

class TestGgufExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void typeNamesAndFileNames()
    {
        QCOMPARE(parseGgufType("f32"), std::optional(GgufType::F32));
        QCOMPARE(parseGgufType("f16"), std::optional(GgufType::F16));
        QCOMPARE(parseGgufType("q8_0"), std::optional(GgufType::Q8_0));
        QVERIFY(!parseGgufType("q4_0"));
        QVERIFY(!parseGgufType("F32"));
        for (GgufType type : { GgufType::F32, GgufType::F16, GgufType::Q8_0 })
            QCOMPARE(ggufFileName(type), "gguf/model-" + ggufTypeName(type) + ".gguf");
    }

    void bertHasWhatLlamaCppsBertLoaderReads()
    {
        QTemporaryDir dir;
        const SentenceModel created = SentenceModel::create(tinyBert());
        const QString folder = dir.filePath(QStringLiteral("model"));
        created.save(folder.toStdString());
        const SentenceModel model = SentenceModel::load(folder.toStdString());
        QCOMPARE(QString::fromStdString(ggufUnsupportedReason(model, GgufType::F32)), QString());
        const GgufFile g = written(model, dir, GgufType::F32);
        checkLayout(g);

        QCOMPARE(g.key("general.architecture").s, std::string("bert"));
        QCOMPARE(g.key("general.name").s, std::string("model"));
        checkUint(g, "general.file_type", 0); // ALL_F32
        checkUint(g, "bert.block_count", 2);
        checkUint(g, "bert.context_length", 512);
        checkUint(g, "bert.embedding_length", 64);
        checkUint(g, "bert.feed_forward_length", 128);
        checkUint(g, "bert.attention.head_count", 4);
        checkUint(g, "bert.pooling_type", 1); // MEAN
        QCOMPARE(g.key("bert.attention.layer_norm_epsilon").type, std::uint32_t(F32));
        QCOMPARE(float(g.key("bert.attention.layer_norm_epsilon").f), 1e-12f);
        QCOMPARE(g.key("bert.attention.causal").type, std::uint32_t(Bool));
        QCOMPARE(g.key("bert.attention.causal").u, std::uint64_t(0));

        // WordPiece as BertModel.set_vocab writes it: "phantom space" pieces, control tokens unchanged.
        QCOMPARE(g.key("tokenizer.ggml.model").s, std::string("bert"));
        const std::vector<std::string> tokens = strings(g.key("tokenizer.ggml.tokens"));
        const QStringList vocab = vocabLines();
        QCOMPARE(tokens.size(), std::size_t(30522));
        QCOMPARE(g.key("tokenizer.ggml.token_type").elementType, std::uint32_t(I32));
        QCOMPARE(g.key("tokenizer.ggml.token_type").items.size(), tokens.size());
        QCOMPARE(tokens[101], std::string("[CLS]"));
        QCOMPARE(g.key("tokenizer.ggml.token_type").items[101].i, std::int64_t(3)); // CONTROL
        const int hello = int(vocab.indexOf(QStringLiteral("hello")));
        const int hashS = int(vocab.indexOf(QStringLiteral("##s")));
        QVERIFY(hello > 0 && hashS > 0);
        QCOMPARE(tokens[std::size_t(hello)], std::string("\u2581hello"));
        QCOMPARE(tokens[std::size_t(hashS)], std::string("s"));
        checkUint(g, "tokenizer.ggml.bos_token_id", 101);
        checkUint(g, "tokenizer.ggml.seperator_token_id", 102);
        checkUint(g, "tokenizer.ggml.eos_token_id", 102);
        checkUint(g, "tokenizer.ggml.unknown_token_id", 100);
        checkUint(g, "tokenizer.ggml.padding_token_id", 0);
        checkUint(g, "tokenizer.ggml.mask_token_id", 103);
        checkUint(g, "tokenizer.ggml.token_type_count", 2);
        QCOMPARE(g.key("tokenizer.ggml.normalizer.lowercase").u, std::uint64_t(1));

        QCOMPARE(g.tensorNames(), bertTensorNames(2, true));
        QCOMPARE(g.tensor("token_embd.weight").dims, (std::vector<std::uint64_t> { 64, 30522 }));
        QCOMPARE(g.tensor("position_embd.weight").dims, (std::vector<std::uint64_t> { 64, 512 }));
        QCOMPARE(g.tensor("token_types.weight").dims, (std::vector<std::uint64_t> { 64, 2 }));
        QCOMPARE(g.tensor("blk.1.ffn_up.weight").dims, (std::vector<std::uint64_t> { 64, 128 }));
        QCOMPARE(g.tensor("blk.1.ffn_down.weight").dims, (std::vector<std::uint64_t> { 128, 64 }));
        QCOMPARE(g.tensor("blk.0.attn_q.bias").dims, (std::vector<std::uint64_t> { 64 }));
        for (const TensorEntry &t : g.tensors)
            QCOMPARE(t.type, 0u);
        // The weights are the model's: ggml's [in, out] is the row-major [out, in] matrix as stored.
        QCOMPARE(tensorValues(g, g.tensor("token_embd.weight")),
            safetensorsValues(folder, "embeddings.word_embeddings.weight"));
        QCOMPARE(tensorValues(g, g.tensor("blk.1.ffn_down.weight")),
            safetensorsValues(folder, "encoder.layer.1.output.dense.weight"));
        QCOMPARE(tensorValues(g, g.tensor("blk.0.attn_output_norm.bias")),
            safetensorsValues(folder, "encoder.layer.0.attention.output.LayerNorm.bias"));
    }

    void f16AndQ8BlocksStayWithinTheirRoundingBounds()
    {
        QTemporaryDir dir;
        const SentenceModel model = SentenceModel::create(tinyBert());
        const GgufFile f32 = written(model, dir, GgufType::F32);
        const GgufFile f16 = written(model, dir, GgufType::F16);
        const GgufFile q8 = written(model, dir, GgufType::Q8_0);
        checkLayout(f16);
        checkLayout(q8);
        checkUint(f16, "general.file_type", 1); // MOSTLY_F16
        checkUint(q8, "general.file_type", 7); // MOSTLY_Q8_0
        QCOMPARE(q8.tensorNames(), f32.tensorNames());
        int quantised = 0;
        for (const TensorEntry &t : q8.tensors) {
            const bool matrix
                = t.dims.size() == 2 && t.name != "position_embd.weight" && t.name != "token_types.weight";
            // convert_hf_to_gguf.py keeps 1-D tensors, position and token type tables in F32.
            QCOMPARE(t.type, matrix ? 8u : 0u);
            QCOMPARE(f16.tensor(t.name).type, matrix ? 1u : 0u);
            const std::vector<float> exact = tensorValues(f32, f32.tensor(t.name));
            const std::vector<float> half = tensorValues(f16, f16.tensor(t.name));
            const std::vector<float> quant = tensorValues(q8, t);
            for (std::size_t k = 0; k < exact.size(); ++k)
                QVERIFY2(std::fabs(half[k] - exact[k]) <= std::fabs(exact[k]) * 0x1p-11f + 0x1p-25f,
                    t.name.c_str());
            if (!matrix) {
                QCOMPARE(quant, exact);
                continue;
            }
            ++quantised;
            // Per block of 32: d = max|x| / 127 (stored as f16), |x - q d| <= d / 2 plus the f16
            // rounding of d times |q| <= 127.
            for (std::size_t b = 0; b < exact.size(); b += 32) {
                float amax = 0;
                for (std::size_t k = b; k < b + 32; ++k)
                    amax = std::max(amax, std::fabs(exact[k]));
                const float bound = amax / 127.0f * 0.5f + amax * 0x1p-11f + 1e-7f;
                for (std::size_t k = b; k < b + 32; ++k)
                    QVERIFY2(std::fabs(quant[k] - exact[k]) <= bound, t.name.c_str());
            }
        }
        QCOMPARE(quantised, 1 + 2 * 6); // token_embd + per layer q, k, v, output, up, down
        QVERIFY(q8.bytes.size() < f16.bytes.size() && f16.bytes.size() < f32.bytes.size());
    }

    void poolingTypes_data()
    {
        QTest::addColumn<QString>("pooling");
        QTest::addColumn<int>("type");
        QTest::newRow("mean") << QStringLiteral("mean") << 1;
        QTest::newRow("cls") << QStringLiteral("cls") << 2;
        QTest::newRow("lasttoken") << QStringLiteral("lasttoken") << 3;
    }

    void poolingTypes()
    {
        QFETCH(QString, pooling);
        QFETCH(int, type);
        QTemporaryDir dir;
        CreateOptions options = tinyBert();
        options.pooling = pooling.toStdString();
        options.normalize = false;
        const GgufFile g = written(SentenceModel::create(options), dir, GgufType::F32);
        checkUint(g, "bert.pooling_type", std::uint64_t(type));
    }

    void distilBertHasNoTokenTypeTable()
    {
        QTemporaryDir dir;
        CreateOptions options = tinyBert();
        options.architecture = "distilbert";
        const GgufFile g = written(SentenceModel::create(options), dir, GgufType::F32);
        checkLayout(g);
        QCOMPARE(g.key("general.architecture").s, std::string("bert"));
        QCOMPARE(g.tensorNames(), bertTensorNames(2, false));
        checkUint(g, "tokenizer.ggml.token_type_count", 1); // llama.cpp refuses 0
    }

    void xlmRobertaIsASentencepieceUnigramWithShiftedPositions()
    {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        // Sanitizer builds cannot isolate the sentencepiece shim from LibTorch (no RTLD_DEEPBIND; see
        // tst_sentencemodel and docs/pitfalls.md section 2): the XLM-R path is checked by the plain build.
        QSKIP("sanitizer build: the sentencepiece shim cannot be isolated from LibTorch");
#endif
        QTemporaryDir dir;
        const QString corpus = dir.filePath(QStringLiteral("corpus.txt"));
        QFile text(corpus);
        QVERIFY(text.open(QIODevice::WriteOnly));
        for (int k = 0; k < 200; ++k)
            text.write(QStringLiteral("sentence number %1 about embeddings, models and ünïcode text\n")
                           .arg(k)
                           .toUtf8());
        text.close();
        const QString spm = dir.filePath(QStringLiteral("xlmr.model"));
        trainSentencePiece(corpus.toStdString(), spm.toStdString(), 120);
        CreateOptions options = tinyOptions("xlm-roberta");
        options.spmPath = spm.toStdString();
        const SentenceModel model = SentenceModel::create(options);
        const GgufFile g = written(model, dir, GgufType::F32);
        checkLayout(g);
        QCOMPARE(g.key("tokenizer.ggml.model").s, std::string("t5"));
        const std::size_t vocab = model.summary().vocabSize;
        QCOMPARE(strings(g.key("tokenizer.ggml.tokens")).size(), vocab);
        QCOMPARE(g.key("tokenizer.ggml.scores").elementType, std::uint32_t(F32));
        QCOMPARE(g.key("tokenizer.ggml.scores").items.size(), vocab);
        QCOMPARE(g.key("tokenizer.ggml.precompiled_charsmap").elementType, std::uint32_t(U8));
        QVERIFY(!g.key("tokenizer.ggml.precompiled_charsmap").s.empty());
        QCOMPARE(g.key("tokenizer.ggml.add_space_prefix").u, std::uint64_t(1));
        QCOMPARE(g.key("tokenizer.ggml.remove_extra_whitespaces").u, std::uint64_t(1));
        const std::vector<std::string> tokens = strings(g.key("tokenizer.ggml.tokens"));
        QCOMPARE(tokens[0], std::string("<s>"));
        QCOMPARE(tokens[2], std::string("</s>"));
        checkUint(g, "tokenizer.ggml.bos_token_id", 0);
        checkUint(g, "tokenizer.ggml.eos_token_id", 2);
        checkUint(g, "tokenizer.ggml.padding_token_id", 1);
        checkUint(g, "tokenizer.ggml.unknown_token_id", 3);
        checkUint(g, "tokenizer.ggml.token_type_count", 1);
        // Positions counted from pad_token_id + 1 = 2: the first two rows are dropped, as
        // XLMRobertaModel.modify_tensors does, since llama.cpp numbers positions from 0.
        QCOMPARE(g.tensor("position_embd.weight").dims, (std::vector<std::uint64_t> { 64, 512 }));
        checkUint(g, "bert.context_length", 512);
        QCOMPARE(g.tensorNames(), bertTensorNames(2, true));
    }

    void robertaByteLevelBpeCarriesItsMerges()
    {
        QTemporaryDir dir;
        const QString tokenizerFolder = kData + QStringLiteral("/text_bpe/roberta");
        CreateOptions options = tinyOptions("roberta");
        options.tokenizerPath = tokenizerFolder.toStdString();
        const GgufFile g = written(SentenceModel::create(options), dir, GgufType::F32);
        checkLayout(g);
        QCOMPARE(g.key("tokenizer.ggml.model").s, std::string("gpt2"));
        QCOMPARE(g.key("tokenizer.ggml.pre").s, std::string("roberta-bpe"));
        QFile json(tokenizerFolder + QStringLiteral("/tokenizer.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const QJsonObject model
            = QJsonDocument::fromJson(json.readAll()).object().value(QStringLiteral("model")).toObject();
        const QJsonArray merges = model.value(QStringLiteral("merges")).toArray();
        const std::vector<std::string> written = strings(g.key("tokenizer.ggml.merges"));
        QCOMPARE(written.size(), std::size_t(merges.size()));
        QCOMPARE(written.front(), merges.first().toString().toStdString());
        QCOMPARE(written.back(), merges.last().toString().toStdString());
        const std::vector<std::string> tokens = strings(g.key("tokenizer.ggml.tokens"));
        const QJsonObject vocab = model.value(QStringLiteral("vocab")).toObject();
        for (auto it = vocab.begin(); it != vocab.end(); ++it)
            QCOMPARE(tokens.at(std::size_t(it.value().toInt())), it.key().toStdString());
        checkUint(g, "tokenizer.ggml.bos_token_id", 0);
        checkUint(g, "tokenizer.ggml.eos_token_id", 2);
    }

    void modernBertHasWhatLlamaCppsModernBertLoaderReads()
    {
        // src/models/modern-bert.cpp: no biases, layer 0 without attn_norm, a fused qkv and Wi of 2 * n_ff.
        QTemporaryDir dir;
        CreateOptions options = tinyOptions("modernbert");
        options.tokenizerPath = (kData + QStringLiteral("/text_bpe/modernbert")).toStdString();
        const GgufFile g = written(SentenceModel::create(options), dir, GgufType::F32);
        checkLayout(g);
        QCOMPARE(g.key("general.architecture").s, std::string("modern-bert"));
        QCOMPARE(g.key("tokenizer.ggml.pre").s, std::string("modern-bert"));
        checkUint(g, "modern-bert.block_count", 2);
        checkUint(g, "modern-bert.attention.sliding_window", 128);
        checkUint(g, "modern-bert.attention.sliding_window_pattern", 3);
        QCOMPARE(float(g.key("modern-bert.rope.freq_base").f), 160000.0f);
        QCOMPARE(float(g.key("modern-bert.rope.freq_base_swa").f), 10000.0f);
        QCOMPARE(g.key("modern-bert.attention.causal").u, std::uint64_t(0));
        std::set<std::string> names = { "token_embd.weight", "token_embd_norm.weight", "output_norm.weight" };
        for (int i = 0; i < 2; ++i)
            for (const char *t : { "attn_norm", "attn_qkv", "attn_output", "ffn_norm", "ffn_up", "ffn_down" })
                if (i > 0 || std::string(t) != "attn_norm")
                    names.insert("blk." + std::to_string(i) + "." + t + ".weight");
        QCOMPARE(g.tensorNames(), names);
        QCOMPARE(g.tensor("blk.0.attn_qkv.weight").dims, (std::vector<std::uint64_t> { 64, 192 }));
        QCOMPARE(g.tensor("blk.0.ffn_up.weight").dims, (std::vector<std::uint64_t> { 64, 256 }));
        QCOMPARE(g.tensor("blk.0.ffn_down.weight").dims, (std::vector<std::uint64_t> { 128, 64 }));
    }

    void whatLlamaCppCannotComputeIsRefused_data()
    {
        QTest::addColumn<QString>("architecture");
        QTest::addColumn<QString>("pooling");
        QTest::addColumn<int>("dense");
        QTest::addColumn<QString>("expected");
        QTest::newRow("mpnet") << QStringLiteral("mpnet") << QStringLiteral("mean") << 0
                               << QStringLiteral("mpnet");
        QTest::newRow("dense head") << QStringLiteral("bert") << QStringLiteral("mean") << 32
                                    << QStringLiteral("Dense");
        QTest::newRow("max pooling") << QStringLiteral("bert") << QStringLiteral("max") << 0
                                     << QStringLiteral("pooling max");
        QTest::newRow("weightedmean") << QStringLiteral("bert") << QStringLiteral("weightedmean") << 0
                                      << QStringLiteral("weightedmean");
        QTest::newRow("mean_sqrt_len") << QStringLiteral("bert") << QStringLiteral("mean_sqrt_len_tokens")
                                       << 0 << QStringLiteral("mean_sqrt_len_tokens");
        QTest::newRow("two modes") << QStringLiteral("bert") << QStringLiteral("cls,mean") << 0
                                   << QStringLiteral("cls+mean");
    }

    void whatLlamaCppCannotComputeIsRefused()
    {
        QFETCH(QString, architecture);
        QFETCH(QString, pooling);
        QFETCH(int, dense);
        QFETCH(QString, expected);
        CreateOptions options = tinyBert();
        options.architecture = architecture.toStdString();
        if (architecture == QStringLiteral("mpnet")) {
            options.vocabPath.clear();
            options.tokenizerPath = (kData + QStringLiteral("/mpnet/tiny-mpnet")).toStdString();
        }
        options.pooling = pooling.toStdString();
        options.denseOut = dense;
        const SentenceModel model = SentenceModel::create(options);
        const auto reason = refusal(model);
        QVERIFY(reason);
        const QString message = QString::fromStdString(*reason);
        QVERIFY2(
            message.contains(expected) && message.startsWith(QStringLiteral("GGUF")), qPrintable(message));
        QTemporaryDir dir;
        try {
            writeGgufModel(model, dir.path().toStdString(), GgufType::Q8_0, {});
            QFAIL("no error");
        } catch (const Error &error) {
            QCOMPARE(QString::fromUtf8(error.what()), message);
        }
        QVERIFY(!QDir(dir.filePath(QStringLiteral("gguf"))).exists());
    }

    void aStopLeavesNoFile()
    {
        QTemporaryDir dir;
        const SentenceModel model = SentenceModel::create(tinyBert());
        ExportCallbacks callbacks;
        int tensors = 0;
        callbacks.progress = [&](double, const std::string &what) {
            if (what.rfind("writing ", 0) == 0)
                ++tensors;
        };
        callbacks.cancelled = [&] { return tensors >= 3; };
        try {
            writeGgufModel(model, dir.path().toStdString(), GgufType::F16, callbacks);
            QFAIL("no error");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), Error::Kind::Cancelled);
        }
        QCOMPARE(
            QDir(dir.filePath(QStringLiteral("gguf"))).entryList(QDir::Files | QDir::Hidden), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestGgufExport)
#include "tst_ggufexport.moc"
