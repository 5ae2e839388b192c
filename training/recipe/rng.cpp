#include "recipe/rng.h"

#include "core/error.h"

#include <cstdio>

namespace pairtune {

namespace {

constexpr char kStatePrefix[] = "xoshiro256ss:";

std::uint64_t splitmix64(std::uint64_t &x)
{
    x += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = x;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

std::uint64_t rotl(std::uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

} // namespace

Rng::Rng(std::uint64_t seed, std::uint64_t stream)
{
    // The stream is hashed before mixing it in so that (seed, stream) and (seed + 1, stream - 1) and
    // similar neighbours do not collide.
    std::uint64_t streamMix = stream ^ 0xD1B54A32D192ED03ull;
    std::uint64_t x = seed ^ splitmix64(streamMix);
    for (auto &word : m_s)
        word = splitmix64(x);
    if (!(m_s[0] | m_s[1] | m_s[2] | m_s[3]))
        m_s[0] = 1; // xoshiro must not start from all zeros; splitmix64 practically never gives it
}

std::uint64_t Rng::next()
{
    const std::uint64_t result = rotl(m_s[1] * 5, 7) * 9;
    const std::uint64_t t = m_s[1] << 17;
    m_s[2] ^= m_s[0];
    m_s[3] ^= m_s[1];
    m_s[1] ^= m_s[2];
    m_s[0] ^= m_s[3];
    m_s[2] ^= t;
    m_s[3] = rotl(m_s[3], 45);
    return result;
}

double Rng::uniform01()
{
    return static_cast<double>(next() >> 11) * 0x1.0p-53;
}

std::uint64_t Rng::uniformInt(std::uint64_t n)
{
    if (n == 0)
        throw Error("Rng::uniformInt: the range must not be empty");
    // 2^64 mod n values at the bottom would make small results more likely; reject them.
    const std::uint64_t threshold = (0 - n) % n;
    for (;;) {
        const std::uint64_t r = next();
        if (r >= threshold)
            return r % n;
    }
}

std::string Rng::state() const
{
    std::string out = kStatePrefix;
    char buffer[17];
    for (int i = 0; i < 4; ++i) {
        std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(m_s[i]));
        if (i > 0)
            out += ':';
        out += buffer;
    }
    return out;
}

void Rng::setState(const std::string &state)
{
    const std::string prefix = kStatePrefix;
    const auto fail = [&] {
        throw Error("random generator state '" + state
            + "' is not valid (expected xoshiro256ss: and four 16-digit hex words); the checkpoint "
              "may be damaged");
    };
    if (state.size() != prefix.size() + 4 * 16 + 3 || state.compare(0, prefix.size(), prefix) != 0)
        fail();
    std::uint64_t words[4] = {};
    std::size_t pos = prefix.size();
    for (int i = 0; i < 4; ++i) {
        if (i > 0) {
            if (state[pos] != ':')
                fail();
            ++pos;
        }
        for (int d = 0; d < 16; ++d, ++pos) {
            const int v = hexValue(state[pos]);
            if (v < 0)
                fail();
            words[i] = (words[i] << 4) | static_cast<std::uint64_t>(v);
        }
    }
    if (!(words[0] | words[1] | words[2] | words[3]))
        fail();
    for (int i = 0; i < 4; ++i)
        m_s[i] = words[i];
}

} // namespace pairtune
