// The values the GGUF export encodes (export/ggufquant.h): Q8_0 blocks as ggml's reference quantisation
// writes them (quantize_row_q8_0_ref: d = max|x| / 127 as f16, q = roundf(x / d), ties away from zero),
// and NaN or infinite weights refused with the tensor's name before any file is written: the reference
// would cast them to int8 (undefined behaviour), and a GGUF holding them gives only NaN embeddings.

#include "core/error.h"
#include "export/ggufexport.h"
#include "export/ggufquant.h"
#include "model/sentencemodel.h"
#include "weightprobe.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

using namespace pairtune;

namespace {

// One Q8_0 block as stored: f16 bits of d, then 32 int8.
struct Q8Block
{
    std::uint16_t d = 0;
    std::vector<int> q;
};

std::vector<Q8Block> q8Blocks(const std::vector<float> &values)
{
    std::string out;
    appendGgmlValues(out, values.data(), values.size(), GgmlType::Q8_0);
    std::vector<Q8Block> blocks;
    for (std::size_t b = 0; b + kQ8BlockBytes <= out.size(); b += kQ8BlockBytes) {
        Q8Block block;
        std::memcpy(&block.d, out.data() + b, 2);
        for (std::size_t j = 0; j < kQ8BlockSize; ++j)
            block.q.push_back(int(std::int8_t(out[b + 2 + j])));
        blocks.push_back(block);
    }
    return blocks;
}

} // namespace

class TestGgufQuant : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // Scales that are exact in f16 (1 and 2), so every q follows from roundf by hand: halves go away
    // from zero (-63.5 -> -64, 2.5 -> 3), not to even as nearbyint would.
    void q8BlocksFollowGgmlsReference()
    {
        std::vector<float> values(64, 0.0f);
        const float first[] = { -127.0f, -63.5f, -0.5f, 0.5f, 1.5f, 2.5f, 0.49f, 127.0f };
        std::copy(std::begin(first), std::end(first), values.begin());
        values[32] = 254.0f; // d = 2
        values[33] = 3.0f; // 1.5 -> 2
        values[34] = -5.0f; // -2.5 -> -3
        values[35] = 0.9f; // 0.45 -> 0
        const std::vector<Q8Block> blocks = q8Blocks(values);
        QCOMPARE(blocks.size(), std::size_t(2));
        QCOMPARE(blocks[0].d, std::uint16_t(0x3C00)); // 1.0
        std::vector<int> expected(32, 0);
        const int q0[] = { -127, -64, -1, 1, 2, 3, 0, 127 };
        std::copy(std::begin(q0), std::end(q0), expected.begin());
        QCOMPARE(blocks[0].q, expected);
        QCOMPARE(blocks[1].d, std::uint16_t(0x4000)); // 2.0
        expected.assign(32, 0);
        expected[0] = 127;
        expected[1] = 2;
        expected[2] = -3;
        QCOMPARE(blocks[1].q, expected);
    }

    // A block whose d is so small that 1 / d overflows float (d < ~3e-39): d is 0 in f16, every value
    // reads back as 0, and the quants are 0 rather than the int8 cast of infinity or NaN.
    void aBlockTooSmallForItsScaleIsZeros()
    {
        std::vector<float> values(32, 0.0f);
        values[0] = 1e-38f;
        values[1] = -4e-39f;
        values[2] = FLT_MIN;
        const std::vector<Q8Block> blocks = q8Blocks(values);
        QCOMPARE(blocks.size(), std::size_t(1));
        QCOMPARE(blocks[0].d, std::uint16_t(0));
        QCOMPARE(blocks[0].q, std::vector<int>(32, 0));
    }

    void nonFiniteValuesAreRefused_data()
    {
        QTest::addColumn<float>("value");
        QTest::addColumn<int>("position");
        QTest::addColumn<QString>("named");
        QTest::newRow("NaN first") << std::numeric_limits<float>::quiet_NaN() << 0 << QStringLiteral("NaN");
        QTest::newRow("NaN in block 2")
            << std::numeric_limits<float>::quiet_NaN() << 45 << QStringLiteral("NaN");
        QTest::newRow("+inf") << std::numeric_limits<float>::infinity() << 63 << QStringLiteral("+infinity");
        QTest::newRow("-inf") << -std::numeric_limits<float>::infinity() << 7 << QStringLiteral("-infinity");
    }

    void nonFiniteValuesAreRefused()
    {
        QFETCH(float, value);
        QFETCH(int, position);
        QFETCH(QString, named);
        std::vector<float> values(64, 0.25f);
        values[std::size_t(position)] = value;
        try {
            requireFiniteValues(values.data(), values.size(), "the weight w (GGUF tensor t)");
            QFAIL("no error");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), Error::Kind::InvalidInput);
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(
                message.startsWith(QStringLiteral("GGUF: the weight w (GGUF tensor t) holds ") + named
                    + QStringLiteral(" at position ") + QString::number(position) + QStringLiteral(" of 64")),
                qPrintable(message));
        }
        // The quantiser refuses them too instead of casting them to int8.
        std::string out;
        QVERIFY_THROWS_EXCEPTION(Error, appendGgmlValues(out, values.data(), values.size(), GgmlType::Q8_0));
    }

    void finiteExtremesPass()
    {
        const std::vector<float> values
            = { FLT_MAX, -FLT_MAX, FLT_MIN, std::numeric_limits<float>::denorm_min(), -0.0f, 0.0f };
        requireFiniteValues(values.data(), values.size(), "extremes");
        requireFiniteValues(nullptr, 0, "empty");
    }

    // The whole export: a model held in memory with one NaN weight (loading would refuse it) is refused
    // before anything is written, naming the weight in the model's and in llama.cpp's terms.
    void aModelWithANanWeightIsRefusedBeforeWriting_data()
    {
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("parameter");
        QTest::addColumn<QString>("tensor");
        QTest::addColumn<float>("value");
        QTest::newRow("q8_0 matrix") << QStringLiteral("q8_0")
                                     << QStringLiteral("encoder.layer.1.output.dense.weight")
                                     << QStringLiteral("blk.1.ffn_down.weight")
                                     << std::numeric_limits<float>::quiet_NaN();
        QTest::newRow("f32 bias") << QStringLiteral("f32")
                                  << QStringLiteral("encoder.layer.0.attention.output.LayerNorm.bias")
                                  << QStringLiteral("blk.0.attn_output_norm.bias")
                                  << std::numeric_limits<float>::infinity();
    }

    void aModelWithANanWeightIsRefusedBeforeWriting()
    {
        QFETCH(QString, type);
        QFETCH(QString, parameter);
        QFETCH(QString, tensor);
        QFETCH(float, value);
        CreateOptions options;
        options.architecture = "bert";
        options.layers = 2;
        options.hidden = 64;
        options.heads = 4;
        options.intermediate = 128;
        options.vocabPath = PAIRTUNE_TEST_DATA_DIR "/bert-base-uncased-vocab.txt";
        SentenceModel model = SentenceModel::create(options);
        setWeightValue(model, parameter.toStdString(), 5, value);
        QTemporaryDir dir;
        try {
            writeGgufModel(model, dir.path().toStdString(), *parseGgufType(type.toStdString()), {});
            QFAIL("no error");
        } catch (const Error &error) {
            QCOMPARE(error.kind(), Error::Kind::InvalidInput);
            const QString message = QString::fromUtf8(error.what());
            QVERIFY2(message.contains(QStringLiteral("the weight ") + parameter
                         + QStringLiteral(" (GGUF tensor ") + tensor + QStringLiteral(")")),
                qPrintable(message));
            QVERIFY2(message.contains(QStringLiteral(" at position 5 ")), qPrintable(message));
        }
        QVERIFY(!QDir(dir.filePath(QStringLiteral("gguf"))).exists());
    }
};

QTEST_GUILESS_MAIN(TestGgufQuant)
#include "tst_ggufquant.moc"
