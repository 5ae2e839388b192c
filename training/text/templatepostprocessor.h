#pragma once

// tokenizer.json's post_processor as Hugging Face tokenizers reads it (TemplateProcessing, BertProcessing,
// RobertaProcessing, ByteLevel, Sequence), and the frame of special tokens it puts around one text,
// with the truncation transformers asks for (truncation_side right or left).

#include "text/tokenizer.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pairtune {

// One piece of a TemplateProcessing template: a special token (by name) or the sequence $A / $B.
struct TemplatePiece
{
    bool isSequence = false;
    std::string id; // "A"/"B" for a sequence, else the special token's name
    std::int64_t typeId = 0;
};

// An entry of TemplateProcessing's special_tokens map.
struct TemplateSpecialToken
{
    std::string name;
    std::vector<std::int64_t> ids;
    std::vector<std::string> tokens;
};

struct TemplatePostProcessor
{
    std::vector<TemplatePiece> single;
    std::vector<TemplatePiece> pair;
    std::vector<TemplateSpecialToken> specialTokens;

    // "[CLS]:0 $A:0 [SEP]:0" / "... $B:1 [SEP]:1" with ids from the vocabulary.
    static TemplatePostProcessor bert(
        const std::string &cls, std::int64_t clsId, const std::string &sep, std::int64_t sepId);
    // RobertaProcessing: "<s> $A </s>" / "<s> $A </s> </s> $B </s>", every type id 0.
    static TemplatePostProcessor roberta(
        const std::string &cls, std::int64_t clsId, const std::string &sep, std::int64_t sepId);

    // tokenizer.json's post_processor: nullopt for null, ByteLevel, or a Sequence without special tokens.
    // Throws pairtune::Error naming source for a type that adds tokens in a way Pairtune cannot follow.
    static std::optional<TemplatePostProcessor> fromJson(
        const nlohmann::json &post, const std::string &source);
};

// The special tokens around one text (the single template), ready to apply.
struct SpecialTokenFrame
{
    std::vector<std::int64_t> prefixIds, prefixTypeIds, suffixIds, suffixTypeIds;
    std::int64_t sequenceTypeId = 0;

    // From a template whose special-token ids must lie in [0, maxId]; no template: no special tokens.
    static SpecialTokenFrame fromTemplate(
        const std::optional<TemplatePostProcessor> &post, std::int64_t maxId, const std::string &source);

    std::size_t specialCount() const { return prefixIds.size() + suffixIds.size(); }

    // content framed by the special tokens; with maxLength > 0 the content is first cut, at its end or at
    // its start (side), so that the result holds at most maxLength ids, as transformers truncates one
    // text ("longest_first"). Throws pairtune::Error when maxLength cannot hold the special tokens.
    Encoding apply(std::vector<std::int64_t> content, std::size_t maxLength, TruncationSide side) const;
};

} // namespace pairtune
