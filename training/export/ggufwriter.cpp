#include "export/ggufwriter.h"

#include "core/error.h"
#include "io/atomicfile.h"

namespace pairtune {
namespace {

void putString(std::string &out, const std::string &text)
{
    appendGgufBytes<std::uint64_t>(out, text.size());
    out += text;
}

std::uint64_t alignUp(std::uint64_t offset)
{
    return (offset + kGgufAlignment - 1) / kGgufAlignment * kGgufAlignment;
}

} // namespace

std::uint64_t ggmlTensorBytes(const std::vector<std::uint64_t> &dims, GgmlType type)
{
    std::uint64_t count = 1;
    for (std::uint64_t d : dims)
        count *= d;
    switch (type) {
    case GgmlType::F32:
        return count * 4;
    case GgmlType::F16:
        return count * 2;
    case GgmlType::Q8_0:
        if (dims.empty() || dims[0] % kQ8BlockSize != 0)
            throw Error("GGUF: a Q8_0 tensor needs rows whose length is a multiple of 32");
        return count / kQ8BlockSize * kQ8BlockBytes;
    }
    return 0;
}

void GgufWriter::beginKey(const std::string &key, GgufValueType type)
{
    putString(m_kv, key);
    appendGgufBytes<std::uint32_t>(m_kv, std::uint32_t(type));
    ++m_kvCount;
}

void GgufWriter::addString(const std::string &key, const std::string &value)
{
    beginKey(key, GgufValueType::String);
    putString(m_kv, value);
}

void GgufWriter::addUint32(const std::string &key, std::uint32_t value)
{
    beginKey(key, GgufValueType::Uint32);
    appendGgufBytes(m_kv, value);
}

void GgufWriter::addFloat32(const std::string &key, float value)
{
    beginKey(key, GgufValueType::Float32);
    appendGgufBytes(m_kv, value);
}

void GgufWriter::addBool(const std::string &key, bool value)
{
    beginKey(key, GgufValueType::Bool);
    appendGgufBytes<std::uint8_t>(m_kv, value ? 1 : 0);
}

void GgufWriter::addStringArray(const std::string &key, const std::vector<std::string> &values)
{
    beginKey(key, GgufValueType::Array);
    appendGgufBytes<std::uint32_t>(m_kv, std::uint32_t(GgufValueType::String));
    appendGgufBytes<std::uint64_t>(m_kv, values.size());
    for (const std::string &v : values)
        putString(m_kv, v);
}

void GgufWriter::addInt32Array(const std::string &key, const std::vector<std::int32_t> &values)
{
    beginKey(key, GgufValueType::Array);
    appendGgufBytes<std::uint32_t>(m_kv, std::uint32_t(GgufValueType::Int32));
    appendGgufBytes<std::uint64_t>(m_kv, values.size());
    for (std::int32_t v : values)
        appendGgufBytes(m_kv, v);
}

void GgufWriter::addFloat32Array(const std::string &key, const std::vector<float> &values)
{
    beginKey(key, GgufValueType::Array);
    appendGgufBytes<std::uint32_t>(m_kv, std::uint32_t(GgufValueType::Float32));
    appendGgufBytes<std::uint64_t>(m_kv, values.size());
    for (float v : values)
        appendGgufBytes(m_kv, v);
}

void GgufWriter::addUint8Array(const std::string &key, const std::string &bytes)
{
    beginKey(key, GgufValueType::Array);
    appendGgufBytes<std::uint32_t>(m_kv, std::uint32_t(GgufValueType::Uint8));
    appendGgufBytes<std::uint64_t>(m_kv, bytes.size());
    m_kv += bytes;
}

void GgufWriter::addTensor(const std::string &name, const std::vector<std::uint64_t> &dims, GgmlType type,
    std::function<void(std::string &out)> produce)
{
    ggmlTensorBytes(dims, type); // rejects a Q8_0 shape now rather than half way through the file
    m_tensors.push_back(Tensor { name, dims, type, std::move(produce) });
}

void GgufWriter::write(const std::string &path, const ExportCallbacks &callbacks) const
{
    std::string head;
    head += "GGUF";
    appendGgufBytes<std::uint32_t>(head, kGgufVersion);
    appendGgufBytes<std::uint64_t>(head, m_tensors.size());
    appendGgufBytes<std::uint64_t>(head, m_kvCount);
    head += m_kv;
    std::uint64_t offset = 0;
    for (const Tensor &t : m_tensors) {
        putString(head, t.name);
        appendGgufBytes<std::uint32_t>(head, std::uint32_t(t.dims.size()));
        for (std::uint64_t d : t.dims)
            appendGgufBytes<std::uint64_t>(head, d);
        appendGgufBytes<std::uint32_t>(head, std::uint32_t(t.type));
        appendGgufBytes<std::uint64_t>(head, offset);
        offset = alignUp(offset + ggmlTensorBytes(t.dims, t.type));
    }
    head.resize(alignUp(head.size()), '\0');

    AtomicFile file(path);
    file.write(head);
    std::string data;
    for (std::size_t i = 0; i < m_tensors.size(); ++i) {
        callbacks.throwIfCancelled();
        const Tensor &t = m_tensors[i];
        data.clear();
        t.produce(data);
        const std::uint64_t expected = ggmlTensorBytes(t.dims, t.type);
        if (data.size() != expected)
            throw Error("GGUF: tensor " + t.name + " produced " + std::to_string(data.size())
                + " bytes, expected " + std::to_string(expected) + " (a bug in the GGUF export)");
        data.resize(alignUp(data.size()), '\0');
        file.write(data);
        callbacks.report(double(i + 1) / double(m_tensors.size()), "writing " + t.name);
    }
    callbacks.throwIfCancelled();
    file.commit();
}

} // namespace pairtune
