#include "export/ggufquant.h"

#include "core/error.h"
#include "io/halffloat.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace pairtune {
namespace {

template <typename T> void put(std::string &out, T value)
{
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.append(bytes, sizeof(T));
}

void appendQ8Block(std::string &out, const float *x)
{
    float amax = 0.0f;
    for (std::size_t j = 0; j < kQ8BlockSize; ++j)
        amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127.0f;
    const float id = d != 0.0f ? 1.0f / d : 0.0f;
    put<std::uint16_t>(out, floatToHalf(d));
    for (std::size_t j = 0; j < kQ8BlockSize; ++j)
        put<std::int8_t>(out, std::int8_t(std::roundf(x[j] * id)));
}

} // namespace

void appendGgmlValues(std::string &out, const float *values, std::size_t count, GgmlType type)
{
    switch (type) {
    case GgmlType::F32:
        out.append(reinterpret_cast<const char *>(values), count * sizeof(float));
        return;
    case GgmlType::F16:
        for (std::size_t i = 0; i < count; ++i)
            put<std::uint16_t>(out, floatToHalf(values[i]));
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
