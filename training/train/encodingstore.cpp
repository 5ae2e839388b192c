#include "train/encodingstore.h"

#include "core/error.h"

#include <algorithm>
#include <limits>
#include <string>

namespace pairtune {

namespace {

constexpr std::size_t kBlockTokens = std::size_t(1) << 20; // 5 MB a block

} // namespace

std::uint32_t EncodingStore::add(const Encoding &encoding)
{
    const std::size_t length = encoding.ids.size();
    if (encoding.typeIds.size() != length)
        throw Error("a tokenized text has " + std::to_string(length) + " token ids but "
            + std::to_string(encoding.typeIds.size()) + " token type ids");
    if (m_texts.size() >= std::numeric_limits<std::uint32_t>::max())
        throw Error("more than 4,294,967,295 distinct texts: split the data into several runs");
    for (std::size_t i = 0; i < length; ++i) {
        const std::int64_t id = encoding.ids[i];
        const std::int64_t type = encoding.typeIds[i];
        if (id < 0 || id > std::numeric_limits<std::int32_t>::max() || type < 0
            || type > std::numeric_limits<std::uint8_t>::max())
            throw Error("token id " + std::to_string(id) + " (type id " + std::to_string(type)
                + ") is outside what the training data cache holds (ids below 2^31, type ids below 256)");
    }
    if (m_blocks.empty() || m_blocks.back().ids.size() + length > m_blocks.back().ids.capacity()) {
        Block block;
        block.ids.reserve(std::max(kBlockTokens, length));
        block.typeIds.reserve(block.ids.capacity());
        m_blocks.push_back(std::move(block));
    }
    Block &block = m_blocks.back();
    m_texts.push_back({ static_cast<std::uint32_t>(m_blocks.size() - 1),
        static_cast<std::uint32_t>(block.ids.size()), static_cast<std::uint32_t>(length) });
    for (std::size_t i = 0; i < length; ++i) {
        block.ids.push_back(static_cast<std::int32_t>(encoding.ids[i]));
        block.typeIds.push_back(static_cast<std::uint8_t>(encoding.typeIds[i]));
    }
    return static_cast<std::uint32_t>(m_texts.size() - 1);
}

Encoding EncodingStore::at(std::uint32_t index) const
{
    const Text &text = m_texts[index];
    const Block &block = m_blocks[text.block];
    const auto begin = static_cast<std::ptrdiff_t>(text.offset);
    const auto end = begin + static_cast<std::ptrdiff_t>(text.length);
    return Encoding { std::vector<std::int64_t>(block.ids.begin() + begin, block.ids.begin() + end),
        std::vector<std::int64_t>(block.typeIds.begin() + begin, block.typeIds.begin() + end) };
}

} // namespace pairtune
