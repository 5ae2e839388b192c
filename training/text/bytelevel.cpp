#include "text/bytelevel.h"

#include "text/utf8.h"

#include <utf8proc.h>

#include <array>
#include <vector>

namespace pairtune {

namespace {

// bytes_to_unicode: bytes 0x21-0x7E, 0xA1-0xAC and 0xAE-0xFF map to themselves; the others, in byte
// order, to U+0100, U+0101, ...
std::array<std::string, 256> makeByteTable()
{
    std::array<std::string, 256> table;
    char32_t next = 0x100;
    for (int byte = 0; byte < 256; ++byte) {
        const bool printable
            = (byte >= 0x21 && byte <= 0x7E) || (byte >= 0xA1 && byte <= 0xAC) || byte >= 0xAE;
        appendUtf8(table[std::size_t(byte)], printable ? char32_t(byte) : next++);
    }
    return table;
}

const std::array<std::string, 256> &byteTable()
{
    static const std::array<std::string, 256> table = makeByteTable();
    return table;
}

enum class CharClass { Space, Letter, Number, Other };

CharClass classify(char32_t c)
{
    if (isUnicodeWhitespace(c))
        return CharClass::Space;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
        return CharClass::Letter;
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return CharClass::Number;
    default:
        return CharClass::Other;
    }
}

// Length of the contraction ('s 't 're 've 'm 'll 'd, case-sensitive) at text[pos], or 0.
std::size_t contractionAt(std::u32string_view text, std::size_t pos)
{
    if (text[pos] != U'\'' || pos + 1 >= text.size())
        return 0;
    const char32_t a = text[pos + 1];
    if (a == U's' || a == U't' || a == U'm' || a == U'd')
        return 2;
    if (pos + 2 < text.size()) {
        const char32_t b = text[pos + 2];
        if ((a == U'r' && b == U'e') || (a == U'v' && b == U'e') || (a == U'l' && b == U'l'))
            return 3;
    }
    return 0;
}

} // namespace

std::string_view byteLevelCharacter(std::uint8_t byte)
{
    return byteTable()[byte];
}

void appendByteLevel(std::string_view bytes, std::string &out)
{
    const auto &table = byteTable();
    for (const char byte : bytes)
        out += table[static_cast<std::uint8_t>(byte)];
}

void splitGpt2(std::u32string_view text, const std::function<void(std::size_t, std::size_t)> &onPiece)
{
    const std::size_t n = text.size();
    std::vector<CharClass> classes(n, CharClass::Other);
    for (std::size_t i = 0; i < n; ++i)
        classes[i] = classify(text[i]);
    const auto runEnd = [&](std::size_t from, CharClass cls) {
        while (from < n && classes[from] == cls)
            ++from;
        return from;
    };

    std::size_t pos = 0;
    while (pos < n) {
        std::size_t end = pos + contractionAt(text, pos);
        if (end == pos) {
            // " ?\p{L}+", " ?\p{N}+", " ?[^\s\p{L}\p{N}]+": an optional U+0020, then a run of one class
            // (a space is never part of such a run, so the option without it cannot match at a space).
            const std::size_t start = text[pos] == U' ' && pos + 1 < n ? pos + 1 : pos;
            for (const CharClass cls : { CharClass::Letter, CharClass::Number, CharClass::Other }) {
                if (classes[start] == cls) {
                    end = runEnd(start, cls);
                    break;
                }
            }
        }
        if (end == pos) {
            // Whitespace: "\s+(?!\S)" leaves the last space of a run that a non-space follows to the
            // next word; "\s+" takes a lone one.
            const std::size_t spaceEnd = runEnd(pos, CharClass::Space);
            end = spaceEnd == n || spaceEnd - pos == 1 ? spaceEnd : spaceEnd - 1;
        }
        onPiece(pos, end);
        pos = end;
    }
}

void ByteLevelPreTokenizer::preTokenize(
    std::string_view text, const std::function<void(std::string &&)> &onWord) const
{
    if (text.empty())
        return;
    std::string prefixed;
    if (addPrefixSpace && text.front() != ' ') {
        prefixed.reserve(text.size() + 1);
        prefixed += ' ';
        prefixed += text;
        text = prefixed;
    }
    if (!useRegex) {
        std::string word;
        appendByteLevel(text, word);
        onWord(std::move(word));
        return;
    }
    const std::u32string text32 = decodeUtf8(text);
    std::string bytes;
    splitGpt2(text32, [&](std::size_t begin, std::size_t end) {
        bytes.clear();
        for (std::size_t i = begin; i < end; ++i)
            appendUtf8(bytes, text32[i]);
        std::string word;
        appendByteLevel(bytes, word);
        onWord(std::move(word));
    });
}

} // namespace pairtune
