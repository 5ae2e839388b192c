#include "text/sentencepiecetokenizer.h"

#include "core/error.h"
#include "core/log.h"
#include "io/fileutil.h"
#include "io/jsonfile.h"
#include "text/spmmodelproto.h"
#include "text/templatepostprocessor.h"
#include "text/tokenizerfactories.h"
#include "text/utf8.h"
#include "text/xlmrconventions.h"

#include <filesystem>

namespace fs = std::filesystem;

namespace pairtune {

namespace {

constexpr std::int64_t kBosId = 0;
constexpr std::int64_t kPadId = 1;
constexpr std::int64_t kEosId = 2;
constexpr std::int64_t kUnkId = 3;
constexpr std::int64_t kFairseqOffset = 1;

} // namespace

SentencePieceTokenizer::SentencePieceTokenizer(std::string modelBytes, const std::string &pathForMessages)
    : m_modelBytes(std::move(modelBytes))
    , m_path(pathForMessages)
{
    m_model = SentencePieceShim::instance().loadModel(m_modelBytes, m_path);
    m_pieceCount = m_model->pieceCount();
    if (m_pieceCount < 3)
        throw Error(locate(m_path, 0, 0,
            "an XLM-R sentencepiece model needs at least <unk>, <s> and </s>; this one has "
                + std::to_string(m_pieceCount) + " pieces"));
    // The fairseq mapping assumes sentencepiece's default layout; another one silently shifts ids in
    // transformers too, so say so.
    if (m_model->idToPiece(0) != "<unk>" || m_model->idToPiece(1) != "<s>" || m_model->idToPiece(2) != "</s>")
        logWarning(
            m_path + ": sentencepiece ids 0-2 are not <unk>, <s>, </s>; XLM-R's id mapping assumes they are");
    for (const AddedToken &token : xlmrSpecialTokens(maskId()))
        m_specialTokens.add(decodeUtf8(token.content), token);
}

std::unique_ptr<SentencePieceTokenizer> SentencePieceTokenizer::fromModelFile(const std::string &modelPath)
{
    return std::make_unique<SentencePieceTokenizer>(readFileBytes(modelPath), modelPath);
}

void SentencePieceTokenizer::encodeContent(
    std::string_view text, std::vector<std::int64_t> *ids, std::vector<std::string> *pieces) const
{
    const std::u32string text32 = decodeUtf8(text); // ill-formed UTF-8 becomes U+FFFD, as in Python
    std::vector<AddedTokenMatcher::Segment> segments;
    m_specialTokens.split(text32, segments);
    for (const AddedTokenMatcher::Segment &segment : segments) {
        if (segment.id >= 0) {
            if (ids)
                ids->push_back(segment.id);
            if (pieces)
                pieces->push_back(idToToken(segment.id));
            continue;
        }
        const std::string plain
            = encodeUtf8(std::u32string_view(text32).substr(segment.begin, segment.end - segment.begin));
        for (SpmPiece &piece : m_model->encode(plain)) {
            if (ids) {
                // XLMRobertaTokenizer._convert_token_to_id: fairseq tokens first, then spm id + 1,
                // with spm id 0 (<unk>) mapped to <unk>.
                std::int64_t id = 0;
                if (piece.piece == "<s>")
                    id = kBosId;
                else if (piece.piece == "<pad>")
                    id = kPadId;
                else if (piece.piece == "</s>")
                    id = kEosId;
                else if (piece.piece == "<unk>")
                    id = kUnkId;
                else if (piece.piece == "<mask>")
                    id = maskId();
                else
                    id = piece.id > 0 ? piece.id + kFairseqOffset : kUnkId;
                ids->push_back(id);
            }
            if (pieces)
                pieces->push_back(std::move(piece.piece));
        }
    }
}

Encoding SentencePieceTokenizer::encode(std::string_view text, std::size_t maxLength) const
{
    std::vector<std::int64_t> content;
    encodeContent(text, &content, nullptr);
    static const SpecialTokenFrame frame { { kBosId }, { 0 }, { kEosId }, { 0 }, 0 };
    return frame.apply(std::move(content), maxLength, m_truncationSide);
}

std::vector<std::string> SentencePieceTokenizer::tokenize(std::string_view text) const
{
    std::vector<std::string> pieces;
    encodeContent(text, nullptr, &pieces);
    return pieces;
}

std::string SentencePieceTokenizer::idToToken(std::int64_t id) const
{
    switch (id) {
    case kBosId:
        return "<s>";
    case kPadId:
        return "<pad>";
    case kEosId:
        return "</s>";
    case kUnkId:
        return "<unk>";
    default:
        break;
    }
    if (id == maskId())
        return "<mask>";
    if (id < 0 || id > maskId())
        throw Error(locate(m_path, 0, 0,
            "token id " + std::to_string(id) + " is outside the vocabulary of " + std::to_string(vocabSize())
                + " tokens"));
    return m_model->idToPiece(static_cast<int>(id - kFairseqOffset));
}

void SentencePieceTokenizer::save(const std::string &folder, std::size_t modelMaxLength) const
{
    const fs::path dir(folder);
    const SpmModelProto proto = SpmModelProto::parse(m_modelBytes, m_path);
    if (proto.modelType == SpmModelProto::Unigram) {
        writeJsonFile((dir / "tokenizer.json").string(), xlmrTokenizerJson(proto, m_path), 2);
    } else {
        logWarning(m_path
            + ": a BPE sentencepiece model is saved without tokenizer.json; Python converts "
              "sentencepiece.bpe.model itself (it needs the sentencepiece and protobuf packages)");
    }
    writeXlmrTokenizerConfig(folder, modelMaxLength, xlmrSpecialTokens(maskId()), m_truncationSide);
    writeFileAtomic((dir / "sentencepiece.bpe.model").string(), m_modelBytes);
}

std::unique_ptr<Tokenizer> makeSentencePieceTokenizerFromFolder(const std::string &folder)
{
    const fs::path path = fs::path(folder) / "sentencepiece.bpe.model";
    if (!fs::exists(path))
        throw Error(locate(folder, 0, 0, "no sentencepiece.bpe.model in the model folder"), Error::Kind::Io);
    return SentencePieceTokenizer::fromModelFile(path.string());
}

std::unique_ptr<Tokenizer> makeSentencePieceTokenizerFromModelFile(const std::string &modelPath)
{
    return SentencePieceTokenizer::fromModelFile(modelPath);
}

} // namespace pairtune
