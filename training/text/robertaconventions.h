#pragma once

// transformers' conventions for RoBERTa's "slow" tokenizer files: a folder with vocab.json and merges.txt
// but no tokenizer.json is converted as RobertaConverter does it (byte-level BPE without unk, ByteLevel
// pre-tokenizer with tokenizer_config.json's add_prefix_space, RobertaProcessing "<s> $A </s>", the
// special tokens of tokenizer_config.json, <mask> with lstrip).

#include <nlohmann/json.hpp>

#include <string>

namespace pairtune {

// The tokenizer.json the conversion gives; throws pairtune::Error naming the file at fault.
nlohmann::json robertaTokenizerJson(const std::string &folder);

} // namespace pairtune
