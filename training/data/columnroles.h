#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

// The column names Pairtune recognises, in the spellings sentence-transformers datasets use
// (anchor/positive/negative, sentence1/sentence2, text1/text2, query/answer, question, score/label ...).
enum class ColumnRole { Unknown, Anchor, Positive, Negative, Score };

// Lower case without spaces, '_' and '-': "Sentence_1" -> "sentence1".
std::string normalizeColumnName(std::string_view name);
ColumnRole roleOfColumnName(std::string_view name);

// True when a first row reads as column names: every field is short and name-like and at least one
// is a known role. A sentence like "What is BM25?" is never a header.
bool looksLikeHeader(const std::vector<std::string> &fields);

// The pairs of names that are tried, for messages.
std::string knownPairNames();

// A finite number written in plain decimal or exponent notation, surrounding spaces allowed.
std::optional<double> parseNumber(std::string_view text);

} // namespace pairtune
