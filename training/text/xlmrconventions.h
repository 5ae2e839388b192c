#pragma once

// transformers' conventions for XLM-RoBERTa tokenizers (docs/formats.md §1.7 and §4.3), shared by the
// sentencepiece and the Unigram tokenizer: the fairseq special tokens, the tokenizer.json that
// XLMRobertaConverter makes from a sentencepiece model, and tokenizer_config.json /
// special_tokens_map.json.

#include "text/addedtokens.h"
#include "text/spmmodelproto.h"
#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace pairtune {

// <s> 0, <pad> 1, </s> 2, <unk> 3 and <mask> (lstrip) at maskId: the added tokens of XLM-R.
std::vector<AddedToken> xlmrSpecialTokens(std::int64_t maskId);

// The tokenizer.json that transformers' XLMRobertaConverter writes for a unigram sentencepiece model:
// Unigram vocab [<s>, <pad>, </s>, <unk>, pieces[3:] with scores, <mask>], unk_id 3, normalizer
// Sequence[Precompiled, Strip(right), Replace(" {2,}" -> "▁")], Metaspace pre-tokenizer and decoder
// (prepend_scheme always, split), TemplateProcessing "<s> $A </s>" / "<s> $A </s> </s> $B </s>".
// Throws pairtune::Error naming pathForMessages for a model that is not unigram.
nlohmann::json xlmrTokenizerJson(const SpmModelProto &proto, const std::string &pathForMessages);

// Writes tokenizer_config.json (tokenizer_class XLMRobertaTokenizer, model_max_length, the special
// tokens, added_tokens_decoder, truncation_side when left) and special_tokens_map.json into folder.
void writeXlmrTokenizerConfig(const std::string &folder, std::size_t modelMaxLength,
    const std::vector<AddedToken> &addedTokens, TruncationSide truncationSide = TruncationSide::Right);

} // namespace pairtune
