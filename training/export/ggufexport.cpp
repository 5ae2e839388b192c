#include "export/ggufexport.h"

#include "core/error.h"

namespace pairtune {

std::optional<GgufType> parseGgufType(std::string_view name)
{
    if (name == "f32")
        return GgufType::F32;
    if (name == "f16")
        return GgufType::F16;
    if (name == "q8_0")
        return GgufType::Q8_0;
    return std::nullopt;
}

std::string ggufTypeName(GgufType type)
{
    switch (type) {
    case GgufType::F32:
        return "f32";
    case GgufType::F16:
        return "f16";
    case GgufType::Q8_0:
        return "q8_0";
    }
    return "f32";
}

std::string ggufFileName(GgufType type)
{
    return "gguf/model-" + ggufTypeName(type) + ".gguf";
}

std::string ggufUnsupportedReason(const SentenceModel &, GgufType)
{
    return "GGUF export is not implemented yet";
}

void writeGgufModel(const SentenceModel &, const std::string &, GgufType, const ExportCallbacks &)
{
    throw Error("GGUF export is not implemented yet");
}

} // namespace pairtune
