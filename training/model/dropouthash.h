#pragma once

// Engine-private. The counter-based dropout draw shared by trainingDropout (dropout.cpp) and the
// fused attention (fusedattention.cpp): element `index` of a call keyed by a 64-bit seed is kept when
// its 32-bit draw is below `threshold`. Pure 32-bit arithmetic, so loops over it vectorise.

#include <cmath>
#include <cstdint>

namespace pairtune {

// murmur3's 32-bit finaliser: a bijective mix of 32 bits.
inline std::uint32_t dropoutMix(std::uint32_t h)
{
    h ^= h >> 16;
    h *= 0x85EBCA6BU;
    h ^= h >> 13;
    h *= 0xC2B2AE35U;
    h ^= h >> 16;
    return h;
}

struct DropoutKey
{
    std::uint32_t key0 = 0;
    std::uint32_t key1 = 0;
    std::uint32_t threshold = 0; // keep when the draw is below this
    float scale = 1.0f; // 1 / (1 - p) for kept elements

    static DropoutKey make(std::uint64_t seed, double p)
    {
        DropoutKey k;
        k.key0 = static_cast<std::uint32_t>(seed);
        k.key1 = static_cast<std::uint32_t>(seed >> 32);
        const double keep = 1.0 - p;
        k.threshold = static_cast<std::uint32_t>(std::fmin(4294967295.0, std::round(keep * 4294967296.0)));
        k.scale = static_cast<float>(1.0 / keep);
        return k;
    }

    // Two rounds keyed with the two halves of the seed give each element index its draw.
    bool keeps(std::uint64_t index) const
    {
        return dropoutMix(dropoutMix(static_cast<std::uint32_t>(index) ^ key0) ^ key1) < threshold;
    }
};

// One 64-bit seed from LibTorch's default CPU generator, which checkpoints save: a resumed run draws
// the same masks.
std::uint64_t drawDropoutSeed();

} // namespace pairtune
