#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pairtune {

// The safetensors dtypes Pairtune reads and writes, in the order of the format's own enum (the
// writer sorts by it). Other dtypes of the format (C64, F8_*, F6_*, F4) are recognised by the
// reader only to report them as unsupported.
enum class DType { BOOL, U8, I8, I16, U16, F16, BF16, I32, U32, F32, F64, I64, U64 };

std::string dtypeName(DType dtype);
std::size_t dtypeSize(DType dtype); // bytes per element
std::optional<DType> parseDType(std::string_view name);

struct TensorInfo
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::uint64_t begin = 0, end = 0; // byte offsets relative to the start of the data buffer
    std::int64_t numel() const; // 1 for a scalar (shape [])
};

// A parsed, fully validated safetensors file held in memory. Every rule of the format is checked
// on load (header size and start, UTF-8 JSON, known dtypes, non-negative shapes, offsets that tile
// the buffer exactly, byte lengths that match the shapes, no duplicate names, string metadata);
// any violation throws Error naming the file and the problem.
class SafetensorsFile
{
public:
    static SafetensorsFile open(const std::string &path);
    static SafetensorsFile fromBytes(std::string bytes, const std::string &pathForMessages);

    const std::vector<TensorInfo> &tensors() const { return m_tensors; } // sorted by name
    const TensorInfo *find(std::string_view name) const; // nullptr if absent
    std::span<const std::byte> bytes(const TensorInfo &t) const;
    // Converts F32/F16/BF16/F64 data to float; other dtypes throw Error.
    std::vector<float> toFloat32(const TensorInfo &t) const;
    const std::map<std::string, std::string> &metadata() const { return m_metadata; }
    const std::string &path() const { return m_path; }

private:
    SafetensorsFile() = default;

    std::string m_path;
    std::string m_bytes;
    std::size_t m_dataStart = 0;
    std::vector<TensorInfo> m_tensors;
    std::map<std::string, std::string> m_metadata;
};

struct TensorToWrite
{
    std::string name;
    DType dtype = DType::F32;
    std::vector<std::int64_t> shape;
    std::span<const std::byte> bytes; // row-major, little-endian, numel * dtypeSize bytes
};

// Produces exactly the bytes Python's safetensors writer produces for the same tensors and metadata:
// tensors ordered by dtype (descending in the format's enum order) then name, compact JSON header
// with __metadata__ first (omitted when empty), padded with spaces to a multiple of 8.
// Throws Error for duplicate names, negative shapes or byte lengths that do not match the shape.
std::string serializeSafetensors(
    const std::vector<TensorToWrite> &tensors, const std::map<std::string, std::string> &metadata);
// Same bytes, streamed to `path` atomically (never the whole model in memory twice).
void writeSafetensors(const std::string &path, const std::vector<TensorToWrite> &tensors,
    const std::map<std::string, std::string> &metadata);

} // namespace pairtune
