#include "export/ggufquant.h"

#include "core/error.h"
#include "io/halffloat.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

namespace pairtune {
namespace {

void appendQ8Block(std::string &out, const float *x)
{
    float amax = 0.0f;
    for (std::size_t j = 0; j < kQ8BlockSize; ++j)
        amax = std::max(amax, std::fabs(x[j]));
    // fabs(NaN) never wins std::max, so NaN is looked for on its own.
    if (!std::isfinite(amax) || std::any_of(x, x + kQ8BlockSize, [](float v) { return std::isnan(v); }))
        throw Error("GGUF: Q8_0 cannot encode NaN or infinite values (a bug: the export checks the weights "
                    "before writing)");
    const float d = amax / 127.0f;
    // For d below ~3e-39, 1 / d overflows to infinity (0 * inf = NaN): such a block is all zeros in f16.
    const float inverse = d != 0.0f ? 1.0f / d : 0.0f;
    const float id = std::isfinite(inverse) ? inverse : 0.0f;
    appendGgufBytes<std::uint16_t>(out, floatToHalf(d));
    for (std::size_t j = 0; j < kQ8BlockSize; ++j)
        // |x| <= amax keeps |x * id| at 127 up to rounding; the clamp makes the int8 cast defined regardless.
        appendGgufBytes<std::int8_t>(out, std::int8_t(std::clamp(std::roundf(x[j] * id), -127.0f, 127.0f)));
}

} // namespace

void requireFiniteValues(const float *values, std::size_t count, const std::string &tensor)
{
    const float *bad = std::find_if(values, values + count, [](float v) { return !std::isfinite(v); });
    if (bad == values + count)
        return;
    const std::string what = std::isnan(*bad) ? "NaN" : (*bad > 0 ? "+infinity" : "-infinity");
    throw Error("GGUF: " + tensor + " holds " + what + " at position " + std::to_string(bad - values) + " of "
        + std::to_string(count)
        + "; a model with NaN or infinite weights gives only NaN embeddings, so no GGUF file was written "
          "(the weights are damaged: a run that diverged? export a checkpoint from before it)");
}

void appendGgmlValues(std::string &out, const float *values, std::size_t count, GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
        out.append(reinterpret_cast<const char *>(values), count * sizeof(float));
        return;
    case GgmlType::F16:
        for (std::size_t i = 0; i < count; ++i)
            appendGgufBytes<std::uint16_t>(out, floatToHalf(values[i]));
        return;
    case GgmlType::Q8_0:
        if (count % kQ8BlockSize != 0)
            throw Error("GGUF: Q8_0 needs a multiple of 32 values (a bug in the GGUF export)");
        for (std::size_t i = 0; i < count; i += kQ8BlockSize)
            appendQ8Block(out, values + i);
        return;
    }
}

} // namespace pairtune
