#include "text/spmmodelproto.h"

#include "core/error.h"
#include "io/fileutil.h"

#include <cstring>

namespace pairtune {

namespace {

// Protobuf wire types.
enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 };

// Field numbers of sentencepiece_model.proto.
namespace field {
constexpr int Pieces = 1, TrainerSpec = 2, NormalizerSpec = 3;
constexpr int PiecePiece = 1, PieceScore = 2, PieceType = 3;
constexpr int TrainerModelType = 3, TrainerVocabSize = 4, TrainerByteFallback = 35, TrainerUnkId = 40,
              TrainerBosId = 41, TrainerEosId = 42, TrainerPadId = 43;
constexpr int NormName = 1, NormCharsmap = 2, NormAddDummyPrefix = 3, NormRemoveExtraWhitespaces = 4,
              NormEscapeWhitespaces = 5;
} // namespace field

// Reads one message's fields. Offsets in errors are relative to the whole file.
class WireReader
{
public:
    WireReader(std::string_view data, std::size_t base, const std::string &path)
        : m_data(data)
        , m_base(base)
        , m_path(path)
    { }

    bool atEnd() const { return m_pos >= m_data.size(); }
    std::size_t offset() const { return m_base + m_pos; }

    // Reads a tag; returns the field number and sets the wire type.
    int readTag(int &wireType)
    {
        const std::size_t at = offset();
        const std::uint64_t tag = readVarint();
        wireType = static_cast<int>(tag & 7);
        const std::uint64_t number = tag >> 3;
        if (number == 0 || number > 536870911)
            fail(at, "invalid field number " + std::to_string(number));
        return static_cast<int>(number);
    }

    std::uint64_t readVarint()
    {
        const std::size_t start = offset();
        std::uint64_t value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (atEnd())
                fail(start, "truncated varint");
            const auto byte = static_cast<unsigned char>(m_data[m_pos++]);
            value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
            if (!(byte & 0x80))
                return value;
        }
        fail(start, "varint longer than 10 bytes");
    }

    std::uint32_t readFixed32()
    {
        if (m_data.size() - m_pos < 4)
            fail(offset(), "truncated 32-bit field");
        std::uint32_t value = 0;
        for (int i = 3; i >= 0; --i)
            value = (value << 8) | static_cast<unsigned char>(m_data[m_pos + i]);
        m_pos += 4;
        return value;
    }

    // Returns the payload of a length-delimited field and the file offset where it starts.
    std::string_view readBytes(std::size_t &payloadOffset)
    {
        const std::size_t at = offset();
        const std::uint64_t size = readVarint();
        if (size > m_data.size() - m_pos)
            fail(at, "length " + std::to_string(size) + " runs past the end of the data");
        payloadOffset = offset();
        const std::string_view bytes = m_data.substr(m_pos, size);
        m_pos += size;
        return bytes;
    }

    void skip(int wireType)
    {
        std::size_t ignored = 0;
        switch (wireType) {
        case Varint:
            readVarint();
            return;
        case Fixed64:
            if (m_data.size() - m_pos < 8)
                fail(offset(), "truncated 64-bit field");
            m_pos += 8;
            return;
        case LengthDelimited:
            readBytes(ignored);
            return;
        case Fixed32:
            readFixed32();
            return;
        default:
            // Groups are obsolete and never used by sentencepiece; anything else is not protobuf.
            fail(offset(), "unexpected wire type " + std::to_string(wireType));
        }
    }

    void expect(int wireType, int expected, int number, const char *what)
    {
        if (wireType != expected)
            fail(offset(),
                std::string("field ") + what + " (" + std::to_string(number) + ") has wire type "
                    + std::to_string(wireType) + ", expected " + std::to_string(expected));
    }

    [[noreturn]] void fail(std::size_t at, const std::string &message) const
    {
        throw Error(locate(m_path, 0, 0,
            "not a valid sentencepiece model (byte " + std::to_string(at) + ": " + message + ")"));
    }

private:
    std::string_view m_data;
    std::size_t m_base;
    std::size_t m_pos = 0;
    const std::string &m_path;
};

int readInt32(WireReader &reader, int wireType, int number, const char *what)
{
    reader.expect(wireType, Varint, number, what);
    // int32 fields are sign-extended to 64 bits on the wire (-1 takes 10 bytes).
    return static_cast<int>(static_cast<std::int64_t>(reader.readVarint()));
}

float readFloat(WireReader &reader, int wireType, int number, const char *what)
{
    reader.expect(wireType, Fixed32, number, what);
    const std::uint32_t bits = reader.readFixed32();
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    return value;
}

SpmModelProto::Piece parsePiece(std::string_view data, std::size_t base, const std::string &path)
{
    WireReader reader(data, base, path);
    SpmModelProto::Piece piece;
    while (!reader.atEnd()) {
        int wireType = 0;
        const int number = reader.readTag(wireType);
        std::size_t at = 0;
        if (number == field::PiecePiece) {
            reader.expect(wireType, LengthDelimited, number, "piece");
            piece.piece = std::string(reader.readBytes(at));
        } else if (number == field::PieceScore) {
            piece.score = readFloat(reader, wireType, number, "score");
        } else if (number == field::PieceType) {
            piece.type = readInt32(reader, wireType, number, "type");
        } else {
            reader.skip(wireType);
        }
    }
    return piece;
}

void parseTrainerSpec(std::string_view data, std::size_t base, const std::string &path, SpmModelProto &model)
{
    WireReader reader(data, base, path);
    while (!reader.atEnd()) {
        int wireType = 0;
        const int number = reader.readTag(wireType);
        switch (number) {
        case field::TrainerModelType:
            model.modelType = readInt32(reader, wireType, number, "model_type");
            break;
        case field::TrainerVocabSize:
            model.vocabSize = readInt32(reader, wireType, number, "vocab_size");
            break;
        case field::TrainerByteFallback:
            model.byteFallback = readInt32(reader, wireType, number, "byte_fallback") != 0;
            break;
        case field::TrainerUnkId:
            model.unkId = readInt32(reader, wireType, number, "unk_id");
            break;
        case field::TrainerBosId:
            model.bosId = readInt32(reader, wireType, number, "bos_id");
            break;
        case field::TrainerEosId:
            model.eosId = readInt32(reader, wireType, number, "eos_id");
            break;
        case field::TrainerPadId:
            model.padId = readInt32(reader, wireType, number, "pad_id");
            break;
        default:
            reader.skip(wireType);
        }
    }
}

void parseNormalizerSpec(
    std::string_view data, std::size_t base, const std::string &path, SpmModelProto &model)
{
    WireReader reader(data, base, path);
    while (!reader.atEnd()) {
        int wireType = 0;
        const int number = reader.readTag(wireType);
        std::size_t at = 0;
        switch (number) {
        case field::NormName:
            reader.expect(wireType, LengthDelimited, number, "name");
            model.normalizerName = std::string(reader.readBytes(at));
            break;
        case field::NormCharsmap:
            reader.expect(wireType, LengthDelimited, number, "precompiled_charsmap");
            model.precompiledCharsmap = std::string(reader.readBytes(at));
            break;
        case field::NormAddDummyPrefix:
            model.addDummyPrefix = readInt32(reader, wireType, number, "add_dummy_prefix") != 0;
            break;
        case field::NormRemoveExtraWhitespaces:
            model.removeExtraWhitespaces
                = readInt32(reader, wireType, number, "remove_extra_whitespaces") != 0;
            break;
        case field::NormEscapeWhitespaces:
            model.escapeWhitespaces = readInt32(reader, wireType, number, "escape_whitespaces") != 0;
            break;
        default:
            reader.skip(wireType);
        }
    }
}

// Writing: only the shapes sentencepiece's fields need.
void putVarint(std::string &out, std::uint64_t value)
{
    while (value >= 0x80) {
        out.push_back(static_cast<char>((value & 0x7F) | 0x80));
        value >>= 7;
    }
    out.push_back(static_cast<char>(value));
}

void putTag(std::string &out, int number, int wireType)
{
    putVarint(out, (static_cast<std::uint64_t>(number) << 3) | static_cast<std::uint64_t>(wireType));
}

void putInt32(std::string &out, int number, int value)
{
    putTag(out, number, Varint);
    putVarint(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(value)));
}

void putBytes(std::string &out, int number, std::string_view bytes)
{
    putTag(out, number, LengthDelimited);
    putVarint(out, bytes.size());
    out.append(bytes);
}

void putFloat(std::string &out, int number, float value)
{
    putTag(out, number, Fixed32);
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

} // namespace

SpmModelProto SpmModelProto::parse(std::string_view bytes, const std::string &pathForMessages)
{
    SpmModelProto model;
    WireReader reader(bytes, 0, pathForMessages);
    while (!reader.atEnd()) {
        int wireType = 0;
        const int number = reader.readTag(wireType);
        std::size_t at = 0;
        if (number == field::Pieces || number == field::TrainerSpec || number == field::NormalizerSpec) {
            reader.expect(wireType, LengthDelimited, number, "of ModelProto");
            const std::string_view payload = reader.readBytes(at);
            if (number == field::Pieces)
                model.pieces.push_back(parsePiece(payload, at, pathForMessages));
            else if (number == field::TrainerSpec)
                parseTrainerSpec(payload, at, pathForMessages, model);
            else
                parseNormalizerSpec(payload, at, pathForMessages, model);
        } else {
            reader.skip(wireType);
        }
    }
    if (model.pieces.empty())
        throw Error(locate(pathForMessages, 0, 0, "not a valid sentencepiece model: it has no pieces"));
    for (std::size_t i = 0; i < model.pieces.size(); ++i)
        if (model.pieces[i].piece.empty())
            throw Error(locate(pathForMessages, 0, 0,
                "not a valid sentencepiece model: piece " + std::to_string(i) + " is empty"));
    if (model.unkId < 0 || static_cast<std::size_t>(model.unkId) >= model.pieces.size())
        throw Error(locate(pathForMessages, 0, 0,
            "not a valid sentencepiece model: unk_id " + std::to_string(model.unkId) + " is outside the "
                + std::to_string(model.pieces.size()) + " pieces"));
    return model;
}

SpmModelProto SpmModelProto::readFile(const std::string &path)
{
    return parse(readFileBytes(path), path);
}

std::string SpmModelProto::serialize() const
{
    std::string out;
    for (const Piece &piece : pieces) {
        std::string message;
        putBytes(message, field::PiecePiece, piece.piece);
        putFloat(message, field::PieceScore, piece.score);
        if (piece.type != Normal)
            putInt32(message, field::PieceType, piece.type);
        putBytes(out, field::Pieces, message);
    }
    std::string trainer;
    putInt32(trainer, field::TrainerModelType, modelType);
    putInt32(trainer, field::TrainerVocabSize, vocabSize);
    if (byteFallback)
        putInt32(trainer, field::TrainerByteFallback, 1);
    putInt32(trainer, field::TrainerUnkId, unkId);
    putInt32(trainer, field::TrainerBosId, bosId);
    putInt32(trainer, field::TrainerEosId, eosId);
    putInt32(trainer, field::TrainerPadId, padId);
    putBytes(out, field::TrainerSpec, trainer);
    std::string normalizer;
    if (!normalizerName.empty())
        putBytes(normalizer, field::NormName, normalizerName);
    if (!precompiledCharsmap.empty())
        putBytes(normalizer, field::NormCharsmap, precompiledCharsmap);
    putInt32(normalizer, field::NormAddDummyPrefix, addDummyPrefix ? 1 : 0);
    putInt32(normalizer, field::NormRemoveExtraWhitespaces, removeExtraWhitespaces ? 1 : 0);
    putInt32(normalizer, field::NormEscapeWhitespaces, escapeWhitespaces ? 1 : 0);
    putBytes(out, field::NormalizerSpec, normalizer);
    return out;
}

} // namespace pairtune
