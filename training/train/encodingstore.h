#pragma once

// The token ids of every distinct text of a run, packed. An Encoding holds two std::vector<std::int64_t>
// (ids and type ids): 16 bytes a token plus two heap blocks and 48 bytes of vector headers per text,
// about 1 GB for the two million texts of a million pairs (issue 18). Here a token costs 5 bytes (a
// 32-bit id and an 8-bit type id) and a text 12; at() rebuilds the Encoding a batch needs, with the same
// values. Tokens go into blocks of fixed capacity, so growing never copies (a doubling vector would
// briefly hold three times the ids).

#include "text/tokenizer.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace pairtune {

class EncodingStore
{
public:
    // Appends a copy and returns its index. Throws pairtune::Error for an id outside 0..2^31-1 or a type
    // id outside 0..255 (no vocabulary or type vocabulary comes near either).
    std::uint32_t add(const Encoding &encoding);
    Encoding at(std::uint32_t index) const;
    std::size_t tokens(std::uint32_t index) const { return m_texts[index].length; }
    std::size_t size() const { return m_texts.size(); }

private:
    struct Block
    {
        std::vector<std::int32_t> ids;
        std::vector<std::uint8_t> typeIds;
    };
    struct Text
    {
        std::uint32_t block = 0;
        std::uint32_t offset = 0;
        std::uint32_t length = 0;
    };
    std::vector<Block> m_blocks;
    std::vector<Text> m_texts;
};

} // namespace pairtune
