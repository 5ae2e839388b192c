#pragma once

// A deterministic multilingual training corpus for the XLM-R tokenizer tests.

#include <string>
#include <vector>

namespace xlmrtest {

// count sentences: English, French, German, Spanish, Russian, Greek, Chinese and Japanese words,
// accents, digits, dates, punctuation, brackets and quotes.
std::vector<std::string> corpusSentences(int count);

// Writes the sentences, one per line, to path; returns false on failure.
bool writeCorpus(const std::string &path, const std::vector<std::string> &sentences);

} // namespace xlmrtest
