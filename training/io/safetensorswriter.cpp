// The safetensors writer (declared in safetensors.h): reproduces the byte layout of the reference
// Python/Rust writer so files we export are identical to what `safetensors.torch.save_file` writes.
#include "core/error.h"
#include "io/atomicfile.h"
#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

namespace pairtune {

namespace {

struct Layout
{
    std::string prefix; // 8-byte length + padded header
    std::vector<const TensorToWrite *> order;
};

std::string jsonString(const std::string &s, const std::string &what)
{
    try {
        // Like serde_json: UTF-8 kept as is, only quotes, backslashes and control characters escaped.
        return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::strict);
    } catch (const nlohmann::json::exception &) {
        throw Error("cannot write safetensors: " + what + " is not valid UTF-8");
    }
}

Layout prepare(const std::vector<TensorToWrite> &tensors, const std::map<std::string, std::string> &metadata)
{
    Layout layout;
    std::set<std::string_view> names;
    for (const auto &t : tensors) {
        if (t.name == "__metadata__")
            throw Error("cannot write safetensors: \"__metadata__\" is reserved and cannot name a tensor");
        if (!names.insert(t.name).second)
            throw Error("cannot write safetensors: tensor \"" + t.name + "\" appears more than once");
        std::uint64_t numel = 1;
        for (const auto d : t.shape) {
            if (d < 0)
                throw Error("cannot write safetensors: tensor \"" + t.name + "\" has a negative dimension");
            if (__builtin_mul_overflow(numel, static_cast<std::uint64_t>(d), &numel))
                throw Error("cannot write safetensors: tensor \"" + t.name + "\" has too many elements");
        }
        const std::size_t size = dtypeSize(t.dtype);
        if (size == 0)
            throw Error("cannot write safetensors: tensor \"" + t.name + "\" has an invalid dtype");
        if (numel > t.bytes.size() / size || numel * size != t.bytes.size())
            throw Error("cannot write safetensors: tensor \"" + t.name + "\" has "
                + std::to_string(t.bytes.size()) + " bytes, but its shape and dtype " + dtypeName(t.dtype)
                + " need " + std::to_string(numel * size));
        layout.order.push_back(&t);
    }
    // The reference writer sorts by dtype descending in its enum order (wider types first, which keeps
    // every tensor naturally aligned), then by name.
    std::sort(layout.order.begin(), layout.order.end(), [](const TensorToWrite *a, const TensorToWrite *b) {
        if (a->dtype != b->dtype)
            return static_cast<int>(a->dtype) > static_cast<int>(b->dtype);
        return a->name < b->name;
    });

    std::string header = "{";
    bool first = true;
    if (!metadata.empty()) {
        header += "\"__metadata__\":{";
        bool firstEntry = true;
        for (const auto &[k, v] : metadata) {
            if (!firstEntry)
                header += ',';
            firstEntry = false;
            header += jsonString(k, "a metadata key");
            header += ':';
            header += jsonString(v, "the metadata value for \"" + k + "\"");
        }
        header += '}';
        first = false;
    }
    std::uint64_t offset = 0;
    for (const TensorToWrite *t : layout.order) {
        if (!first)
            header += ',';
        first = false;
        header += jsonString(t->name, "a tensor name");
        header += ":{\"dtype\":\"" + dtypeName(t->dtype) + "\",\"shape\":[";
        for (std::size_t i = 0; i < t->shape.size(); ++i) {
            if (i)
                header += ',';
            header += std::to_string(t->shape[i]);
        }
        const std::uint64_t end = offset + t->bytes.size();
        header += "],\"data_offsets\":[" + std::to_string(offset) + ',' + std::to_string(end) + "]}";
        offset = end;
    }
    header += '}';
    header.append((8 - header.size() % 8) % 8, ' ');

    std::uint64_t n = header.size();
    layout.prefix.resize(8);
    for (int i = 0; i < 8; ++i) {
        layout.prefix[static_cast<std::size_t>(i)] = static_cast<char>(n & 0xFF);
        n >>= 8;
    }
    layout.prefix += header;
    return layout;
}

std::string_view view(std::span<const std::byte> bytes)
{
    return { reinterpret_cast<const char *>(bytes.data()), bytes.size() };
}

} // namespace

std::string serializeSafetensors(
    const std::vector<TensorToWrite> &tensors, const std::map<std::string, std::string> &metadata)
{
    const Layout layout = prepare(tensors, metadata);
    std::size_t total = layout.prefix.size();
    for (const auto *t : layout.order)
        total += t->bytes.size();
    std::string out;
    out.reserve(total);
    out += layout.prefix;
    for (const auto *t : layout.order)
        out += view(t->bytes);
    return out;
}

void writeSafetensors(const std::string &path, const std::vector<TensorToWrite> &tensors,
    const std::map<std::string, std::string> &metadata)
{
    Layout layout;
    try {
        layout = prepare(tensors, metadata);
    } catch (const Error &e) {
        throw Error(path + ": " + e.what(), e.kind());
    }
    AtomicFile file(path);
    file.write(layout.prefix);
    for (const auto *t : layout.order)
        file.write(view(t->bytes));
    file.commit();
}

} // namespace pairtune
