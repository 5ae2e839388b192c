#include "core/error.h"
#include "io/fileutil.h"
#include "io/halffloat.h"
#include "io/safetensors.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cstring>

using namespace pairtune;

namespace {

const std::vector<DType> kAllDTypes = { DType::BOOL, DType::U8, DType::I8, DType::I16, DType::U16, DType::F16,
    DType::BF16, DType::I32, DType::U32, DType::F32, DType::F64, DType::I64, DType::U64 };

std::vector<std::byte> pattern(std::size_t n, unsigned seed)
{
    std::vector<std::byte> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<std::byte>((i * 37 + seed * 11 + 5) & 0xFF);
    return out;
}

template <typename T> std::span<const std::byte> asBytes(const std::vector<T> &v)
{
    return std::as_bytes(std::span<const T>(v));
}

std::string littleEndian64(std::uint64_t n)
{
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i)
        s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
    return s;
}

std::string headerOf(const std::string &file)
{
    std::uint64_t n = 0;
    for (int i = 7; i >= 0; --i)
        n = (n << 8) | static_cast<unsigned char>(file[static_cast<std::size_t>(i)]);
    return file.substr(8, n);
}

} // namespace

class TestSafetensors : public QObject
{
    Q_OBJECT

private slots:
    void dtypeTable()
    {
        const std::vector<std::pair<std::string, std::size_t>> expected = {
            { "BOOL", 1 },
            { "U8", 1 },
            { "I8", 1 },
            { "I16", 2 },
            { "U16", 2 },
            { "F16", 2 },
            { "BF16", 2 },
            { "I32", 4 },
            { "U32", 4 },
            { "F32", 4 },
            { "F64", 8 },
            { "I64", 8 },
            { "U64", 8 },
        };
        QCOMPARE(expected.size(), kAllDTypes.size());
        for (std::size_t i = 0; i < kAllDTypes.size(); ++i) {
            QCOMPARE(dtypeName(kAllDTypes[i]), expected[i].first);
            QCOMPARE(dtypeSize(kAllDTypes[i]), expected[i].second);
            QCOMPARE(parseDType(expected[i].first), std::optional<DType>(kAllDTypes[i]));
        }
        QVERIFY(!parseDType("f32"));
        QVERIFY(!parseDType("F8_E4M3"));
        QVERIFY(!parseDType(""));
    }

    void roundTripEveryDType()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        std::vector<std::vector<std::byte>> storage;
        std::vector<TensorToWrite> tensors;
        storage.reserve(kAllDTypes.size() * 3);
        unsigned seed = 0;
        for (const DType dt : kAllDTypes) {
            const std::string base = dtypeName(dt);
            storage.push_back(pattern(2 * 3 * dtypeSize(dt), ++seed));
            tensors.push_back({ base + ".matrix", dt, { 2, 3 }, std::span<const std::byte>(storage.back()) });
            storage.push_back(pattern(dtypeSize(dt), ++seed));
            tensors.push_back({ base + ".scalar", dt, {}, std::span<const std::byte>(storage.back()) });
            tensors.push_back({ base + ".empty", dt, { 0, 4 }, {} });
        }
        const std::map<std::string, std::string> metadata = { { "format", "pt" }, { "note", "ünïcode ✓" } };
        const std::string path = dir.filePath("all.safetensors").toStdString();
        writeSafetensors(path, tensors, metadata);

        // The streamed file and the in-memory serialisation are the same bytes.
        QCOMPARE(readFileBytes(path), serializeSafetensors(tensors, metadata));

        const SafetensorsFile file = SafetensorsFile::open(path);
        QCOMPARE(file.metadata(), metadata);
        QCOMPARE(file.tensors().size(), tensors.size());
        for (std::size_t i = 1; i < file.tensors().size(); ++i)
            QVERIFY(file.tensors()[i - 1].name < file.tensors()[i].name);
        for (const auto &t : tensors) {
            const TensorInfo *info = file.find(t.name);
            QVERIFY2(info, t.name.c_str());
            QCOMPARE(info->name, t.name);
            QCOMPARE(info->dtype, t.dtype);
            QCOMPARE(info->shape, t.shape);
            QCOMPARE(info->end - info->begin, t.bytes.size());
            const auto got = file.bytes(*info);
            QCOMPARE(got.size(), t.bytes.size());
            QVERIFY(std::equal(got.begin(), got.end(), t.bytes.begin()));
        }
        QCOMPARE(file.find("F32.scalar")->numel(), std::int64_t(1));
        QCOMPARE(file.find("F32.empty")->numel(), std::int64_t(0));
        QCOMPARE(file.find("F32.matrix")->numel(), std::int64_t(6));
        QVERIFY(file.find("F32") == nullptr);
        QVERIFY(file.find("") == nullptr);
    }

    void exactLayout()
    {
        const std::vector<std::int64_t> c = { -7 };
        const std::vector<float> a = { 1.5f }, b = { 2.0f, -3.0f };
        const std::vector<std::uint16_t> h = { 0x3C00 };
        const std::vector<std::uint8_t> z = { 1, 2, 3 };
        const std::vector<TensorToWrite> tensors = {
            { "b", DType::F32, { 2 }, asBytes(b) },
            { "z", DType::U8, { 3 }, asBytes(z) },
            { "h", DType::F16, { 1 }, asBytes(h) },
            { "a", DType::F32, { 1 }, asBytes(a) },
            { "c", DType::I64, { 1 }, asBytes(c) },
        };
        const std::string out = serializeSafetensors(tensors, { { "format", "pt" } });
        // Wider dtypes first (I64, F32, F16, U8), names ascending within a dtype, __metadata__ first.
        std::string header = R"({"__metadata__":{"format":"pt"},)"
                             R"("c":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
                             R"("a":{"dtype":"F32","shape":[1],"data_offsets":[8,12]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]},)"
                             R"("h":{"dtype":"F16","shape":[1],"data_offsets":[20,22]},)"
                             R"("z":{"dtype":"U8","shape":[3],"data_offsets":[22,25]}})";
        QCOMPARE(header.size(), std::size_t(303));
        header += " "; // padded with spaces to 304, a multiple of 8
        std::string expected = littleEndian64(304) + header;
        expected.append(reinterpret_cast<const char *>(c.data()), 8);
        expected.append(reinterpret_cast<const char *>(a.data()), 4);
        expected.append(reinterpret_cast<const char *>(b.data()), 8);
        expected.append(reinterpret_cast<const char *>(h.data()), 2);
        expected.append(reinterpret_cast<const char *>(z.data()), 3);
        QCOMPARE(out.size(), expected.size());
        QCOMPARE(QByteArray::fromStdString(out), QByteArray::fromStdString(expected));
    }

    void noMetadataAndEmptyFile()
    {
        const std::vector<float> w = { 1, 2, 3, 4 };
        const std::string out = serializeSafetensors({ { "w", DType::F32, { 2, 2 }, asBytes(w) } }, {});
        QCOMPARE(headerOf(out),
            std::string(R"({"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}})") + "       ");
        QCOMPARE(out.size(), 8 + 64 + 16u);

        // No tensors at all: "{}" padded to 8; readable back.
        const std::string empty = serializeSafetensors({}, {});
        QCOMPARE(QByteArray::fromStdString(empty), QByteArray::fromStdString(littleEndian64(8) + "{}      "));
        const SafetensorsFile file = SafetensorsFile::fromBytes(empty, "empty.safetensors");
        QVERIFY(file.tensors().empty());
        QVERIFY(file.metadata().empty());
    }

    void headerAlwaysPaddedToEight()
    {
        // Names of every length 1..16 exercise every padding amount 0..7.
        for (int len = 1; len <= 16; ++len) {
            const std::vector<std::uint8_t> v = { 9 };
            const std::string out = serializeSafetensors(
                { { std::string(static_cast<std::size_t>(len), 'n'), DType::U8, { 1 }, asBytes(v) } }, {});
            const std::string header = headerOf(out);
            QCOMPARE(header.size() % 8, 0u);
            QVERIFY(header.size() >= 8);
            const auto close = header.find_last_of('}');
            QCOMPARE(header.size() - close - 1, (8 - (close + 1) % 8) % 8);
            QVERIFY(header.substr(close + 1).find_first_not_of(' ') == std::string::npos);
            QCOMPARE(out.back(), char(9));
        }
    }

    void dtypeOrderMatchesReferenceWriter()
    {
        std::vector<std::vector<std::byte>> storage;
        std::vector<TensorToWrite> tensors;
        storage.reserve(kAllDTypes.size());
        for (const DType dt : kAllDTypes) {
            storage.push_back(pattern(dtypeSize(dt), 1));
            // Names chosen so alphabetical order would differ from dtype order.
            tensors.push_back(
                { "t_" + dtypeName(dt), dt, { 1 }, std::span<const std::byte>(storage.back()) });
        }
        const std::string header = headerOf(serializeSafetensors(tensors, {}));
        const std::vector<std::string> order
            = { "U64", "I64", "F64", "F32", "U32", "I32", "BF16", "F16", "U16", "I16", "I8", "U8", "BOOL" };
        std::size_t pos = 0;
        std::uint64_t offset = 0;
        for (const auto &name : order) {
            const std::string entry = "\"t_" + name + "\":{\"dtype\":\"" + name
                + "\",\"shape\":[1],\"data_offsets\":[" + std::to_string(offset) + ",";
            const auto found = header.find(entry);
            QVERIFY2(found != std::string::npos, entry.c_str());
            QVERIFY2(found >= pos, name.c_str());
            pos = found;
            offset += dtypeSize(*parseDType(name));
        }
    }

    void unicodeNamesStayUtf8()
    {
        const std::vector<float> v = { 1 };
        const std::string name = "gewicht.über.名前";
        const std::string out
            = serializeSafetensors({ { name, DType::F32, { 1 }, asBytes(v) } }, { { "ключ", "значение" } });
        const std::string header = headerOf(out);
        QVERIFY(header.find("\\u") == std::string::npos);
        QVERIFY(header.find("\"" + name + "\"") != std::string::npos);
        const SafetensorsFile file = SafetensorsFile::fromBytes(out, "u.safetensors");
        QVERIFY(file.find(name));
        QCOMPARE(file.metadata().at("ключ"), std::string("значение"));
    }

    void toFloat32Conversions()
    {
        const std::vector<float> f32 = { 1.0f, -2.5f, 3.25f };
        const std::vector<double> f64 = { 0.1, -1e10, 65504.0 };
        const std::vector<std::uint16_t> f16 = { 0x3C00, 0xC000, 0x0001, 0x7BFF };
        const std::vector<std::uint16_t> bf16 = { 0x3F80, 0xC020, 0x7F80 };
        const std::vector<std::int32_t> i32 = { 1, 2 };
        const std::string bytes = serializeSafetensors(
            { { "f32", DType::F32, { 3 }, asBytes(f32) }, { "f64", DType::F64, { 3 }, asBytes(f64) },
                { "f16", DType::F16, { 2, 2 }, asBytes(f16) }, { "bf16", DType::BF16, { 3 }, asBytes(bf16) },
                { "i32", DType::I32, { 2 }, asBytes(i32) } },
            {});
        const SafetensorsFile file = SafetensorsFile::fromBytes(bytes, "conv.safetensors");
        QCOMPARE(file.toFloat32(*file.find("f32")), f32);
        QCOMPARE(file.toFloat32(*file.find("f64")), (std::vector<float> { 0.1f, -1e10f, 65504.0f }));
        QCOMPARE(file.toFloat32(*file.find("f16")),
            (std::vector<float> { 1.0f, -2.0f, std::ldexp(1.0f, -24), 65504.0f }));
        const auto b = file.toFloat32(*file.find("bf16"));
        QCOMPARE(b[0], 1.0f);
        QCOMPARE(b[1], -2.5f);
        QVERIFY(std::isinf(b[2]) && b[2] > 0);
        try {
            file.toFloat32(*file.find("i32"));
            QFAIL("I32 converted to float");
        } catch (const Error &e) {
            QVERIFY(std::string(e.what()).find("conv.safetensors") != std::string::npos);
            QVERIFY(std::string(e.what()).find("I32") != std::string::npos);
        }
    }

    void writerRejectsBadInput()
    {
        const std::vector<float> v = { 1, 2, 3 };
        auto expectError = [](const std::vector<TensorToWrite> &t, const char *needle) {
            try {
                serializeSafetensors(t, {});
            } catch (const Error &e) {
                return std::string(e.what()).find(needle) != std::string::npos;
            }
            return false;
        };
        QVERIFY(expectError({ { "a", DType::F32, { 2 }, asBytes(v) } }, "need 8"));
        QVERIFY(
            expectError({ { "a", DType::F32, { 3 }, asBytes(v) }, { "a", DType::F32, { 3 }, asBytes(v) } },
                "more than once"));
        QVERIFY(expectError({ { "a", DType::F32, { -3 }, asBytes(v) } }, "negative"));
        QVERIFY(expectError({ { "__metadata__", DType::F32, { 3 }, asBytes(v) } }, "reserved"));
        QVERIFY(expectError({ { "bad\xff", DType::F32, { 3 }, asBytes(v) } }, "UTF-8"));

        QTemporaryDir dir;
        const std::string path = dir.filePath("x.safetensors").toStdString();
        QVERIFY_THROWS_EXCEPTION(
            Error, writeSafetensors(path, { { "a", DType::F32, { 2 }, asBytes(v) } }, {}));
        QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).isEmpty());
    }

    void openMissingFile()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath("missing.safetensors").toStdString();
        try {
            SafetensorsFile::open(path);
            QFAIL("opened a missing file");
        } catch (const Error &e) {
            QCOMPARE(e.kind(), Error::Kind::Io);
            QVERIFY(std::string(e.what()).find(path) != std::string::npos);
            QVERIFY(std::string(e.what()).find("No such file") != std::string::npos);
        }
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_safetensors.moc"
