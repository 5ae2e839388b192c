#include "io/halffloat.h"

#include <bit>

namespace pairtune {

float halfToFloat(std::uint16_t bits)
{
    const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000u) << 16;
    const std::uint32_t exponent = (bits >> 10) & 0x1Fu;
    std::uint32_t mantissa = bits & 0x3FFu;
    std::uint32_t out;
    if (exponent == 0x1F) {
        out = sign | 0x7F800000u | (mantissa << 13); // inf, or NaN with its payload kept
    } else if (exponent != 0) {
        out = sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13);
    } else if (mantissa == 0) {
        out = sign; // signed zero
    } else {
        // Subnormal half: normalise the mantissa; every half subnormal is a normal float.
        std::uint32_t e = 127 - 15 + 1;
        while ((mantissa & 0x400u) == 0) {
            mantissa <<= 1;
            --e;
        }
        out = sign | (e << 23) | ((mantissa & 0x3FFu) << 13);
    }
    return std::bit_cast<float>(out);
}

std::uint16_t floatToHalf(float value)
{
    std::uint32_t u = std::bit_cast<std::uint32_t>(value);
    const std::uint16_t sign = static_cast<std::uint16_t>((u >> 16) & 0x8000u);
    u &= 0x7FFFFFFFu;
    std::uint16_t out;
    if (u >= 0x47800000u) {
        // |value| >= 65536 (or inf/NaN). Finite values in [65520, 65536) also overflow, but through
        // the normal path below, which carries into the infinity exponent.
        out = u > 0x7F800000u ? 0x7E00 : 0x7C00;
    } else if (u < 0x38800000u) {
        // Below the smallest normal half (2^-14): the result is subnormal or zero. Adding 0.5 puts
        // the half's subnormal grid (steps of 2^-24) exactly onto float's last mantissa bit, so the
        // FPU's own round-to-nearest-even does the rounding.
        const float shifted = std::bit_cast<float>(u) + 0.5f;
        out = static_cast<std::uint16_t>(std::bit_cast<std::uint32_t>(shifted) - 0x3F000000u);
    } else {
        // Normal: rebias the exponent and round the 13 dropped mantissa bits to nearest even.
        const std::uint32_t odd = (u >> 13) & 1u;
        u += (static_cast<std::uint32_t>(15 - 127) << 23) + 0xFFFu + odd;
        out = static_cast<std::uint16_t>(u >> 13);
    }
    return static_cast<std::uint16_t>(out | sign);
}

float bf16ToFloat(std::uint16_t bits)
{
    return std::bit_cast<float>(static_cast<std::uint32_t>(bits) << 16);
}

std::uint16_t floatToBf16(float value)
{
    const std::uint32_t u = std::bit_cast<std::uint32_t>(value);
    if ((u & 0x7FFFFFFFu) > 0x7F800000u)
        return 0x7FC0; // torch returns the canonical quiet NaN, sign dropped
    const std::uint32_t roundingBias = 0x7FFFu + ((u >> 16) & 1u);
    return static_cast<std::uint16_t>((u + roundingBias) >> 16);
}

} // namespace pairtune
