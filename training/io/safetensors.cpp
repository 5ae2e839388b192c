#include "io/safetensors.h"

#include "core/error.h"
#include "io/fileutil.h"
#include "io/halffloat.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <set>

namespace pairtune {

static_assert(std::endian::native == std::endian::little, "safetensors data is little-endian");

namespace {

constexpr std::uint64_t kMaxHeaderSize = 100'000'000;

struct DTypeEntry
{
    DType dtype;
    const char *name;
    std::size_t size;
};

constexpr DTypeEntry kDTypes[] = {
    { DType::BOOL, "BOOL", 1 },
    { DType::U8, "U8", 1 },
    { DType::I8, "I8", 1 },
    { DType::I16, "I16", 2 },
    { DType::U16, "U16", 2 },
    { DType::F16, "F16", 2 },
    { DType::BF16, "BF16", 2 },
    { DType::I32, "I32", 4 },
    { DType::U32, "U32", 4 },
    { DType::F32, "F32", 4 },
    { DType::F64, "F64", 8 },
    { DType::I64, "I64", 8 },
    { DType::U64, "U64", 8 },
};

// Valid in the format but not something Pairtune can load into a model.
constexpr const char *kUnsupportedDTypes[]
    = { "C64", "F8_E4M3", "F8_E5M2", "F8_E8M0", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F4", "F6_E2M3", "F6_E3M2" };

bool isValidUtf8(std::string_view s)
{
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > s.size())
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        // Reject overlong forms, surrogates and code points past U+10FFFF, as Rust's str does.
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)
            || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            return false;
        i += len;
    }
    return true;
}

std::string shapeText(const std::vector<std::int64_t> &shape)
{
    std::string s = "[";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        if (i)
            s += ", ";
        s += std::to_string(shape[i]);
    }
    return s + "]";
}

std::string quoteName(const std::string &name)
{
    return "\"" + name + "\"";
}

} // namespace

std::string dtypeName(DType dtype)
{
    for (const auto &e : kDTypes)
        if (e.dtype == dtype)
            return e.name;
    return "?";
}

std::size_t dtypeSize(DType dtype)
{
    for (const auto &e : kDTypes)
        if (e.dtype == dtype)
            return e.size;
    return 0;
}

std::optional<DType> parseDType(std::string_view name)
{
    for (const auto &e : kDTypes)
        if (name == e.name)
            return e.dtype;
    return std::nullopt;
}

std::int64_t TensorInfo::numel() const
{
    std::int64_t n = 1;
    for (const auto d : shape)
        n *= d;
    return n;
}

SafetensorsFile SafetensorsFile::open(const std::string &path)
{
    return fromBytes(readFileBytes(path), path);
}

SafetensorsFile SafetensorsFile::fromBytes(std::string bytes, const std::string &pathForMessages)
{
    const std::string &path = pathForMessages;
    auto fail = [&path](const std::string &message) -> Error {
        return Error(locate(path, 0, 0, "invalid safetensors file: " + message));
    };

    if (bytes.size() < 8)
        throw fail("the file is " + std::to_string(bytes.size())
            + " bytes long, too short for the 8-byte header length");
    std::uint64_t headerSize = 0;
    for (int i = 7; i >= 0; --i)
        headerSize = (headerSize << 8) | static_cast<unsigned char>(bytes[static_cast<std::size_t>(i)]);
    if (headerSize > kMaxHeaderSize)
        throw fail("header length " + std::to_string(headerSize) + " exceeds the limit of "
            + std::to_string(kMaxHeaderSize) + " bytes");
    if (headerSize > bytes.size() - 8)
        throw fail("header length " + std::to_string(headerSize) + " runs past the end of the file ("
            + std::to_string(bytes.size()) + " bytes); the file is probably truncated");

    const std::string_view headerText(bytes.data() + 8, static_cast<std::size_t>(headerSize));
    if (!isValidUtf8(headerText))
        throw fail("the header is not valid UTF-8");
    if (headerText.empty() || headerText.front() != '{')
        throw fail("the header does not start with '{'");

    // nlohmann keeps the last of duplicate keys silently; the format forbids duplicates, so watch
    // every object's keys while parsing.
    std::vector<std::set<std::string>> openObjects;
    std::string duplicate;
    nlohmann::json header;
    try {
        header = nlohmann::json::parse(headerText.begin(), headerText.end(),
            [&](int, nlohmann::json::parse_event_t event, nlohmann::json &parsed) {
                switch (event) {
                case nlohmann::json::parse_event_t::object_start:
                    openObjects.emplace_back();
                    break;
                case nlohmann::json::parse_event_t::object_end:
                    if (!openObjects.empty())
                        openObjects.pop_back();
                    break;
                case nlohmann::json::parse_event_t::key:
                    if (!openObjects.empty() && duplicate.empty()
                        && !openObjects.back().insert(parsed.get<std::string>()).second)
                        duplicate = parsed.get<std::string>();
                    break;
                default:
                    break;
                }
                return true;
            });
    } catch (const nlohmann::json::parse_error &e) {
        std::string what = e.what();
        const auto colon = what.find(": ");
        if (colon != std::string::npos)
            what.erase(0, colon + 2);
        throw fail(
            "the header is not valid JSON (byte " + std::to_string(e.byte) + " of the header): " + what);
    } catch (const nlohmann::json::out_of_range &e) {
        // A number too large for a double (found by fuzzing): nlohmann reports it as out_of_range.
        std::string what = e.what();
        const auto bracket = what.find("] ");
        if (bracket != std::string::npos)
            what.erase(0, bracket + 2);
        throw fail("the header is not valid JSON: " + what);
    }
    if (!duplicate.empty())
        throw fail("the header contains the key " + quoteName(duplicate) + " more than once");
    if (!header.is_object())
        throw fail("the header is not a JSON object");

    SafetensorsFile file;
    file.m_path = path;
    file.m_dataStart = 8 + static_cast<std::size_t>(headerSize);
    const std::uint64_t bufferSize = bytes.size() - file.m_dataStart;

    for (const auto &[key, value] : header.items()) {
        if (key == "__metadata__") {
            if (value.is_null())
                continue;
            if (!value.is_object())
                throw fail("__metadata__ must be an object mapping strings to strings");
            for (const auto &[mk, mv] : value.items()) {
                if (!mv.is_string())
                    throw fail("__metadata__ value for " + quoteName(mk) + " is " + mv.type_name()
                        + ", but metadata values must be strings");
                file.m_metadata[mk] = mv.get<std::string>();
            }
            continue;
        }
        const std::string where = "tensor " + quoteName(key) + ": ";
        if (!value.is_object())
            throw fail(where + "entry must be an object with dtype, shape and data_offsets");
        TensorInfo info;
        info.name = key;

        const auto dt = value.find("dtype");
        if (dt == value.end() || !dt->is_string())
            throw fail(where + "missing or non-string \"dtype\"");
        const std::string dtypeText = dt->get<std::string>();
        if (const auto parsed = parseDType(dtypeText)) {
            info.dtype = *parsed;
        } else if (std::find_if(std::begin(kUnsupportedDTypes), std::end(kUnsupportedDTypes),
                       [&](const char *n) { return dtypeText == n; })
            != std::end(kUnsupportedDTypes)) {
            throw fail(where + "unsupported dtype " + quoteName(dtypeText)
                + " (supported: BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64)");
        } else {
            throw fail(where + "unknown dtype " + quoteName(dtypeText));
        }

        const auto sh = value.find("shape");
        if (sh == value.end() || !sh->is_array())
            throw fail(where + "missing or non-array \"shape\"");
        std::uint64_t numel = 1;
        bool overflow = false;
        for (const auto &d : *sh) {
            if (d.is_number_integer() && !d.is_number_unsigned())
                throw fail(where + "negative dimension " + std::to_string(d.get<std::int64_t>())
                    + " in shape " + sh->dump());
            if (!d.is_number_unsigned())
                throw fail(where + "shape " + sh->dump() + " must contain non-negative integers");
            const auto dim = d.get<std::uint64_t>();
            if (dim > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
                throw fail(where + "dimension " + std::to_string(dim) + " is too large");
            info.shape.push_back(static_cast<std::int64_t>(dim));
            overflow = overflow || __builtin_mul_overflow(numel, dim, &numel);
        }
        std::uint64_t expectedBytes = 0;
        overflow = overflow
            || __builtin_mul_overflow(
                numel, static_cast<std::uint64_t>(dtypeSize(info.dtype)), &expectedBytes);
        if (overflow || numel > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            throw fail(where + "shape " + shapeText(info.shape) + " has too many elements");

        const auto off = value.find("data_offsets");
        if (off == value.end() || !off->is_array() || off->size() != 2 || !(*off)[0].is_number_unsigned()
            || !(*off)[1].is_number_unsigned())
            throw fail(where + "\"data_offsets\" must be two non-negative integers [begin, end]");
        info.begin = (*off)[0].get<std::uint64_t>();
        info.end = (*off)[1].get<std::uint64_t>();
        if (info.end < info.begin)
            throw fail(where + "data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end)
                + "] end before they begin");
        if (info.end - info.begin != expectedBytes)
            throw fail(where + "data_offsets [" + std::to_string(info.begin) + ", " + std::to_string(info.end)
                + "] hold " + std::to_string(info.end - info.begin) + " bytes, but shape "
                + shapeText(info.shape) + " of " + dtypeText + " needs " + std::to_string(expectedBytes));
        file.m_tensors.push_back(std::move(info));
    }

    // The tensors, in offset order, must cover the data buffer exactly: no gaps, no overlaps, nothing
    // outside it and nothing left over.
    std::vector<const TensorInfo *> byOffset;
    for (const auto &t : file.m_tensors)
        byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(), [](const TensorInfo *a, const TensorInfo *b) {
        return a->begin != b->begin ? a->begin < b->begin : a->end < b->end;
    });
    std::uint64_t expectedBegin = 0;
    const TensorInfo *previous = nullptr;
    for (const TensorInfo *t : byOffset) {
        const std::string range = "[" + std::to_string(t->begin) + ", " + std::to_string(t->end) + "]";
        if (t->end > bufferSize)
            throw fail("tensor " + quoteName(t->name) + ": data_offsets " + range
                + " run past the end of the data (" + std::to_string(bufferSize) + " bytes)");
        if (t->begin > expectedBegin)
            throw fail("tensor " + quoteName(t->name) + ": data_offsets " + range + " leave a gap of "
                + std::to_string(t->begin - expectedBegin) + " bytes after "
                + (previous ? "tensor " + quoteName(previous->name) : std::string("the header")));
        if (t->begin < expectedBegin)
            throw fail("tensor " + quoteName(t->name) + ": data_offsets " + range + " overlap tensor "
                + quoteName(previous->name));
        expectedBegin = t->end;
        previous = t;
    }
    if (expectedBegin != bufferSize)
        throw fail(std::to_string(bufferSize - expectedBegin)
            + " trailing bytes after the last tensor's data (the file is " + std::to_string(bytes.size())
            + " bytes, the header describes " + std::to_string(file.m_dataStart + expectedBegin) + ")");

    std::sort(file.m_tensors.begin(), file.m_tensors.end(),
        [](const TensorInfo &a, const TensorInfo &b) { return a.name < b.name; });
    file.m_bytes = std::move(bytes);
    return file;
}

const TensorInfo *SafetensorsFile::find(std::string_view name) const
{
    const auto it = std::lower_bound(m_tensors.begin(), m_tensors.end(), name,
        [](const TensorInfo &t, std::string_view n) { return t.name < n; });
    return it != m_tensors.end() && it->name == name ? &*it : nullptr;
}

std::span<const std::byte> SafetensorsFile::bytes(const TensorInfo &t) const
{
    const auto *base = reinterpret_cast<const std::byte *>(m_bytes.data()) + m_dataStart;
    return { base + t.begin, static_cast<std::size_t>(t.end - t.begin) };
}

std::vector<float> SafetensorsFile::toFloat32(const TensorInfo &t) const
{
    const auto data = bytes(t);
    const std::size_t n = static_cast<std::size_t>(t.numel());
    std::vector<float> out(n);
    switch (t.dtype) {
    case DType::F32:
        if (n)
            std::memcpy(out.data(), data.data(), n * 4);
        break;
    case DType::F64:
        for (std::size_t i = 0; i < n; ++i) {
            double v;
            std::memcpy(&v, data.data() + 8 * i, 8);
            out[i] = static_cast<float>(v);
        }
        break;
    case DType::F16:
    case DType::BF16:
        for (std::size_t i = 0; i < n; ++i) {
            std::uint16_t v;
            std::memcpy(&v, data.data() + 2 * i, 2);
            out[i] = t.dtype == DType::F16 ? halfToFloat(v) : bf16ToFloat(v);
        }
        break;
    default:
        throw Error(locate(m_path, 0, 0,
            "tensor " + quoteName(t.name) + " has dtype " + dtypeName(t.dtype)
                + ", but a floating-point tensor (F32, F16, BF16 or F64) is needed"));
    }
    return out;
}

} // namespace pairtune
