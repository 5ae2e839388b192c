#pragma once

// Torch-free: `pairtune-cli export` and the studio's Try & Export. A model folder is copied into a
// staging folder next to the destination (io/atomicdirectory.h), the chosen formats are written into
// that copy (onnx/..., gguf/...), and only then is it renamed into place: a bad target, a full disk, an
// architecture a format cannot hold or a stop leave nothing at the destination.

#include "export/exportcallbacks.h"
#include "export/ggufexport.h"

#include <string>
#include <vector>

namespace pairtune {

class SentenceModel;

// What to write besides the sentence-transformers folder, which is always written.
struct ExportFormats
{
    bool onnx = false; // onnx/model.onnx and onnx/sentence_embedding.onnx (export/onnxexport.h)
    bool onnxFloat16 = false; // also their *_fp16.onnx variants
    bool gguf = false; // gguf/model-<type>.gguf (export/ggufexport.h)
    GgufType ggufType = GgufType::F32;
    bool float16Weights = false; // the folder's safetensors as float16 (`export --float16`)

    bool anyBesidesFolder() const { return onnx || gguf; }
};

// Every reason these formats cannot be written for the model, one per format ("ONNX: ...", "GGUF
// q8_0: ..."); empty when all can.
std::vector<std::string> exportFormatProblems(const SentenceModel &model, const ExportFormats &formats);

// For a choice shown before exporting (the studio): why each format cannot be written for this model,
// "" where it can.
struct FormatAvailability
{
    std::string onnx;
    std::string ggufF32;
    std::string ggufF16;
    std::string ggufQ8_0;
    // What the lines that use an export need: whether the ONNX graphs take token_type_ids, the pooling
    // (summary().pooling: "mean", "cls", "lasttoken", ...) and "first text" as the model tokenizes it.
    bool takesTokenTypes = false;
    std::string pooling;
    std::vector<long long> exampleIds;

    const std::string &gguf(GgufType type) const;
};
FormatAvailability formatAvailability(const SentenceModel &model);
// Loads the model folder first (throws Error when it is none).
FormatAvailability formatAvailability(const std::string &modelFolder);

struct ExportedModel
{
    std::string source; // the model folder copied
    std::string destination; // absolute
    std::vector<std::string> files; // the format files written, relative to destination ("onnx/model.onnx")
};

// Exports the model folder at source (a run's model/, best/ or a checkpoint's model/, any model folder,
// the built-in model) to destination, which must not exist; its parent folders are created. Without
// formats the folder's bytes are copied unchanged (as exportFromRun does). With any, the formats are
// checked first (exportFormatProblems: nothing is written when one cannot be) and written into the
// staged copy. Progress in [0, 1] and stops through callbacks; throws Error (Kind::Cancelled for a
// stop) naming the path and what to do.
ExportedModel exportModelFolder(const std::string &source, const std::string &destination,
    const ExportFormats &formats, const ExportCallbacks &callbacks = {});

} // namespace pairtune
