#pragma once

// Torch-free (internal to the GGUF export): which of a model's encoders llama.cpp can run and the
// architecture keys and tensors it needs, as convert_hf_to_gguf.py's BertModel, DistilBertModel,
// RobertaModel, XLMRobertaModel and ModernBertModel write them and llama.cpp's loader reads them
// (src/models/bert.cpp, src/models/modern-bert.cpp):
//   bert (BERT, DistilBERT, RoBERTa, XLM-R): token_embd, token_types (where the family has them),
//     position_embd (RoBERTa-style tables without their first pad_token_id + 1 rows, as llama.cpp counts
//     positions from 0), token_embd_norm, blk.N.attn_{q,k,v,output}, attn_output_norm, ffn_up, ffn_down,
//     layer_output_norm; keys bert.context_length, embedding_length, feed_forward_length, block_count,
//     attention.head_count, attention.layer_norm_epsilon, attention.causal = false, pooling_type.
//   modern-bert: token_embd, token_embd_norm, blk.N.attn_norm (not layer 0), attn_qkv, attn_output,
//     ffn_norm, ffn_up (Wi, gate and up), ffn_down, output_norm; the sliding window keys and rope bases.
// Weight matrices take the file's type; 1-D tensors, norms, position_embd and token_types stay F32, and
// a matrix whose rows are not a multiple of 32 falls back from Q8_0 to F16 (as the converter does).

#include "export/ggufvocab.h"
#include "export/ggufwriter.h"

#include <string>

namespace pairtune {

class SentenceModel;

// "" when llama.cpp has a graph that computes this encoder, pooling and head exactly.
std::string ggufModelUnsupportedReason(const SentenceModel &model);

// Adds general.* and the architecture's keys and every tensor. weights: F32, F16 or Q8_0.
void addGgufModel(GgufWriter &writer, const SentenceModel &model, GgmlType weights, const std::string &name);

// What the tokenizer metadata needs from config.json: vocab_size, type_vocab_size (1 where the family has
// none, as the converter's default), the padding id and the BPE pre-tokenizer name.
GgufVocabOptions ggufVocabOptions(const SentenceModel &model);

} // namespace pairtune
