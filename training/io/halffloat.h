#pragma once

#include <cstdint>

namespace pairtune {

// IEEE 754 binary16 and bfloat16 conversions, bit-exact with PyTorch's CPU casts.
// Narrowing rounds to nearest, ties to even; overflow gives infinity; NaN stays NaN (quiet).
float halfToFloat(std::uint16_t bits);
std::uint16_t floatToHalf(float value);
float bf16ToFloat(std::uint16_t bits);
std::uint16_t floatToBf16(float value);

} // namespace pairtune
