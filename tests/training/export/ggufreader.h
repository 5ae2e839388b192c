#pragma once

// A GGUF reader of the tests' own, independent of the exporter (export/ggufwriter.*): the container as
// llama.cpp's gguf-py documents it (header, typed key/values, tensor infos, aligned data) and the
// tensor types the export writes (F32, F16, Q8_0) decoded back to floats. Throws std::runtime_error on
// anything malformed, so a broken file fails the test that reads it.

#include <QByteArray>
#include <QString>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace ggufread {

// gguf-py constants.py GGUFValueType, spelled out here rather than taken from the exporter.
enum ValueType : std::uint32_t { U8 = 0, I8, U16, I16, U32, I32, F32, Bool, String, Array, U64, I64, F64 };

struct Value
{
    std::uint32_t type = 0;
    std::uint64_t u = 0; // unsigned and bool
    std::int64_t i = 0;
    double f = 0;
    std::string s; // a string; the raw bytes of a u8/i8 array
    std::uint32_t elementType = 0;
    std::vector<Value> items; // arrays (not u8/i8)
};

struct TensorEntry
{
    std::string name;
    std::vector<std::uint64_t> dims;
    std::uint32_t type = 0; // ggml type: 0 F32, 1 F16, 8 Q8_0
    std::uint64_t offset = 0; // relative to dataStart
};

struct GgufFile
{
    std::uint32_t version = 0;
    std::map<std::string, Value> kv;
    std::vector<TensorEntry> tensors;
    std::uint64_t dataStart = 0;
    QByteArray bytes;

    const TensorEntry &tensor(const std::string &name) const;
    const Value &key(const std::string &name) const;
    std::set<std::string> tensorNames() const;
};

GgufFile readGguf(const QString &path);

// ggml's sizes (ggml.c type traits): F32 4 bytes, F16 2, Q8_0 34 per 32 values.
std::uint64_t tensorBytes(const TensorEntry &t);

// The tensor's values as floats: F32 verbatim, F16 widened, Q8_0 as q * d per block of 32.
std::vector<float> tensorValues(const GgufFile &g, const TensorEntry &t);

// The strings of a string array.
std::vector<std::string> strings(const Value &array);

} // namespace ggufread
