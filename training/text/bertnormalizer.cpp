#include "text/bertnormalizer.h"

#include "text/hfunicodeclasses.h"
#include "text/utf8.h"

#include <utf8proc.h>

#include <algorithm>

namespace pairtune {

namespace {

int combiningClass(char32_t c)
{
    return utf8proc_get_property(static_cast<utf8proc_int32_t>(c))->combining_class;
}

char32_t asciiLower(char32_t c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

// Canonical ordering of NFD: every run of characters with a non-zero combining class is sorted
// stably by that class.
void canonicalReorder(std::u32string &s, std::size_t begin)
{
    std::size_t i = begin;
    while (i < s.size()) {
        if (s[i] < 0x300 || combiningClass(s[i]) == 0) {
            ++i;
            continue;
        }
        std::size_t end = i + 1;
        while (end < s.size() && s[end] >= 0x300 && combiningClass(s[end]) != 0)
            ++end;
        if (end - i > 1)
            std::stable_sort(s.begin() + static_cast<std::ptrdiff_t>(i),
                s.begin() + static_cast<std::ptrdiff_t>(end),
                [](char32_t a, char32_t b) { return combiningClass(a) < combiningClass(b); });
        i = end;
    }
}

} // namespace

BertNormalizer::BertNormalizer(const BertNormalizerOptions &options)
    : m_options(options)
    , m_stripAccents(options.stripAccents.value_or(options.lowercase))
{
    // What each ASCII character becomes after all four steps; -1 = removed by clean_text.
    for (char32_t c = 0; c < 0x80; ++c) {
        auto mapped = static_cast<std::int32_t>(m_options.lowercase ? asciiLower(c) : c);
        if (m_options.cleanText) {
            if (c == 0 || isControl(c))
                mapped = -1;
            else if (isWhitespace(c))
                mapped = ' ';
        }
        m_ascii[c] = mapped;
    }
}

bool BertNormalizer::isControl(char32_t c)
{
    if (c == '\t' || c == '\n' || c == '\r')
        return false;
    if (c < 0x80)
        return c < 0x20 || c == 0x7F;
    // The unicode_categories crate's is_other() (control, format, private use) with its old tables.
    return hfunicode::isControl(c);
}

bool BertNormalizer::isWhitespace(char32_t c)
{
    return c == '\t' || c == '\n' || c == '\r' || isUnicodeWhitespace(c);
}

bool BertNormalizer::isChineseChar(char32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF)
        || (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF)
        || (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

std::u32string BertNormalizer::normalize(std::u32string_view text) const
{
    std::u32string out;
    normalize(text, out);
    return out;
}

void BertNormalizer::normalize(std::u32string_view text, std::u32string &out) const
{
    const std::size_t begin = out.size();
    // No character grows beyond 4 code points here (CJK spacing: 3, canonical decomposition: at
    // most 4), so the output is written through a pointer and trimmed at the end.
    out.resize(begin + 4 * text.size());
    char32_t *write = out.data() + begin;
    bool anyNonAscii = false;
    bool needsReorder = false;
    utf8proc_int32_t decomposed[16];

    // ASCII is finished on the spot through m_ascii: it never decomposes, is never Mn and has
    // combining class 0, so the later steps cannot touch it. Other characters are decomposed now
    // and lowercased in finishNonAscii, after the marks are gone, as the fast tokenizer orders it.
    auto emitNonAscii = [&](char32_t c) {
        anyNonAscii = true;
        if (!m_stripAccents || hfunicode::isNotDecomposed(c)) {
            *write++ = c;
            return;
        }
        utf8proc_int32_t boundClass = 0;
        const utf8proc_ssize_t n = utf8proc_decompose_char(
            static_cast<utf8proc_int32_t>(c), decomposed, 16, UTF8PROC_DECOMPOSE, &boundClass);
        if (n <= 0 || n > 4) {
            *write++ = c;
            return;
        }
        for (utf8proc_ssize_t k = 0; k < n; ++k) {
            const auto d = static_cast<char32_t>(decomposed[k]);
            if (k > 0 && combiningClass(d) != 0)
                needsReorder = true;
            // A decomposition can end in ASCII ('Å' -> 'A' + ring), which finishNonAscii skips.
            *write++ = m_options.lowercase ? asciiLower(d) : d;
        }
        // A lone combining mark may need to move before the previous character's marks.
        if (n == 1 && combiningClass(c) != 0)
            needsReorder = true;
    };

    for (char32_t c : text) {
        if (c < 0x80) {
            const std::int32_t mapped = m_ascii[c];
            if (mapped >= 0)
                *write++ = static_cast<char32_t>(mapped);
            continue;
        }
        if (m_options.cleanText) {
            if (c == 0xFFFD || isControl(c))
                continue;
            if (isWhitespace(c)) {
                *write++ = U' ';
                continue;
            }
        }
        if (m_options.handleChineseChars && c >= 0x3400 && isChineseChar(c)) {
            *write++ = U' ';
            emitNonAscii(c);
            *write++ = U' ';
        } else {
            emitNonAscii(c);
        }
    }
    out.resize(static_cast<std::size_t>(write - out.data()));
    if (anyNonAscii)
        finishNonAscii(out, begin, needsReorder);
}

void BertNormalizer::finishNonAscii(std::u32string &out, std::size_t begin, bool needsReorder) const
{
    if (m_stripAccents) {
        if (needsReorder)
            canonicalReorder(out, begin);
        const auto firstMark = std::remove_if(out.begin() + static_cast<std::ptrdiff_t>(begin), out.end(),
            [](char32_t c) { return c >= 0x300 && hfunicode::isAccentMark(c); });
        out.erase(firstMark, out.end());
    }
    if (!m_options.lowercase)
        return;
    bool hasDottedCapitalI = false;
    for (std::size_t i = begin; i < out.size(); ++i) {
        char32_t &c = out[i];
        if (c < 0x80)
            continue;
        if (c == 0x130)
            hasDottedCapitalI = true;
        else if (const char32_t newer = hfunicode::newLowercase(c))
            c = newer;
        else
            c = static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)));
    }
    if (!hasDottedCapitalI)
        return;
    // U+0130 is the one unconditional multi-character lowercase mapping: "i" + U+0307.
    std::u32string tail;
    tail.reserve(out.size() - begin + 4);
    for (std::size_t i = begin; i < out.size(); ++i) {
        if (out[i] == 0x130) {
            tail.push_back(U'i');
            tail.push_back(0x307);
        } else {
            tail.push_back(out[i]);
        }
    }
    out.replace(begin, out.size() - begin, tail);
}

} // namespace pairtune
