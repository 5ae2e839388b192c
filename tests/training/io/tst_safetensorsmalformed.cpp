// Every way a safetensors file can break the format's rules must be rejected with a message that
// names the file and the specific problem, never crash or be accepted.
#include "core/error.h"
#include "io/safetensors.h"

#include <QtTest>

using namespace pairtune;

namespace {

const std::string kPath = "/models/broken.safetensors";

std::string littleEndian64(std::uint64_t n)
{
    std::string s(8, '\0');
    for (int i = 0; i < 8; ++i)
        s[static_cast<std::size_t>(i)] = static_cast<char>((n >> (8 * i)) & 0xFF);
    return s;
}

// A file with the given header text (length prefix computed) followed by `dataBytes` bytes.
std::string file(const std::string &header, std::size_t dataBytes)
{
    return littleEndian64(header.size()) + header + std::string(dataBytes, '\x01');
}

std::string tensor(const std::string &name, const std::string &dtype, const std::string &shape,
    std::uint64_t b, std::uint64_t e)
{
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":["
        + std::to_string(b) + "," + std::to_string(e) + "]}";
}

} // namespace

class TestSafetensorsMalformed : public QObject
{
    Q_OBJECT

private slots:
    void rejected_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");

        auto row = [](const char *name, const std::string &bytes, const char *message) {
            QTest::newRow(name) << QByteArray::fromStdString(bytes) << QString::fromUtf8(message);
        };
        const std::string good = "{" + tensor("w", "F32", "[2]", 0, 8) + "}";

        row("empty file", "", "too short for the 8-byte header length");
        row("shorter than the length", std::string("\x10\0\0", 3), "too short for the 8-byte header length");
        row("truncated header", file(good, 8).substr(0, 20), "runs past the end of the file");
        row("truncated length only", littleEndian64(16), "runs past the end of the file");
        row("N above the limit", littleEndian64(100'000'001) + "{}", "exceeds the limit of 100000000 bytes");
        row("N huge", littleEndian64(~0ull) + "{}", "exceeds the limit");
        row("header not JSON", file("{\"w\": nonsense}", 0), "not valid JSON");
        row("header cut mid-object", file("{\"w\":{\"dtype\":", 0), "not valid JSON");
        row("header does not start with brace", file("  {}    ", 0), "does not start with '{'");
        row("header is an array", file("[1,2,3]", 0), "does not start with '{'");
        row("header not UTF-8", file("{\"w\xff\":1}", 0), "not valid UTF-8");
        row("header overlong UTF-8", file("{\"\xC0\xAF\":1}", 0), "not valid UTF-8");
        row("offsets overlap",
            file("{" + tensor("a", "F32", "[2]", 0, 8) + "," + tensor("b", "F32", "[2]", 4, 12) + "}", 12),
            "tensor \"b\": data_offsets [4, 12] overlap tensor \"a\"");
        row("offsets with a hole",
            file("{" + tensor("a", "F32", "[1]", 0, 4) + "," + tensor("b", "F32", "[1]", 8, 12) + "}", 12),
            "tensor \"b\": data_offsets [8, 12] leave a gap of 4 bytes after tensor \"a\"");
        row("first tensor not at zero", file("{" + tensor("a", "F32", "[1]", 4, 8) + "}", 8),
            "leave a gap of 4 bytes after the header");
        row("offsets past the end", file(good, 4),
            "tensor \"w\": data_offsets [0, 8] run past the end of the data (4 bytes)");
        row("end before begin", file("{" + tensor("w", "F32", "[0]", 8, 0) + "}", 8),
            "end before they begin");
        row("byte length wrong for shape", file("{" + tensor("w", "F32", "[3]", 0, 8) + "}", 8),
            "hold 8 bytes, but shape [3] of F32 needs 12");
        row("byte length wrong for dtype", file("{" + tensor("w", "F64", "[2]", 0, 8) + "}", 8),
            "shape [2] of F64 needs 16");
        row("trailing bytes", file(good, 11), "3 trailing bytes after the last tensor's data");
        row("data but no tensors", file("{}", 5), "5 trailing bytes");
        row("duplicate tensor names",
            file("{" + tensor("w", "F32", "[1]", 0, 4) + "," + tensor("w", "F32", "[1]", 4, 8) + "}", 8),
            "the key \"w\" more than once");
        row("duplicate metadata keys", file("{\"__metadata__\":{\"k\":\"a\",\"k\":\"b\"}}", 0),
            "the key \"k\" more than once");
        row("non-string metadata",
            file("{\"__metadata__\":{\"format\":1}," + tensor("w", "F32", "[2]", 0, 8) + "}", 8),
            "__metadata__ value for \"format\" is number, but metadata values must be strings");
        row("metadata not an object", file("{\"__metadata__\":[\"pt\"]}", 0),
            "__metadata__ must be an object");
        row("unknown dtype", file("{" + tensor("w", "F33", "[2]", 0, 8) + "}", 8),
            "tensor \"w\": unknown dtype \"F33\"");
        row("unsupported dtype", file("{" + tensor("w", "F8_E4M3", "[2]", 0, 2) + "}", 2),
            "tensor \"w\": unsupported dtype \"F8_E4M3\"");
        row("complex dtype", file("{" + tensor("w", "C64", "[1]", 0, 8) + "}", 8),
            "unsupported dtype \"C64\"");
        row("negative shape", file("{" + tensor("w", "F32", "[2,-3]", 0, 8) + "}", 8),
            "tensor \"w\": negative dimension -3 in shape [2,-3]");
        row("fractional shape", file("{" + tensor("w", "F32", "[2.5]", 0, 8) + "}", 8),
            "must contain non-negative integers");
        row("shape overflow", file("{" + tensor("w", "F32", "[4294967296,4294967296]", 0, 8) + "}", 8),
            "too many elements");
        row("missing dtype", file("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
            "missing or non-string \"dtype\"");
        row("missing shape", file("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
            "missing or non-array \"shape\"");
        row("three offsets", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
            "\"data_offsets\" must be two non-negative integers");
        row("negative offset", file("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[-4,0]}}", 4),
            "\"data_offsets\" must be two non-negative integers");
        row("tensor entry not an object", file("{\"w\":5}", 0), "tensor \"w\": entry must be an object");
    }

    void rejected()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        try {
            SafetensorsFile::fromBytes(bytes.toStdString(), kPath);
            QFAIL("a malformed file was accepted");
        } catch (const Error &e) {
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.startsWith(QString::fromStdString(kPath) + ": invalid safetensors file: "),
                qPrintable(what));
            QVERIFY2(what.contains(message), qPrintable(what));
            QCOMPARE(e.kind(), Error::Kind::InvalidInput);
        }
    }

    void acceptedEdgeCases()
    {
        // Zero-size tensors may share an offset with their neighbours; a null __metadata__ is no
        // metadata; unknown fields inside a tensor entry are ignored (as the reference reader does).
        const std::string header = "{\"__metadata__\":null," + tensor("a", "F32", "[0]", 0, 0) + ","
            + tensor("b", "F32", "[1]", 0, 4) + "," + tensor("c", "I64", "[0,3]", 4, 4) + ","
            + "\"d\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[4,5],\"extra\":true}}   ";
        const SafetensorsFile f = SafetensorsFile::fromBytes(file(header, 5), kPath);
        QCOMPARE(f.tensors().size(), 4u);
        QVERIFY(f.metadata().empty());
        QCOMPARE(f.find("d")->numel(), std::int64_t(1));
        QCOMPARE(f.bytes(*f.find("d")).size(), 1u);
    }

    void everyTruncationIsRejected()
    {
        const std::vector<float> w = { 1, 2, 3, 4, 5, 6 };
        const std::vector<std::int64_t> ids = { 7, 8 };
        const std::string whole = serializeSafetensors(
            { { "w", DType::F32, { 2, 3 }, std::as_bytes(std::span<const float>(w)) },
                { "ids", DType::I64, { 2 }, std::as_bytes(std::span<const std::int64_t>(ids)) } },
            { { "format", "pt" } });
        QVERIFY(SafetensorsFile::fromBytes(whole, kPath).find("w"));
        for (std::size_t len = 0; len < whole.size(); ++len)
            QVERIFY_THROWS_EXCEPTION(Error, SafetensorsFile::fromBytes(whole.substr(0, len), kPath));
        QVERIFY_THROWS_EXCEPTION(Error, SafetensorsFile::fromBytes(whole + '\0', kPath));
    }

    void corruptedBytesNeverCrash()
    {
        // Flip every byte of the header in turn: each result is either rejected with Error or, when
        // still valid (e.g. a changed padding space or name), parsed consistently.
        const std::vector<float> w = { 1, 2, 3, 4 };
        const std::string whole = serializeSafetensors(
            { { "w", DType::F32, { 2, 2 }, std::as_bytes(std::span<const float>(w)) } }, {});
        int rejected = 0;
        for (std::size_t i = 0; i < whole.size() - 16; ++i) {
            std::string copy = whole;
            copy[i] = static_cast<char>(copy[i] ^ 0x5A);
            try {
                const SafetensorsFile f = SafetensorsFile::fromBytes(copy, kPath);
                for (const auto &t : f.tensors())
                    QCOMPARE(f.bytes(t).size(), static_cast<std::size_t>(t.end - t.begin));
            } catch (const Error &) {
                ++rejected;
            }
        }
        QVERIFY(rejected > 40);
    }
};

QTEST_APPLESS_MAIN(TestSafetensorsMalformed)
#include "tst_safetensorsmalformed.moc"
