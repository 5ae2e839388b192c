#include "text/precompiledcharsmap.h"

#include "core/error.h"

#include <utf8proc.h>

namespace pairtune {

namespace {

// Fields of a darts-clone double-array unit (32 bits).
bool hasLeaf(std::uint32_t unit)
{
    return (unit >> 8) & 1;
}

std::uint32_t value(std::uint32_t unit)
{
    return unit & 0x7FFFFFFFu;
}

std::uint32_t label(std::uint32_t unit)
{
    return unit & (0x80000000u | 0xFFu);
}

std::uint32_t offset(std::uint32_t unit)
{
    return (unit >> 10) << ((unit & (1u << 9)) >> 6);
}

// The byte length of the UTF-8 sequence starting with lead (text is valid UTF-8).
std::size_t sequenceLength(unsigned char lead)
{
    if (lead < 0x80)
        return 1;
    if ((lead >> 5) == 0x6)
        return 2;
    if ((lead >> 4) == 0xE)
        return 3;
    return 4;
}

} // namespace

PrecompiledCharsmap::PrecompiledCharsmap(std::string blob, const std::string &pathForMessages)
    : m_blob(std::move(blob))
{
    const auto fail = [&](const std::string &message) {
        throw Error(locate(pathForMessages, 0, 0, "invalid precompiled_charsmap: " + message));
    };
    if (m_blob.size() < 4)
        fail("shorter than its 4-byte header");
    std::uint32_t trieSize = 0;
    for (int i = 3; i >= 0; --i)
        trieSize = (trieSize << 8) | static_cast<unsigned char>(m_blob[i]);
    if (trieSize % 4 != 0 || trieSize == 0 || trieSize > m_blob.size() - 4)
        fail("trie size " + std::to_string(trieSize) + " does not fit the " + std::to_string(m_blob.size())
            + " bytes");
    m_units.resize(trieSize / 4);
    for (std::size_t i = 0; i < m_units.size(); ++i) {
        std::uint32_t unit = 0;
        for (int b = 3; b >= 0; --b)
            unit = (unit << 8) | static_cast<unsigned char>(m_blob[4 + 4 * i + b]);
        m_units[i] = unit;
    }
    m_normalizedOffset = 4 + static_cast<std::size_t>(trieSize);
    const std::string_view normalized = std::string_view(m_blob).substr(m_normalizedOffset);
    const auto *bytes = reinterpret_cast<const utf8proc_uint8_t *>(normalized.data());
    const auto size = static_cast<utf8proc_ssize_t>(normalized.size());
    for (utf8proc_ssize_t pos = 0; pos < size;) {
        utf8proc_int32_t codepoint = 0;
        const utf8proc_ssize_t length = utf8proc_iterate(bytes + pos, size - pos, &codepoint);
        if (length <= 0)
            fail("its replacement strings are not valid UTF-8");
        pos += length;
    }
}

std::optional<std::string_view> PrecompiledCharsmap::replacementAt(std::uint32_t at) const
{
    const std::string_view normalized = std::string_view(m_blob).substr(m_normalizedOffset);
    if (at >= normalized.size())
        return std::nullopt;
    const std::size_t end = normalized.find('\0', at);
    return normalized.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
}

std::optional<std::string_view> PrecompiledCharsmap::transform(std::string_view chunk) const
{
    // Walks the trie byte by byte and stops at the first key found: the shortest match, as the fast
    // tokenizer does (a longer key that also matches is never considered).
    std::size_t nodePos = offset(m_units[0]);
    for (const char ch : chunk) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == 0)
            break;
        nodePos ^= c;
        if (nodePos >= m_units.size())
            return std::nullopt;
        const std::uint32_t unit = m_units[nodePos];
        if (label(unit) != c)
            return std::nullopt;
        nodePos ^= offset(unit);
        if (nodePos >= m_units.size())
            return std::nullopt;
        if (hasLeaf(unit))
            return replacementAt(value(m_units[nodePos]));
    }
    return std::nullopt;
}

std::string PrecompiledCharsmap::normalize(std::string_view text) const
{
    std::string out;
    out.reserve(text.size());
    const auto *bytes = reinterpret_cast<const utf8proc_uint8_t *>(text.data());
    const auto size = static_cast<utf8proc_ssize_t>(text.size());

    const auto emitCluster = [&](std::size_t begin, std::size_t end) {
        const std::string_view cluster = text.substr(begin, end - begin);
        if (cluster.size() < 6) {
            if (auto replacement = transform(cluster)) {
                out.append(*replacement);
                return;
            }
        }
        for (std::size_t pos = 0; pos < cluster.size();) {
            const std::size_t length = sequenceLength(static_cast<unsigned char>(cluster[pos]));
            const std::string_view character = cluster.substr(pos, length);
            if (auto replacement = transform(character))
                out.append(*replacement);
            else
                out.append(character);
            pos += length;
        }
    };

    utf8proc_int32_t state = 0;
    utf8proc_int32_t previous = -1;
    std::size_t clusterStart = 0;
    for (utf8proc_ssize_t pos = 0; pos < size;) {
        utf8proc_int32_t codepoint = 0;
        const utf8proc_ssize_t length = utf8proc_iterate(bytes + pos, size - pos, &codepoint);
        if (length <= 0)
            throw Error("PrecompiledCharsmap::normalize needs valid UTF-8");
        if (previous >= 0 && utf8proc_grapheme_break_stateful(previous, codepoint, &state)) {
            emitCluster(clusterStart, static_cast<std::size_t>(pos));
            clusterStart = static_cast<std::size_t>(pos);
        }
        previous = codepoint;
        pos += length;
    }
    if (clusterStart < text.size())
        emitCluster(clusterStart, text.size());
    return out;
}

std::vector<std::pair<std::string, std::string>> PrecompiledCharsmap::entries() const
{
    std::vector<std::pair<std::string, std::string>> out;
    std::string key;
    collect(offset(m_units[0]), key, out);
    return out;
}

void PrecompiledCharsmap::collect(
    std::uint32_t nodePos, std::string &key, std::vector<std::pair<std::string, std::string>> &out) const
{
    for (std::uint32_t c = 1; c < 256; ++c) {
        const std::uint32_t child = nodePos ^ c;
        if (child >= m_units.size() || label(m_units[child]) != c)
            continue;
        const std::uint32_t next = child ^ offset(m_units[child]);
        if (next >= m_units.size())
            continue;
        key.push_back(static_cast<char>(c));
        if (hasLeaf(m_units[child]))
            if (auto replacement = replacementAt(value(m_units[next])))
                out.emplace_back(key, std::string(*replacement));
        collect(next, key, out);
        key.pop_back();
    }
}

} // namespace pairtune
