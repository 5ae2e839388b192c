#pragma once

// Training a new sentencepiece vocabulary (for a built-in XLM-R model created from scratch).
// Torch-free; runs sentencepiece through the run-time loaded shim (text/sentencepieceshim.h).

#include <string>

namespace pairtune {

// Trains a sentencepiece model on textFile (UTF-8, one sentence per line) and writes the .model file
// to modelOut. modelType is "unigram" (as XLM-R) or "bpe". Uses XLM-R's layout and normalization:
// <unk> 0, <s> 1, </s> 2, nmt_nfkc, character coverage 0.9995. vocabSize counts those three pieces;
// a corpus too small for it gives fewer pieces rather than failing. Throws pairtune::Error.
void trainSentencePiece(const std::string &textFile, const std::string &modelOut, int vocabSize,
    const std::string &modelType = "unigram");

} // namespace pairtune
