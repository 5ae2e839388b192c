#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace pairtune {

// Named streams so that the split, the synthetic scores and the sampler never share random numbers
// even when they are seeded with the same user seed.
namespace rngstream {
inline constexpr std::uint64_t split = 1;
inline constexpr std::uint64_t scores = 2;
inline constexpr std::uint64_t sampler = 3;
inline constexpr std::uint64_t evalNegatives = 4;
inline constexpr std::uint64_t evalSample = 5;
inline constexpr std::uint64_t bootstrap = 6; // eval/verdict.h: the paired bootstrap over queries
} // namespace rngstream

// A deterministic random number generator whose output is fixed by this code alone, on every
// platform and standard library: xoshiro256** (Blackman & Vigna), seeded through splitmix64.
// The standard <random> distributions are implementation-defined, so every conversion from raw
// 64-bit words to doubles, bounded integers and permutations is done here.
class Rng
{
public:
    // Different (seed, stream) pairs give unrelated sequences.
    explicit Rng(std::uint64_t seed = 0, std::uint64_t stream = 0);

    // The next raw 64-bit word.
    std::uint64_t next();

    // A double in [0, 1) built from the top 53 bits of one word (every value k/2^53 equally likely).
    double uniform01();

    // An integer in [0, n), unbiased (rejection of the short last interval). n must be > 0.
    std::uint64_t uniformInt(std::uint64_t n);

    // Fisher–Yates from the back: for i = n-1 .. 1 swap element i with element uniformInt(i+1).
    template <typename T> void shuffle(std::vector<T> &values)
    {
        for (std::size_t i = values.size(); i > 1; --i) {
            const std::size_t j = static_cast<std::size_t>(uniformInt(i));
            using std::swap;
            swap(values[i - 1], values[j]);
        }
    }

    // The complete generator state as text ("xoshiro256ss:" followed by four 16-digit hex words,
    // separated by ':') for checkpoints. setState() restores it exactly and continues the same stream;
    // it throws pairtune::Error for text it did not write (or the invalid all-zero state).
    std::string state() const;
    void setState(const std::string &state);

    bool operator==(const Rng &other) const = default;

private:
    std::uint64_t m_s[4];
};

} // namespace pairtune
