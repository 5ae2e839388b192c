#pragma once

// Engine-private constructors of the concrete tokenizers, used by loadTokenizer() and by
// SentenceModel::create(). Each throws pairtune::Error naming the offending file.

#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace pairtune {

// BERT WordPiece from a parsed tokenizer.json (model.type == "WordPiece"); folder is where it came
// from (for messages, and to carry vocab.txt along on save).
std::unique_ptr<Tokenizer> makeWordPieceTokenizer(
    const nlohmann::json &tokenizerJson, const std::string &folder);

// BERT WordPiece from folder/vocab.txt, options from folder/tokenizer_config.json when present
// (do_lower_case default true, strip_accents default null, tokenize_chinese_chars default true).
std::unique_ptr<Tokenizer> makeWordPieceTokenizerFromFolder(const std::string &folder);

// BERT WordPiece from a vocab.txt anywhere, with fast-tokenizer defaults (for `create`).
std::unique_ptr<Tokenizer> makeWordPieceTokenizerFromVocabFile(const std::string &vocabPath, bool lowercase);

// XLM-R Unigram from a parsed tokenizer.json (model.type == "Unigram").
std::unique_ptr<Tokenizer> makeUnigramTokenizer(
    const nlohmann::json &tokenizerJson, const std::string &folder);

// Byte-level BPE (RoBERTa, ModernBERT, GPT-2 style) from a parsed tokenizer.json (model.type == "BPE").
std::unique_ptr<Tokenizer> makeBpeTokenizer(const nlohmann::json &tokenizerJson, const std::string &folder);

// XLM-R through the sentencepiece library: folder/sentencepiece.bpe.model, or any .model file.
std::unique_ptr<Tokenizer> makeSentencePieceTokenizerFromFolder(const std::string &folder);
std::unique_ptr<Tokenizer> makeSentencePieceTokenizerFromModelFile(const std::string &modelPath);

} // namespace pairtune
