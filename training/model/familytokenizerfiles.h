#pragma once

// Torch-free. What transformers' save_pretrained writes into tokenizer_config.json and
// special_tokens_map.json for a model family, over what the tokenizer wrote itself. A tokenizer saves
// its own kind's conventions (Pairtune's WordPiece tokenizer: BertTokenizer's files), but Python names
// the tokenizer class of the family AutoTokenizer picks (tokenization_utils_base.save_pretrained: the fast
// class without its "Fast" suffix, except PreTrainedTokenizerFast) and that class's special tokens:
//   distilbert + WordPiece: DistilBertTokenizer (BERT's special tokens);
//   mpnet + WordPiece:      MPNetTokenizer, bos <s>, eos </s>, cls <s>, sep </s>, pad <pad>, mask <mask>,
//                           unk [UNK] (MPNetTokenizer's defaults, as all-mpnet-base-v2 carries them);
//   roberta + byte-level BPE without a tokenizer_config.json of its own: RobertaTokenizer, bos/cls <s>,
//                           eos/sep </s>, pad <pad>, mask <mask>, unk <unk>;
//   modernbert + byte-level BPE without one: PreTrainedTokenizerFast with [CLS] [SEP] [PAD] [MASK] [UNK]
//                           (answerdotai/ModernBERT-base's tokenizer_config.json).
// Other combinations (BERT; a family with another family's tokenizer; a tokenizer_config.json carried
// from the model read) are left as the tokenizer wrote them. Only tokens in the vocabulary are named.

#include "text/tokenizer.h"

#include <string>

namespace pairtune {

// folder: where tokenizer.save() has just written its files. Throws pairtune::Error (I/O).
void applyFamilyTokenizerFiles(
    const std::string &folder, const std::string &modelType, const Tokenizer &tokenizer);

} // namespace pairtune
