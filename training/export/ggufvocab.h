#pragma once

// Torch-free: a tokenizer.json (as Pairtune's tokenizers save it) written as llama.cpp's tokenizer
// metadata, the way convert_hf_to_gguf.py records each kind (llama.cpp src/llama-vocab.cpp reads it):
//   WordPiece  → tokenizer.ggml.model "bert": tokens in "phantom space" form (a word-initial piece gets
//                U+2581 in front, a "##" continuation loses its "##", control tokens stay as they are),
//                plus the BertNormalizer's lowercase / strip_accents;
//   Unigram    → "t5": pieces, scores, the precompiled charsmap, add_space_prefix, remove_extra_whitespaces;
//   byte-level BPE → "gpt2": byte-level tokens and merges "a b", pre-tokenizer "roberta-bpe" (RoBERTa:
//                GPT-2's split, [CLS]-style ends) or "modern-bert".
// Token types follow get_vocab_base: special added tokens CONTROL, other added tokens USER_DEFINED, the
// unknown piece UNKNOWN, ids the vocabulary lacks "[PAD<i>]" UNUSED, the rest NORMAL.

#include <nlohmann/json.hpp>

#include <string>

namespace pairtune {

class GgufWriter;

struct GgufVocabOptions
{
    int vocabSize = 0; // config.json vocab_size: rows of the token embedding
    int tokenTypeCount = 1; // config.json type_vocab_size (1 where the family has none)
    int padId = 0; // the tokenizer's padding id
    std::string bpePre = "roberta-bpe"; // tokenizer.ggml.pre for byte-level BPE
};

// "" when tokenizerJson can be written for llama.cpp, otherwise why not (the model type and the kind).
std::string ggufVocabUnsupportedReason(const nlohmann::json &tokenizerJson);

// Adds the tokenizer.ggml.* keys. Throws pairtune::Error (pathForMessages) on what
// ggufVocabUnsupportedReason refuses.
void addGgufVocab(GgufWriter &writer, const nlohmann::json &tokenizerJson, const GgufVocabOptions &options,
    const std::string &pathForMessages);

} // namespace pairtune
