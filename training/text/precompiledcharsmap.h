#pragma once

// sentencepiece's precompiled normalization map ("precompiled_charsmap" of a .model file, and the
// base64 payload of a "Precompiled" normalizer in tokenizer.json), applied the way the Hugging Face
// fast tokenizer applies it (docs/formats.md §4.3): per extended grapheme cluster, the *first* (shortest)
// key that is a prefix of the cluster replaces the whole cluster. sentencepiece itself uses the
// longest match over the raw text; the two differ on a few rare sequences, and Python users compare
// against the fast tokenizer.
//
// Layout: [u32 little-endian byte size of the trie][darts-clone double array of u32 units]
// [NUL-terminated replacement strings]. A trie value is the byte offset of its replacement string.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pairtune {

class PrecompiledCharsmap
{
public:
    // Throws pairtune::Error naming pathForMessages when the blob is not a charsmap.
    PrecompiledCharsmap(std::string blob, const std::string &pathForMessages);

    const std::string &blob() const { return m_blob; }

    // The replacement for the shortest key that is a prefix of chunk (bytes), if any.
    std::optional<std::string_view> transform(std::string_view chunk) const;

    // The fast tokenizer's Precompiled normalizer. text must be valid UTF-8.
    std::string normalize(std::string_view text) const;

    // Every (key, replacement) pair of the trie, keys in byte order (for tests and inspection).
    std::vector<std::pair<std::string, std::string>> entries() const;

private:
    std::optional<std::string_view> replacementAt(std::uint32_t offset) const;
    void collect(
        std::uint32_t nodePos, std::string &key, std::vector<std::pair<std::string, std::string>> &out) const;

    std::string m_blob;
    std::vector<std::uint32_t> m_units;
    std::size_t m_normalizedOffset = 0; // where the replacement strings start in m_blob
};

} // namespace pairtune
