#pragma once

// The Transformer module's own config file (sentence_bert_config.json, or one of the names
// sentence-transformers 0.x used), in the forms sentence-transformers 2.0 to 6.x write:
//   up to 5.3: {"max_seq_length": 256, "do_lower_case": false}
//   5.4+:      {"transformer_task": "feature-extraction", "modality_config": {"text": {"method":
//              "forward", "method_output_name": "last_hidden_state"}}, "module_output_name":
//              "token_embeddings"} with max_seq_length moved to tokenizer_config.json's model_max_length.

#include <optional>
#include <string>

namespace pairtune {

struct TransformerModuleConfig
{
    std::string path; // the file read; empty when the folder has none
    std::optional<int> maxSeqLength; // the legacy key, when present
    bool doLowerCase = false;
};

// Reads the first config file Transformer.load would find in dir. Throws pairtune::Error naming the
// file for wrong types and for 5.4+ settings that make the module something other than a sentence
// embedder (a CrossEncoder's or SparseEncoder's transformer_task, other outputs or modalities).
TransformerModuleConfig readTransformerModuleConfig(const std::string &dir);

} // namespace pairtune
