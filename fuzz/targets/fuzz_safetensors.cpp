// The safetensors reader on arbitrary bytes: header length, JSON header, dtypes, shapes, offsets,
// metadata. A file the reader accepts must give every tensor's bytes and float conversion without
// reading outside the buffer, and must survive a write/read round trip unchanged.

#include "core/error.h"
#include "fuzzsupport.h"
#include "io/safetensors.h"

#include <algorithm>

using namespace pairtune;

namespace {

bool isFloat(DType dtype)
{
    return dtype == DType::F32 || dtype == DType::F16 || dtype == DType::BF16 || dtype == DType::F64;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    fuzz::silenceLog();
    SafetensorsFile file = [&]() -> SafetensorsFile {
        try {
            return SafetensorsFile::fromBytes(std::string(fuzz::asText(data, size)), "fuzz.safetensors");
        } catch (const Error &) {
            return SafetensorsFile::fromBytes(serializeSafetensors({}, {}), "empty.safetensors");
        }
    }();

    std::vector<TensorToWrite> again;
    for (const TensorInfo &t : file.tensors()) {
        const auto bytes = file.bytes(t);
        fuzz::check(bytes.size() == static_cast<std::size_t>(t.numel()) * dtypeSize(t.dtype),
            "a tensor's byte span matches its shape and dtype");
        fuzz::check(file.find(t.name) == &t, "find() returns the listed tensor");
        if (isFloat(t.dtype))
            fuzz::check(file.toFloat32(t).size() == static_cast<std::size_t>(t.numel()),
                "toFloat32 gives numel values");
        else {
            try {
                (void)file.toFloat32(t);
                fuzz::check(false, "toFloat32 refuses integer dtypes");
            } catch (const Error &) { }
        }
        again.push_back(TensorToWrite { t.name, t.dtype, t.shape, bytes });
    }

    // Round trip: what the reader accepted, the writer writes and the reader reads back the same.
    const SafetensorsFile reread
        = SafetensorsFile::fromBytes(serializeSafetensors(again, file.metadata()), "roundtrip.safetensors");
    fuzz::check(reread.tensors().size() == file.tensors().size(), "round trip keeps the tensor count");
    fuzz::check(reread.metadata() == file.metadata(), "round trip keeps the metadata");
    for (std::size_t i = 0; i < file.tensors().size(); ++i) {
        const TensorInfo &a = file.tensors()[i];
        const TensorInfo &b = reread.tensors()[i];
        fuzz::check(a.name == b.name && a.dtype == b.dtype && a.shape == b.shape,
            "round trip keeps names, dtypes, shapes");
        const auto x = file.bytes(a);
        const auto y = reread.bytes(b);
        fuzz::check(std::equal(x.begin(), x.end(), y.begin(), y.end()), "round trip keeps the data");
    }
    return 0;
}
