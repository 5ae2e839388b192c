#pragma once

// A sentencepiece .model file (a serialized sentencepiece.ModelProto) read and written directly in the
// protobuf wire format, without protobuf or sentencepiece: converting a model to tokenizer.json must
// work where the sentencepiece shim is absent. Only the fields Pairtune uses are kept; writing gives
// a smaller but complete model that sentencepiece loads.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

struct SpmModelProto
{
    // ModelProto.SentencePiece.Type
    enum PieceType { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };
    // TrainerSpec.ModelType
    enum ModelType { Unigram = 1, Bpe = 2, Word = 3, Char = 4 };

    struct Piece
    {
        std::string piece;
        float score = 0.0f;
        int type = Normal;
    };

    std::vector<Piece> pieces;

    // trainer_spec (proto2 defaults when absent)
    int modelType = Unigram;
    int vocabSize = 8000;
    int unkId = 0;
    int bosId = 1;
    int eosId = 2;
    int padId = -1;
    bool byteFallback = false;

    // normalizer_spec
    std::string normalizerName;
    std::string precompiledCharsmap; // raw bytes; empty for the identity normalizer
    bool addDummyPrefix = true;
    bool removeExtraWhitespaces = true;
    bool escapeWhitespaces = true;

    // Parses the bytes of a .model file; throws pairtune::Error naming pathForMessages and the byte
    // offset when they are not a sentencepiece model.
    static SpmModelProto parse(std::string_view bytes, const std::string &pathForMessages);
    static SpmModelProto readFile(const std::string &path);

    // The wire-format bytes of this model (a valid .model file).
    std::string serialize() const;
};

} // namespace pairtune
