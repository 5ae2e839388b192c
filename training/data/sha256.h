#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace pairtune {

// SHA-256 (FIPS 180-4), so the run config can record exactly which data files a model was trained on
// without pulling a crypto library into the engine.
class Sha256
{
public:
    Sha256();
    void update(std::string_view bytes);
    std::array<std::uint8_t, 32> finish(); // the object is spent afterwards
    std::string finishHex();

    static std::string hex(std::string_view bytes);

private:
    void compress(const std::uint8_t *block);

    std::array<std::uint32_t, 8> m_state;
    std::array<std::uint8_t, 64> m_buffer {};
    std::size_t m_buffered = 0;
    std::uint64_t m_totalBytes = 0;
};

// Lower-case hex SHA-256 of a file's bytes. Throws pairtune::Error (Kind::Io) when it cannot be read.
std::string sha256OfFile(const std::string &path);

} // namespace pairtune
