#include "io/npy.h"

#include "core/error.h"
#include "io/atomicfile.h"
#include "io/fileutil.h"

#include <bit>
#include <cctype>
#include <cstring>

namespace pairtune {

static_assert(std::endian::native == std::endian::little, "NPY '<f4' data is written in host order");

namespace {

constexpr char kMagic[] = "\x93NUMPY";

// Values of the header dictionary, e.g. "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }".
// numpy writes this exact layout; we only need the three known keys, so a small scanner suffices.
std::string dictValue(const std::string &header, const std::string &key)
{
    const std::string quotedKey = "'" + key + "'";
    auto pos = header.find(quotedKey);
    if (pos == std::string::npos)
        return {};
    pos = header.find(':', pos + quotedKey.size());
    if (pos == std::string::npos)
        return {};
    ++pos;
    while (pos < header.size() && header[pos] == ' ')
        ++pos;
    if (pos >= header.size())
        return {};
    std::size_t end;
    if (header[pos] == '(')
        end = header.find(')', pos) + 1;
    else if (header[pos] == '\'' || header[pos] == '"')
        end = header.find(header[pos], pos + 1) + 1;
    else
        end = header.find_first_of(",}", pos);
    if (end == std::string::npos || end == 0)
        return {};
    return header.substr(pos, end - pos);
}

} // namespace

void writeNpyFloat32(const std::string &path, std::size_t rows, std::size_t cols, const float *data)
{
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + std::to_string(rows) + ", "
        + std::to_string(cols) + "), }";
    // magic(6) + version(2) + header length(2) + header + '\n' must be a multiple of 64.
    const std::size_t unpadded = 10 + header.size() + 1;
    header.append((64 - unpadded % 64) % 64, ' ');
    header += '\n';
    if (header.size() > 0xFFFF)
        throw Error(locate(path, 0, 0, "NPY header too long"), Error::Kind::Io);

    std::string prefix(kMagic, 6);
    prefix += '\x01';
    prefix += '\x00';
    prefix += static_cast<char>(header.size() & 0xFF);
    prefix += static_cast<char>((header.size() >> 8) & 0xFF);
    prefix += header;

    AtomicFile file(path);
    file.write(prefix);
    if (rows * cols > 0)
        file.write(std::string_view(reinterpret_cast<const char *>(data), rows * cols * sizeof(float)));
    file.commit();
}

std::vector<float> readNpyFloat32(const std::string &path, std::size_t &rows, std::size_t &cols)
{
    const std::string bytes = readFileBytes(path);
    auto fail = [&path](const std::string &message) { return Error(locate(path, 0, 0, message)); };
    if (bytes.size() < 10 || bytes.compare(0, 6, kMagic, 6) != 0)
        throw fail("not an NPY file (missing the \\x93NUMPY signature)");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLen = 0;
    std::size_t headerStart = 0;
    if (major == 1) {
        headerLen = static_cast<unsigned char>(bytes[8])
            | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
        headerStart = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12)
            throw fail("truncated NPY header");
        for (int i = 3; i >= 0; --i)
            headerLen = (headerLen << 8) | static_cast<unsigned char>(bytes[8 + static_cast<std::size_t>(i)]);
        headerStart = 12;
    } else {
        throw fail("unsupported NPY version " + std::to_string(major));
    }
    if (headerStart + headerLen > bytes.size())
        throw fail("truncated NPY header");
    const std::string header = bytes.substr(headerStart, headerLen);

    const std::string descr = dictValue(header, "descr");
    if (descr != "'<f4'")
        throw fail(
            "expected float32 data ('<f4'), found " + (descr.empty() ? std::string("no dtype") : descr));
    if (dictValue(header, "fortran_order") != "False")
        throw fail("Fortran-ordered arrays are not supported");
    const std::string shape = dictValue(header, "shape");
    if (shape.size() < 2 || shape.front() != '(')
        throw fail("cannot read the array shape");
    std::vector<std::size_t> dims;
    std::size_t i = 1;
    while (i < shape.size() - 1) {
        while (i < shape.size() && (shape[i] == ' ' || shape[i] == ','))
            ++i;
        if (i >= shape.size() - 1)
            break;
        if (!std::isdigit(static_cast<unsigned char>(shape[i])))
            throw fail("cannot read the array shape " + shape);
        std::size_t v = 0;
        while (i < shape.size() && std::isdigit(static_cast<unsigned char>(shape[i])))
            v = v * 10 + static_cast<std::size_t>(shape[i++] - '0');
        dims.push_back(v);
    }
    if (dims.size() == 1) {
        rows = dims[0];
        cols = 1;
    } else if (dims.size() == 2) {
        rows = dims[0];
        cols = dims[1];
    } else {
        throw fail("expected a 1-D or 2-D array, found shape " + shape);
    }
    const std::size_t dataStart = headerStart + headerLen;
    const std::size_t count = rows * cols;
    if (bytes.size() - dataStart != count * sizeof(float))
        throw fail(
            "data size " + std::to_string(bytes.size() - dataStart) + " bytes does not match shape " + shape);
    std::vector<float> out(count);
    if (count)
        std::memcpy(out.data(), bytes.data() + dataStart, count * sizeof(float));
    return out;
}

} // namespace pairtune
