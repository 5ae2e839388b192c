#include "text/unigramnormalizer.h"

#include "core/error.h"
#include "io/jsonfields.h"
#include "text/bertnormalizer.h"
#include "text/utf8.h"

#include <utf8proc.h>

#include <cstdlib>
#include <functional>

namespace pairtune {

namespace {

std::string decodeBase64(std::string_view text, const std::function<void(const std::string &)> &fail)
{
    std::string out;
    std::uint32_t buffer = 0;
    int bits = 0;
    std::size_t padding = 0;
    for (const char c : text) {
        int value = -1;
        if (c >= 'A' && c <= 'Z')
            value = c - 'A';
        else if (c >= 'a' && c <= 'z')
            value = c - 'a' + 26;
        else if (c >= '0' && c <= '9')
            value = c - '0' + 52;
        else if (c == '+')
            value = 62;
        else if (c == '/')
            value = 63;
        else if (c == '=') {
            ++padding;
            continue;
        } else
            fail("precompiled_charsmap is not base64");
        if (padding > 0)
            fail("precompiled_charsmap has base64 data after its padding");
        buffer = (buffer << 6) | static_cast<std::uint32_t>(value);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

} // namespace

UnigramNormalizer UnigramNormalizer::fromJson(const nlohmann::json &json, const std::string &path)
{
    UnigramNormalizer normalizer;
    if (!json.is_null())
        normalizer.append(json, path);
    return normalizer;
}

std::shared_ptr<const PrecompiledCharsmap> UnigramNormalizer::charsmap() const
{
    for (const Step &step : m_steps)
        if (step.kind == Step::Kind::Precompiled)
            return step.charsmap;
    return nullptr;
}

void UnigramNormalizer::append(const nlohmann::json &json, const std::string &path)
{
    const auto unsupported = [&](const std::string &why) {
        throw Error(locate(path, 0, 0,
            "unsupported normalizer " + json.dump().substr(0, 200) + " (" + why
                + "); Pairtune reads Precompiled, Strip, Replace (literal or \" {2,}\"), NFC/NFD/NFKC/NFKD, "
                  "Lowercase, Prepend and Sequence normalizers"));
    };
    const std::string type = jsonfields::typeOf(json);
    Step step {};
    if (type == "Sequence") {
        if (!json.contains("normalizers") || !json["normalizers"].is_array())
            unsupported("a Sequence needs a \"normalizers\" list");
        for (const nlohmann::json &inner : json["normalizers"])
            append(inner, path);
        return;
    } else if (type == "Precompiled") {
        if (!json.contains("precompiled_charsmap") || json["precompiled_charsmap"].is_null())
            return; // an identity model has no charsmap
        if (!json["precompiled_charsmap"].is_string())
            unsupported("precompiled_charsmap must be a base64 string");
        std::string blob = decodeBase64(
            json["precompiled_charsmap"].get<std::string>(), [&](const std::string &m) { unsupported(m); });
        if (blob.empty())
            return;
        step.kind = Step::Kind::Precompiled;
        step.charsmap = std::make_shared<const PrecompiledCharsmap>(std::move(blob), path);
    } else if (type == "Replace") {
        const nlohmann::json &pattern = json.value("pattern", nlohmann::json());
        if (!json.contains("content") || !json["content"].is_string() || !pattern.is_object())
            unsupported("a Replace needs a pattern and a content");
        step.content = json["content"].get<std::string>();
        if (pattern.contains("String") && pattern["String"].is_string()
            && !pattern["String"].get<std::string>().empty()) {
            step.kind = Step::Kind::ReplaceString;
            step.pattern = pattern["String"].get<std::string>();
        } else if (pattern.contains("Regex") && pattern["Regex"] == " {2,}") {
            step.kind = Step::Kind::ReplaceSpaceRuns;
        } else {
            unsupported("only the regex \" {2,}\" and literal patterns are supported");
        }
    } else if (type == "Strip") {
        step.kind = Step::Kind::Strip;
        step.left = jsonfields::boolOr(json, "strip_left", true, path, "normalizer Strip.");
        step.right = jsonfields::boolOr(json, "strip_right", true, path, "normalizer Strip.");
    } else if (type == "NFC" || type == "NFD" || type == "NFKC" || type == "NFKD") {
        step.kind = Step::Kind::UnicodeForm;
        step.utf8procOptions = UTF8PROC_STABLE
            | (type[type.size() - 1] == 'C' ? UTF8PROC_COMPOSE : UTF8PROC_DECOMPOSE)
            | (type.size() == 4 ? UTF8PROC_COMPAT : 0);
    } else if (type == "Lowercase") {
        // Rust's char::to_lowercase per character: the BERT normalizer's lower-casing alone.
        step.kind = Step::Kind::Lowercase;
        step.lowercase
            = std::make_shared<const BertNormalizer>(BertNormalizerOptions { false, false, false, true });
    } else if (type == "Prepend") {
        if (!json.contains("prepend") || !json["prepend"].is_string())
            unsupported("a Prepend needs a string \"prepend\"");
        step.kind = Step::Kind::Prepend;
        step.content = json["prepend"].get<std::string>();
    } else {
        unsupported("type \"" + type + "\"");
    }
    m_steps.push_back(std::move(step));
}

std::string UnigramNormalizer::normalize(std::string_view text) const
{
    std::string s(text);
    for (const Step &step : m_steps) {
        switch (step.kind) {
        case Step::Kind::Precompiled:
            s = step.charsmap->normalize(s);
            break;
        case Step::Kind::ReplaceString: {
            std::string out;
            for (std::size_t pos = 0;;) {
                const std::size_t found = s.find(step.pattern, pos);
                out.append(s, pos, found == std::string::npos ? std::string::npos : found - pos);
                if (found == std::string::npos)
                    break;
                out.append(step.content);
                pos = found + step.pattern.size();
            }
            s = std::move(out);
            break;
        }
        case Step::Kind::ReplaceSpaceRuns: {
            std::string out;
            for (std::size_t pos = 0; pos < s.size();) {
                std::size_t end = pos;
                while (end < s.size() && s[end] == ' ')
                    ++end;
                if (end - pos >= 2) {
                    out.append(step.content);
                    pos = end;
                } else {
                    out.push_back(s[pos++]);
                }
            }
            s = std::move(out);
            break;
        }
        case Step::Kind::Strip: {
            std::size_t begin = 0, end = s.size();
            while (step.left && begin < end) {
                std::size_t next = begin;
                if (!isUnicodeWhitespace(nextCodePoint(s, next)))
                    break;
                begin = next;
            }
            while (step.right && end > begin) {
                std::size_t start = end;
                if (!isUnicodeWhitespace(previousCodePoint(s, end, start)))
                    break;
                end = start;
            }
            s = s.substr(begin, end - begin);
            break;
        }
        case Step::Kind::Lowercase:
            s = encodeUtf8(step.lowercase->normalize(decodeUtf8(s)));
            break;
        case Step::Kind::Prepend:
            if (!s.empty()) // the library prepends nothing to an empty text
                s.insert(0, step.content);
            break;
        case Step::Kind::UnicodeForm: {
            utf8proc_uint8_t *mapped = nullptr;
            const utf8proc_ssize_t size = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t *>(s.data()),
                static_cast<utf8proc_ssize_t>(s.size()), &mapped,
                static_cast<utf8proc_option_t>(step.utf8procOptions));
            if (size < 0)
                throw Error(std::string("Unicode normalization failed: ") + utf8proc_errmsg(size));
            s.assign(reinterpret_cast<const char *>(mapped), static_cast<std::size_t>(size));
            std::free(mapped);
            break;
        }
        }
    }
    return s;
}

} // namespace pairtune
