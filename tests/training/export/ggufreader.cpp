// The tests' own GGUF reader (ggufreader.h).

#include "ggufreader.h"

#include <QFile>

#include <cmath>
#include <cstring>
#include <stdexcept>

namespace ggufread {
namespace {

class Cursor
{
public:
    explicit Cursor(const QByteArray &bytes)
        : m_bytes(bytes)
    { }
    template <typename T> T get()
    {
        need(sizeof(T));
        T value;
        std::memcpy(&value, m_bytes.constData() + m_pos, sizeof(T));
        m_pos += sizeof(T);
        return value;
    }
    std::string bytes(std::uint64_t n)
    {
        need(n);
        std::string out(m_bytes.constData() + m_pos, std::size_t(n));
        m_pos += n;
        return out;
    }
    std::string string() { return bytes(get<std::uint64_t>()); }
    std::uint64_t position() const { return m_pos; }

private:
    void need(std::uint64_t n) const
    {
        if (m_pos + n > std::uint64_t(m_bytes.size()))
            throw std::runtime_error("truncated at byte " + std::to_string(m_pos));
    }
    const QByteArray &m_bytes;
    std::uint64_t m_pos = 0;
};

Value readValue(Cursor &c, std::uint32_t type)
{
    Value v;
    v.type = type;
    switch (type) {
    case U8:
        v.u = c.get<std::uint8_t>();
        break;
    case I8:
        v.i = c.get<std::int8_t>();
        break;
    case U16:
        v.u = c.get<std::uint16_t>();
        break;
    case I16:
        v.i = c.get<std::int16_t>();
        break;
    case U32:
        v.u = c.get<std::uint32_t>();
        break;
    case I32:
        v.i = c.get<std::int32_t>();
        break;
    case F32:
        v.f = c.get<float>();
        break;
    case Bool:
        v.u = c.get<std::uint8_t>();
        if (v.u > 1)
            throw std::runtime_error("bool that is neither 0 nor 1");
        break;
    case String:
        v.s = c.string();
        break;
    case U64:
        v.u = c.get<std::uint64_t>();
        break;
    case I64:
        v.i = c.get<std::int64_t>();
        break;
    case F64:
        v.f = c.get<double>();
        break;
    case Array: {
        v.elementType = c.get<std::uint32_t>();
        const std::uint64_t n = c.get<std::uint64_t>();
        if (v.elementType == U8 || v.elementType == I8)
            v.s = c.bytes(n);
        else
            for (std::uint64_t k = 0; k < n; ++k)
                v.items.push_back(readValue(c, v.elementType));
        break;
    }
    default:
        throw std::runtime_error("unknown value type " + std::to_string(type));
    }
    return v;
}

// IEEE binary16 → float, written out here so the check does not share the exporter's conversion.
float halfBits(std::uint16_t h)
{
    const int exponent = (h >> 10) & 0x1f;
    const int mantissa = h & 0x3ff;
    const float sign = (h & 0x8000) ? -1.0f : 1.0f;
    if (exponent == 0)
        return sign * std::ldexp(float(mantissa), -24);
    if (exponent == 31)
        return mantissa ? NAN : sign * INFINITY;
    return sign * std::ldexp(float(mantissa | 0x400), exponent - 25);
}

} // namespace

const TensorEntry &GgufFile::tensor(const std::string &name) const
{
    for (const TensorEntry &t : tensors)
        if (t.name == name)
            return t;
    throw std::runtime_error("no tensor " + name);
}

const Value &GgufFile::key(const std::string &name) const
{
    auto it = kv.find(name);
    if (it == kv.end())
        throw std::runtime_error("no key " + name);
    return it->second;
}

std::set<std::string> GgufFile::tensorNames() const
{
    std::set<std::string> names;
    for (const TensorEntry &t : tensors)
        names.insert(t.name);
    return names;
}

GgufFile readGguf(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw std::runtime_error("cannot open " + path.toStdString());
    GgufFile g;
    g.bytes = file.readAll();
    Cursor c(g.bytes);
    if (c.bytes(4) != "GGUF")
        throw std::runtime_error("not GGUF");
    g.version = c.get<std::uint32_t>();
    const std::uint64_t tensorCount = c.get<std::uint64_t>();
    const std::uint64_t kvCount = c.get<std::uint64_t>();
    for (std::uint64_t k = 0; k < kvCount; ++k) {
        const std::string key = c.string();
        if (g.kv.count(key))
            throw std::runtime_error("duplicate key " + key);
        g.kv[key] = readValue(c, c.get<std::uint32_t>());
    }
    for (std::uint64_t k = 0; k < tensorCount; ++k) {
        TensorEntry t;
        t.name = c.string();
        const std::uint32_t n = c.get<std::uint32_t>();
        for (std::uint32_t d = 0; d < n; ++d)
            t.dims.push_back(c.get<std::uint64_t>());
        t.type = c.get<std::uint32_t>();
        t.offset = c.get<std::uint64_t>();
        g.tensors.push_back(t);
    }
    std::uint64_t alignment = 32;
    if (g.kv.count("general.alignment"))
        alignment = g.kv["general.alignment"].u;
    g.dataStart = (c.position() + alignment - 1) / alignment * alignment;
    return g;
}

std::uint64_t tensorBytes(const TensorEntry &t)
{
    std::uint64_t n = 1;
    for (auto d : t.dims)
        n *= d;
    switch (t.type) {
    case 0:
        return n * 4;
    case 1:
        return n * 2;
    case 8:
        return n / 32 * 34;
    }
    throw std::runtime_error("unexpected tensor type " + std::to_string(t.type));
}

std::vector<float> tensorValues(const GgufFile &g, const TensorEntry &t)
{
    const char *data = g.bytes.constData() + g.dataStart + t.offset;
    std::uint64_t n = 1;
    for (auto d : t.dims)
        n *= d;
    std::vector<float> out(n);
    for (std::uint64_t k = 0; k < n; ++k) {
        if (t.type == 0)
            std::memcpy(&out[k], data + 4 * k, 4);
        else if (t.type == 1) {
            std::uint16_t h;
            std::memcpy(&h, data + 2 * k, 2);
            out[k] = halfBits(h);
        } else { // Q8_0: per block of 32, f16 d then int8 q[32]; value = q * d (ggml dequantize_row_q8_0)
            const char *block = data + (k / 32) * 34;
            std::uint16_t d;
            std::memcpy(&d, block, 2);
            out[k] = float(std::int8_t(block[2 + k % 32])) * halfBits(d);
        }
    }
    return out;
}

std::vector<std::string> strings(const Value &array)
{
    std::vector<std::string> out;
    for (const Value &v : array.items)
        out.push_back(v.s);
    return out;
}

} // namespace ggufread
