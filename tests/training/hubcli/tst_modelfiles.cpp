// sentenceTransformersFiles on the file lists of real Hub repos: what it keeps must be what
// SentenceTransformer(name) reads, and nothing it does not need (ONNX, OpenVINO, TF, Flax, Rust, the
// pickled weights when safetensors exist). The lists are the repos' "siblings" as the Hub listed them
// (huggingface.co/api/models/<repo>), written down by hand; the expectations come from what
// sentence-transformers' loaders open, not from running our code.

#include "model/modelfiles.h"

#include <QtTest/QtTest>

#include <string>
#include <vector>

using pairtune::sentenceTransformersFiles;
using Files = std::vector<std::string>;

namespace {
QString show(const Files &files)
{
    QStringList list;
    for (const std::string &f : files)
        list << QString::fromStdString(f);
    return list.join(", ");
}
} // namespace

#define COMPARE_FILES(actual, expected)                                                                      \
    QVERIFY2((actual) == (expected), qPrintable("got: " + show(actual) + "\nwanted: " + show(expected)))

// What SentenceTransformer(name) opens of a BERT model saved by sentence-transformers 2.x+: modules.json,
// config_sentence_transformers.json, README.md (model card), the Transformer's sentence_bert_config.json,
// config.json, weights and tokenizer files, and the Pooling config.
const Files kBertSentenceTransformerFiles = { "1_Pooling/config.json", "README.md", "config.json",
    "config_sentence_transformers.json", "model.safetensors", "modules.json", "sentence_bert_config.json",
    "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json", "vocab.txt" };

class TestModelFiles : public QObject
{
    Q_OBJECT

private slots:
    void allMiniLmL6V2()
    {
        const Files siblings = { ".gitattributes", "1_Pooling/config.json", "README.md", "config.json",
            "config_sentence_transformers.json", "data_config.json", "model.safetensors", "modules.json",
            "onnx/model.onnx", "onnx/model_O1.onnx", "onnx/model_O2.onnx", "onnx/model_O3.onnx",
            "onnx/model_O4.onnx", "onnx/model_qint8_arm64.onnx", "onnx/model_qint8_avx512.onnx",
            "onnx/model_qint8_avx512_vnni.onnx", "onnx/model_quint8_avx2.onnx", "openvino/openvino_model.bin",
            "openvino/openvino_model.xml", "openvino/openvino_model_qint8_quantized.bin",
            "openvino/openvino_model_qint8_quantized.xml", "pytorch_model.bin", "rust_model.ot",
            "sentence_bert_config.json", "special_tokens_map.json", "tf_model.h5", "tokenizer.json",
            "tokenizer_config.json", "train_script.py", "vocab.txt" };
        COMPARE_FILES(sentenceTransformersFiles(siblings), kBertSentenceTransformerFiles);
    }

    void bgeSmallEnV15()
    {
        const Files siblings = { ".gitattributes", "1_Pooling/config.json", "README.md", "config.json",
            "config_sentence_transformers.json", "model.safetensors", "modules.json", "onnx/model.onnx",
            "pytorch_model.bin", "sentence_bert_config.json", "special_tokens_map.json", "tokenizer.json",
            "tokenizer_config.json", "vocab.txt" };
        COMPARE_FILES(sentenceTransformersFiles(siblings), kBertSentenceTransformerFiles);
    }

    // XLM-R based: the sentencepiece model is a tokenizer file; unigram.json is not read by transformers.
    void paraphraseMultilingualMiniLm()
    {
        const Files siblings = { ".gitattributes", "1_Pooling/config.json", "README.md", "config.json",
            "config_sentence_transformers.json", "model.safetensors", "modules.json", "onnx/model.onnx",
            "pytorch_model.bin", "sentence_bert_config.json", "sentencepiece.bpe.model",
            "special_tokens_map.json", "tf_model.h5", "tokenizer.json", "tokenizer_config.json",
            "unigram.json" };
        const Files expected
            = { "1_Pooling/config.json", "README.md", "config.json", "config_sentence_transformers.json",
                  "model.safetensors", "modules.json", "sentence_bert_config.json", "sentencepiece.bpe.model",
                  "special_tokens_map.json", "tokenizer.json", "tokenizer_config.json" };
        COMPARE_FILES(sentenceTransformersFiles(siblings), expected);
    }

    // A Dense head with only pickled weights (LaBSE-style) keeps them: that folder has no safetensors.
    void denseModuleWithPickledWeightsOnly()
    {
        const Files siblings = { "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/pytorch_model.bin",
            "3_Normalize/.gitkeep", "config.json", "model.safetensors", "modules.json", "pytorch_model.bin",
            "vocab.txt" };
        const Files expected = { "1_Pooling/config.json", "2_Dense/config.json", "2_Dense/pytorch_model.bin",
            "config.json", "model.safetensors", "modules.json", "vocab.txt" };
        COMPARE_FILES(sentenceTransformersFiles(siblings), expected);
    }

    // sentence-transformers 0.x/1.x kept the transformer in its own module folder.
    void oldTransformerFolderLayout()
    {
        const Files siblings
            = { "0_BERT/config.json", "0_BERT/pytorch_model.bin", "0_BERT/sentence_bert_config.json",
                  "0_BERT/special_tokens_map.json", "0_BERT/tokenizer_config.json", "0_BERT/vocab.txt",
                  "0_BERT/tf_model.h5", "1_Pooling/config.json", "modules.json", "config.json", "README.md" };
        const Files expected
            = { "0_BERT/config.json", "0_BERT/pytorch_model.bin", "0_BERT/sentence_bert_config.json",
                  "0_BERT/special_tokens_map.json", "0_BERT/tokenizer_config.json", "0_BERT/vocab.txt",
                  "1_Pooling/config.json", "README.md", "config.json", "modules.json" };
        COMPARE_FILES(sentenceTransformersFiles(siblings), expected);
    }

    // Sharded checkpoints: the safetensors index and its shards, not the pickled ones.
    void shardedWeights()
    {
        const Files siblings = { "config.json", "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors", "model.safetensors.index.json",
            "pytorch_model-00001-of-00002.bin", "pytorch_model-00002-of-00002.bin",
            "pytorch_model.bin.index.json", "modules.json", "model-extra.safetensors" };
        const Files expected = { "config.json", "model-00001-of-00002.safetensors",
            "model-00002-of-00002.safetensors", "model.safetensors.index.json", "modules.json" };
        COMPARE_FILES(sentenceTransformersFiles(siblings), expected);
        const Files pickledOnly = { "config.json", "pytorch_model-00001-of-00002.bin",
            "pytorch_model-00002-of-00002.bin", "pytorch_model.bin.index.json" };
        COMPARE_FILES(sentenceTransformersFiles(pickledOnly), pickledOnly);
    }

    // A plain transformers checkpoint (no modules.json; sentence-transformers adds mean pooling):
    // bert-base-uncased's list, with its Flax, TF, Rust, Core ML and ONNX copies left out.
    void plainTransformersRepo()
    {
        const Files siblings = { ".gitattributes", "LICENSE", "README.md", "config.json",
            "coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/model.mlmodel",
            "coreml/fill-mask/float32_model.mlpackage/Manifest.json", "flax_model.msgpack", "model.onnx",
            "model.safetensors", "pytorch_model.bin", "rust_model.ot", "tf_model.h5", "tokenizer.json",
            "tokenizer_config.json", "vocab.txt" };
        const Files expected = { "README.md", "config.json", "model.safetensors", "tokenizer.json",
            "tokenizer_config.json", "vocab.txt" };
        COMPARE_FILES(sentenceTransformersFiles(siblings), expected);
    }

    // Names that are not files of a module folder are never picked, whatever they are called: paths
    // that climb out, absolute ones, hidden folders, module-only files outside the root, code.
    void untrustedNames()
    {
        const Files siblings
            = { "../config.json", "/etc/config.json", "1_Pooling/../../config.json", ".git/config.json",
                  "1_Pooling/.hidden/config.json", "onnx/config.json", "checkpoint-500/config.json",
                  "1_Pooling/modules.json", "1_Pooling/README.md", "modeling_custom.py",
                  "configuration_custom.py", "Pooling/config.json", "_x/config.json", "config.json" };
        const Files expected = { "config.json" };
        COMPARE_FILES(sentenceTransformersFiles(siblings), expected);
    }
};

QTEST_APPLESS_MAIN(TestModelFiles)
#include "tst_modelfiles.moc"
