#include "text/specialtokensplitter.h"

#include <utf8proc.h>

namespace pairtune {

namespace {

// Letters, numbers and '_' (the fast tokenizer's word characters for single_word tokens).
bool isWordCharacter(char32_t c)
{
    if (c == U'_')
        return true;
    switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return true;
    default:
        return false;
    }
}

} // namespace

SpecialTokenSplitter::SpecialTokenSplitter(std::vector<SpecialToken> tokens)
{
    for (SpecialToken &token : tokens)
        if (!token.content.empty())
            m_tokens.push_back(std::move(token));
}

bool SpecialTokenSplitter::isWhitespace(char32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F
        || c == 0x3000;
}

std::string SpecialTokenSplitter::toValidUtf8(std::string_view text)
{
    const auto *bytes = reinterpret_cast<const utf8proc_uint8_t *>(text.data());
    const auto size = static_cast<utf8proc_ssize_t>(text.size());
    std::string out;
    out.reserve(text.size());
    for (utf8proc_ssize_t pos = 0; pos < size;) {
        utf8proc_int32_t codepoint = 0;
        const utf8proc_ssize_t length = utf8proc_iterate(bytes + pos, size - pos, &codepoint);
        if (length > 0) {
            out.append(text.substr(static_cast<std::size_t>(pos), static_cast<std::size_t>(length)));
            pos += length;
        } else {
            out.append("\xEF\xBF\xBD"); // U+FFFD, one per invalid byte
            pos += 1;
        }
    }
    return out;
}

char32_t SpecialTokenSplitter::nextCodepoint(std::string_view text, std::size_t &pos)
{
    utf8proc_int32_t codepoint = 0;
    const utf8proc_ssize_t length
        = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t *>(text.data() + pos),
            static_cast<utf8proc_ssize_t>(text.size() - pos), &codepoint);
    pos += length > 0 ? static_cast<std::size_t>(length) : 1;
    return length > 0 ? static_cast<char32_t>(codepoint) : 0xFFFD;
}

char32_t SpecialTokenSplitter::previousCodepoint(std::string_view text, std::size_t end, std::size_t &start)
{
    start = end;
    while (start > 0) {
        --start;
        if ((static_cast<unsigned char>(text[start]) & 0xC0) != 0x80)
            break;
    }
    std::size_t pos = start;
    return nextCodepoint(text, pos);
}

std::vector<TextSegment> SpecialTokenSplitter::split(std::string_view text) const
{
    std::vector<TextSegment> segments;
    if (m_tokens.empty()) {
        if (!text.empty())
            segments.push_back({ text, -1, 0 });
        return segments;
    }
    std::size_t segmentStart = 0; // start of the pending ordinary text
    std::size_t pos = 0;
    while (pos < text.size()) {
        const SpecialToken *best = nullptr;
        for (const SpecialToken &token : m_tokens) {
            if (text.compare(pos, token.content.size(), token.content) != 0)
                continue;
            if (best && token.content.size() <= best->content.size())
                continue;
            if (token.singleWord) {
                std::size_t before = 0, after = pos + token.content.size();
                const bool startOk = pos == 0 || !isWordCharacter(previousCodepoint(text, pos, before));
                const bool endOk = after >= text.size() || !isWordCharacter(nextCodepoint(text, after));
                if (!startOk || !endOk)
                    continue;
            }
            best = &token;
        }
        if (!best) {
            nextCodepoint(text, pos);
            continue;
        }
        std::size_t matchStart = pos;
        std::size_t matchEnd = pos + best->content.size();
        if (best->lstrip) {
            std::size_t start = matchStart;
            while (matchStart > segmentStart && isWhitespace(previousCodepoint(text, matchStart, start)))
                matchStart = start;
        }
        if (best->rstrip) {
            while (matchEnd < text.size()) {
                std::size_t next = matchEnd;
                if (!isWhitespace(nextCodepoint(text, next)))
                    break;
                matchEnd = next;
            }
        }
        if (matchStart > segmentStart)
            segments.push_back({ text.substr(segmentStart, matchStart - segmentStart), -1, segmentStart });
        segments.push_back({ text.substr(matchStart, matchEnd - matchStart), best->id, matchStart });
        segmentStart = matchEnd;
        pos = matchEnd;
    }
    if (segmentStart < text.size())
        segments.push_back({ text.substr(segmentStart), -1, segmentStart });
    return segments;
}

} // namespace pairtune
