#pragma once

// Torch-free: the GGUF container (version 3) as llama.cpp's gguf-py writes it (gguf_writer.py):
//   "GGUF", u32 version 3, u64 tensor count, u64 key/value count,
//   key/value pairs: string key, u32 value type, value (arrays: u32 element type, u64 count, elements),
//   tensor infos: string name, u32 dimension count, u64 dims (innermost first, ggml's ne[0] = the
//   length of a row), u32 ggml type, u64 offset of the data relative to the data section,
//   padding to the alignment (32, general.alignment), then each tensor's data padded to the alignment.
// Strings are u64 length + UTF-8 bytes; everything little-endian. Tensor data is produced on demand
// while the file is streamed, so a model is never held twice in memory.

#include "export/exportcallbacks.h"

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

namespace pairtune {

// ggml's tensor types (gguf-py constants.py GGMLQuantizationType) that Pairtune writes.
enum class GgmlType : std::uint32_t { F32 = 0, F16 = 1, Q8_0 = 8 };

// gguf-py constants.py GGUFValueType.
enum class GgufValueType : std::uint32_t {
    Uint8 = 0,
    Int8 = 1,
    Uint16 = 2,
    Int16 = 3,
    Uint32 = 4,
    Int32 = 5,
    Float32 = 6,
    Bool = 7,
    String = 8,
    Array = 9,
    Uint64 = 10,
    Int64 = 11,
    Float64 = 12,
};

inline constexpr std::uint32_t kGgufVersion = 3;
inline constexpr std::uint64_t kGgufAlignment = 32; // GGUF_DEFAULT_ALIGNMENT
inline constexpr std::uint64_t kQ8BlockSize = 32; // values per Q8_0 block (QK8_0)
inline constexpr std::uint64_t kQ8BlockBytes = 34; // f16 scale + 32 int8

// Appends value as the container stores it: little-endian, as every platform Pairtune builds for.
template <typename T> void appendGgufBytes(std::string &out, T value)
{
    char bytes[sizeof(T)];
    std::memcpy(bytes, &value, sizeof(T));
    out.append(bytes, sizeof(T));
}

// Bytes of a tensor with these dims (innermost first) and type; Q8_0 needs dims[0] % 32 == 0.
std::uint64_t ggmlTensorBytes(const std::vector<std::uint64_t> &dims, GgmlType type);

class GgufWriter
{
public:
    void addString(const std::string &key, const std::string &value);
    void addUint32(const std::string &key, std::uint32_t value);
    void addFloat32(const std::string &key, float value);
    void addBool(const std::string &key, bool value);
    void addStringArray(const std::string &key, const std::vector<std::string> &values);
    void addInt32Array(const std::string &key, const std::vector<std::int32_t> &values);
    void addFloat32Array(const std::string &key, const std::vector<float> &values);
    void addUint8Array(const std::string &key, const std::string &bytes);

    // produce appends exactly ggmlTensorBytes(dims, type) bytes to its argument when the data is written.
    void addTensor(const std::string &name, const std::vector<std::uint64_t> &dims, GgmlType type,
        std::function<void(std::string &out)> produce);

    // Streams the file to path atomically (nothing at path unless complete); reports progress per
    // tensor and honours cancel. Throws pairtune::Error (Io, Cancelled, or InvalidInput when a producer
    // gives the wrong number of bytes).
    void write(const std::string &path, const ExportCallbacks &callbacks) const;

private:
    struct Tensor
    {
        std::string name;
        std::vector<std::uint64_t> dims;
        GgmlType type;
        std::function<void(std::string &)> produce;
    };
    void beginKey(const std::string &key, GgufValueType type);

    std::string m_kv; // encoded key/value pairs
    std::uint64_t m_kvCount = 0;
    std::vector<Tensor> m_tensors;
};

} // namespace pairtune
