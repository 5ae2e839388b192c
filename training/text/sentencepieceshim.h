#pragma once

// The run-time loaded sentencepiece library (the pairtune_spmshim module, text/spmshim/).
// pairtune_text never links sentencepiece: its bundled protobuf 3.14 crashes a process that also holds
// LibTorch's protobuf 3.21 (docs/pitfalls.md §2). The shim is found and dlopen'ed on first use.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pairtune {

// One piece of a sentencepiece encoding and its sentencepiece id (PieceToId of the piece, so an
// unknown stretch of text keeps its surface form and gets the unk id).
struct SpmPiece
{
    std::string piece;
    int id = 0;
};

// Options of sentencepiece training. The defaults give an XLM-R style model: unk 0, <s> 1, </s> 2.
struct SpmTrainOptions
{
    std::string inputFile; // UTF-8 text, one sentence per line
    int vocabSize = 8000; // pieces including <unk>, <s>, </s>
    std::string modelType = "unigram"; // "unigram" or "bpe"
    double characterCoverage = 0.9995; // rarer characters become <unk>
    std::string normalizationRuleName = "nmt_nfkc"; // as XLM-R's model
    int numThreads = 0; // 0: the number of hardware threads
    bool hardVocabLimit = false; // false: a small corpus may give fewer pieces
    std::vector<std::pair<std::string, std::string>> extraOptions; // other sentencepiece flags, verbatim
};

class SentencePieceShim
{
public:
    class Model;

    // The process-wide shim, loaded on first use from the first of candidatePaths() that exists.
    // Throws pairtune::Error listing what was tried (with dlerror()) when none loads.
    static const SentencePieceShim &instance();

    // Loads the shim from one file (for tests and diagnostics); throws pairtune::Error with dlerror().
    static std::unique_ptr<SentencePieceShim> loadFrom(const std::string &path);

    // Where instance() looks, in order: $PAIRTUNE_SPMSHIM (a full path, when set), next to the running
    // executable, <exe>/../lib/pairtune, <exe>/../lib, <exe>/../<libdir>/pairtune, the install
    // location, and the build tree.
    static std::vector<std::string> candidatePaths();

    ~SentencePieceShim();
    SentencePieceShim(const SentencePieceShim &) = delete;
    SentencePieceShim &operator=(const SentencePieceShim &) = delete;

    const std::string &path() const { return m_path; }

    // Loads a model from the bytes of a .model file; pathForMessages names it in errors.
    std::unique_ptr<Model> loadModel(std::string_view modelBytes, const std::string &pathForMessages) const;

    // Trains a model; returns the bytes of the .model file. Throws pairtune::Error on failure.
    std::string train(const SpmTrainOptions &options) const;

private:
    struct Api;
    SentencePieceShim(void *handle, std::string path, std::unique_ptr<Api> api);

    void *m_handle = nullptr;
    std::string m_path;
    std::unique_ptr<Api> m_api;
};

// A loaded sentencepiece model. Immutable; safe to use from several threads.
class SentencePieceShim::Model
{
public:
    ~Model();
    Model(const Model &) = delete;
    Model &operator=(const Model &) = delete;

    int pieceCount() const;
    std::string idToPiece(int id) const; // throws pairtune::Error for an id out of range
    float score(int id) const;
    int pieceToId(std::string_view piece) const; // the unk id for an unknown piece
    std::vector<SpmPiece> encode(std::string_view text) const;
    std::string serializedModel() const;

private:
    friend class SentencePieceShim;
    Model(const SentencePieceShim::Api *api, void *model, std::string pathForMessages);

    const SentencePieceShim::Api *m_api;
    void *m_model;
    std::string m_pathForMessages;
};

} // namespace pairtune
