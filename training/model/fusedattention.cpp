#include "model/corethreads.h"
#include "model/dropouthash.h"
#include "model/fusedattentionimpl.h"

#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <vector>

namespace pairtune {
namespace {

// One (text, head) pair. The kernels get pointers to the text's first row: rows are `stride` floats
// apart in qkv and its gradient ([T, 3 * hidden]) and `hidden` apart in the context and its gradient.
struct Block
{
    int64_t length = 0; // the text's tokens, l
    int64_t firstRow = 0;
    int64_t head = 0;
    int64_t probOffset = 0; // where its l x l probabilities start in the saved buffer
};

struct Layout
{
    int64_t hidden = 0;
    int64_t headSize = 0;
    int64_t stride = 0; // 3 * hidden
    float scale = 1.0f; // 1 / sqrt(headSize)
    bool drop = false;
    DropoutKey key;
};

// exp(x) for softmax inputs (x <= 0 after subtracting the row's maximum), written so that the loop
// over a row vectorises (std::exp stays a scalar call): exp(x) = 2^k * e^r with |r| <= ln 2 / 2 and a
// degree-6 Taylor polynomial for e^r, relative error below 2e-7. Below -87 it returns about 1e-38.
inline float softmaxExp(float x)
{
    x = std::max(x, -87.0f);
    const float k = std::floor(x * 1.44269504f + 0.5f);
    const float r = x - k * 0.693145751953125f - k * 1.428606765330187e-6f;
    float p = 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    return p * std::bit_cast<float>((static_cast<std::int32_t>(k) + 127) << 23);
}

// The dropout row for probabilities i * l .. i * l + l - 1 of a block: the factor each is multiplied by
// (1 / (1 - p) or 0). The element index is the probability's place in the whole call's buffer, so
// forward and backward draw the same mask.
inline void dropoutRow(float *factor, int64_t l, std::uint64_t firstIndex, const DropoutKey key)
{
    for (int64_t j = 0; j < l; ++j)
        factor[j] = key.keeps(firstIndex + static_cast<std::uint64_t>(j)) ? key.scale : 0.0f;
}

// Chunk of 16 floats: one AVX-512 register (two AVX2 ones). The inner loops below run over fixed-size
// chunks so that the compiler keeps each chunk's sum in registers across the whole reduction and
// stores it once, rather than loading and storing a row for every term.
constexpr int64_t kChunk = 16;

inline int64_t padded(int64_t n)
{
    return (n + kChunk - 1) / kChunk * kChunk;
}

// out[j] = scale * sum_k a[k] * bT[k * width + j] for j < n, where bT is a row-major [d, width]
// transposed copy with width a multiple of kChunk (zero-padded beyond n).
inline void rowTimesTransposed(
    const float *a, const float *bT, int64_t d, int64_t width, int64_t n, float scale, float *out)
{
    for (int64_t j0 = 0; j0 < n; j0 += kChunk) {
        float sums[kChunk] = {};
        for (int64_t k = 0; k < d; ++k) {
            const float ak = a[k];
            const float *row = bT + k * width + j0;
            for (int64_t u = 0; u < kChunk; ++u)
                sums[u] += ak * row[u];
        }
        const int64_t count = std::min(kChunk, n - j0);
        for (int64_t u = 0; u < count; ++u)
            out[j0 + u] = sums[u] * scale;
    }
}

// out[k] (+)= sum_j w[j] * rows[j * stride + k] for k < d: a weighted sum of l rows.
inline void weightedRowSum(
    const float *w, const float *rows, int64_t l, int64_t stride, int64_t d, float *out)
{
    int64_t k0 = 0;
    for (; k0 + kChunk <= d; k0 += kChunk) {
        float sums[kChunk] = {};
        for (int64_t j = 0; j < l; ++j) {
            const float wj = w[j];
            const float *row = rows + j * stride + k0;
            for (int64_t u = 0; u < kChunk; ++u)
                sums[u] += wj * row[u];
        }
        for (int64_t u = 0; u < kChunk; ++u)
            out[k0 + u] += sums[u];
    }
    for (int64_t j = 0; j < l && k0 < d; ++j) // head sizes that are not a multiple of 16
        for (int64_t k = k0; k < d; ++k)
            out[k] += w[j] * rows[j * stride + k];
}

// Copies columns [0, d) of l rows (stride apart) transposed into out, [d, padded(l)], zeros beyond l.
inline void transposeRows(const float *rows, int64_t l, int64_t stride, int64_t d, float *out)
{
    const int64_t width = padded(l);
    std::fill(out, out + d * width, 0.0f);
    for (int64_t j = 0; j < l; ++j)
        for (int64_t k = 0; k < d; ++k)
            out[k * width + j] = rows[j * stride + k];
}

// Largest and sum with eight independent running values: a single running value is a chain of
// dependent instructions (4 cycles each) that dominated the softmax.
inline float rowMax(const float *x, int64_t n)
{
    float tops[8]
        = { -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY, -INFINITY };
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int u = 0; u < 8; ++u)
            tops[u] = std::max(tops[u], x[j + u]);
    for (; j < n; ++j)
        tops[0] = std::max(tops[0], x[j]);
    return *std::max_element(tops, tops + 8);
}

inline float rowSum(const float *x, int64_t n)
{
    float sums[8] = {};
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int u = 0; u < 8; ++u)
            sums[u] += x[j + u];
    for (; j < n; ++j)
        sums[0] += x[j];
    return ((sums[0] + sums[1]) + (sums[2] + sums[3])) + ((sums[4] + sums[5]) + (sums[6] + sums[7]));
}

// Query rows per tile of the forward (the tile functions are always inlined, so that they are compiled
// for forwardBlock's AVX-512 and AVX2 clones too): eight rows share each load of a key or value chunk and
// give eight independent sums, where one row at a time was a single chain of dependent multiply-adds (each
// waiting for the last, 4 cycles) that made the forward 8-13 % of an embedding pass (perf,
// docs/performance.md).
constexpr int64_t kTileRows = 8;

// Scores of R query rows (q, rows `stride` apart) against the keys: out row r (rows `outStride` apart),
// column j < n = scale * sum_k q[r][k] * keysT[k][j]. Each sum runs over k in order, as
// rowTimesTransposed's does.
template <int64_t R>
[[gnu::always_inline]] inline void scoreTile(const float *q, int64_t stride, const float *keysT, int64_t d,
    int64_t width, int64_t n, float scale, float *out, int64_t outStride)
{
    for (int64_t j0 = 0; j0 < n; j0 += kChunk) {
        float sums[R][kChunk] = {};
        for (int64_t k = 0; k < d; ++k) {
            const float *row = keysT + k * width + j0;
#pragma GCC unroll 8 // unrolled, the R sums stay in registers
            for (int64_t r = 0; r < R; ++r) {
                const float a = q[r * stride + k];
                for (int64_t u = 0; u < kChunk; ++u)
                    sums[r][u] += a * row[u];
            }
        }
        const int64_t count = std::min(kChunk, n - j0);
        for (int64_t r = 0; r < R; ++r)
            for (int64_t u = 0; u < count; ++u)
                out[r * outStride + j0 + u] = sums[r][u] * scale;
    }
}

// Context of R rows: out row r (rows `outStride` apart) = sum_j w[r][j] * values[j] over the l value rows
// (`stride` apart), w's rows `wStride` apart. Each sum runs over j in order from zero, as
// weightedRowSum's does into a zeroed row.
template <int64_t R>
[[gnu::always_inline]] inline void contextTile(const float *w, int64_t wStride, const float *values,
    int64_t l, int64_t stride, int64_t d, float *out, int64_t outStride)
{
    int64_t k0 = 0;
    for (; k0 + kChunk <= d; k0 += kChunk) {
        float sums[R][kChunk] = {};
        for (int64_t j = 0; j < l; ++j) {
            const float *row = values + j * stride + k0;
#pragma GCC unroll 8
            for (int64_t r = 0; r < R; ++r) {
                const float wj = w[r * wStride + j];
                for (int64_t u = 0; u < kChunk; ++u)
                    sums[r][u] += wj * row[u];
            }
        }
        for (int64_t r = 0; r < R; ++r)
            for (int64_t u = 0; u < kChunk; ++u)
                out[r * outStride + k0 + u] = sums[r][u];
    }
    for (int64_t r = 0; r < R; ++r) { // head sizes that are not a multiple of 16
        float *o = out + r * outStride;
        std::fill(o + k0, o + d, 0.0f);
        for (int64_t j = 0; j < l && k0 < d; ++j)
            for (int64_t k = k0; k < d; ++k)
                o[k] += w[r * wStride + j] * values[j * stride + k];
    }
}

// Rows i0 .. i0 + R - 1 of one block: scores, softmax, dropout, context. `weights` holds
// kTileRows x padded(l) floats (the dropped-out probabilities when dropout is on).
template <int64_t R>
[[gnu::always_inline]] inline void forwardRows(const float *qkv, float *out, float *probs, const Block &block,
    const Layout &layout, const float *keysT, float *weights, int64_t i0)
{
    const int64_t l = block.length;
    const int64_t d = layout.headSize;
    const int64_t width = padded(l);
    float *p0 = probs + i0 * l;
    scoreTile<R>(
        qkv + i0 * layout.stride + block.head * d, layout.stride, keysT, d, width, l, layout.scale, p0, l);
    for (int64_t r = 0; r < R; ++r) {
        float *p = p0 + r * l;
        const float top = rowMax(p, l);
        for (int64_t j = 0; j < l; ++j) // vectorises: no running sum in this loop
            p[j] = softmaxExp(p[j] - top);
        const float inverse = 1.0f / rowSum(p, l);
        for (int64_t j = 0; j < l; ++j)
            p[j] *= inverse;
    }
    const float *w = p0;
    int64_t wStride = l;
    if (layout.drop) {
        for (int64_t r = 0; r < R; ++r) {
            float *row = weights + r * width;
            dropoutRow(row, l, static_cast<std::uint64_t>(block.probOffset + (i0 + r) * l), layout.key);
            for (int64_t j = 0; j < l; ++j)
                row[j] *= p0[r * l + j];
        }
        w = weights;
        wStride = width;
    }
    contextTile<R>(w, wStride, qkv + 2 * layout.hidden + block.head * d, l, layout.stride, d,
        out + i0 * layout.hidden + block.head * d, layout.hidden);
}

// Forward of one block: probabilities (before dropout) into `probs` (l x l), context rows into `out`.
// `keysT` holds d x padded(l) floats, `weights` kTileRows x padded(l). Compiled for AVX-512 and AVX2 as
// well, chosen at load time.
__attribute__((target_clones("avx512f", "avx2", "default"))) void forwardBlock(const float *qkv, float *out,
    float *probs, const Block block, const Layout layout, float *keysT, float *weights)
{
    const int64_t l = block.length;
    transposeRows(
        qkv + layout.hidden + block.head * layout.headSize, l, layout.stride, layout.headSize, keysT);
    int64_t i = 0;
    for (; i + kTileRows <= l; i += kTileRows)
        forwardRows<kTileRows>(qkv, out, probs, block, layout, keysT, weights, i);
    for (; i + 4 <= l; i += 4)
        forwardRows<4>(qkv, out, probs, block, layout, keysT, weights, i);
    for (; i < l; ++i)
        forwardRows<1>(qkv, out, probs, block, layout, keysT, weights, i);
}

// Backward of one block, from the saved probabilities P and the context's gradient G:
// dV = P'^T G, dP = (G V^T) * mask, dS = P * (dP - rowsum(dP * P)) / sqrt(d), dQ = dS K, dK = dS^T Q.
// Each block writes only its own head's columns of its own text's rows: no two threads share memory.
// `valuesT` holds d x padded(l) floats, `factor` and `rowGrad` padded(l).
__attribute__((target_clones("avx512f", "avx2", "default"))) void backwardBlock(const float *qkv,
    const float *gradOut, const float *probs, float *gradQkv, const Block block, const Layout layout,
    float *valuesT, float *factor, float *rowGrad)
{
    const int64_t l = block.length;
    const int64_t d = layout.headSize;
    const int64_t stride = layout.stride;
    const int64_t qColumn = block.head * d;
    const int64_t kColumn = layout.hidden + block.head * d;
    const int64_t vColumn = 2 * layout.hidden + block.head * d;
    transposeRows(qkv + vColumn, l, stride, d, valuesT);
    for (int64_t i = 0; i < l; ++i) {
        const float *p = probs + i * l;
        const float *g = gradOut + i * layout.hidden + block.head * d;
        if (layout.drop)
            dropoutRow(factor, l, static_cast<std::uint64_t>(block.probOffset + i * l), layout.key);
        for (int64_t j = 0; j < l; ++j) {
            const float w = layout.drop ? p[j] * factor[j] : p[j];
            float *dv = gradQkv + j * stride + vColumn;
            for (int64_t k = 0; k < d; ++k)
                dv[k] += w * g[k];
        }
        rowTimesTransposed(g, valuesT, d, padded(l), l, 1.0f, rowGrad);
        if (layout.drop)
            for (int64_t j = 0; j < l; ++j)
                rowGrad[j] *= factor[j];
        float dot = 0.0f;
        for (int64_t j = 0; j < l; ++j)
            dot += rowGrad[j] * p[j];
        for (int64_t j = 0; j < l; ++j)
            rowGrad[j] = p[j] * (rowGrad[j] - dot) * layout.scale;
        weightedRowSum(rowGrad, qkv + kColumn, l, stride, d, gradQkv + i * stride + qColumn);
        const float *q = qkv + i * stride + qColumn;
        for (int64_t j = 0; j < l; ++j) {
            const float w = rowGrad[j];
            float *dk = gradQkv + j * stride + kColumn;
            for (int64_t k = 0; k < d; ++k)
                dk[k] += w * q[k];
        }
    }
}

std::vector<Block> makeBlocks(const std::vector<int64_t> &offsets, int64_t heads, int64_t &probCount)
{
    std::vector<Block> blocks;
    probCount = 0;
    for (std::size_t b = 0; b + 1 < offsets.size(); ++b) {
        const int64_t l = offsets[b + 1] - offsets[b];
        for (int64_t h = 0; h < heads && l > 0; ++h) {
            blocks.push_back({ l, offsets[b], h, probCount });
            probCount += l * l;
        }
    }
    return blocks;
}

Layout makeLayout(int64_t hidden, int64_t heads, double dropout, std::uint64_t seed)
{
    Layout layout;
    layout.hidden = hidden;
    layout.headSize = hidden / heads;
    layout.stride = 3 * hidden;
    layout.scale = static_cast<float>(1.0 / std::sqrt(static_cast<double>(layout.headSize)));
    layout.drop = dropout > 0.0;
    if (layout.drop)
        layout.key = DropoutKey::make(seed, dropout);
    return layout;
}

int64_t longest(const std::vector<Block> &blocks)
{
    int64_t l = 0;
    for (const Block &b : blocks)
        l = std::max(l, b.length);
    return l;
}

class FusedAttention : public torch::autograd::Function<FusedAttention>
{
public:
    static at::Tensor forward(torch::autograd::AutogradContext *context, const at::Tensor &qkvInput,
        const at::Tensor &offsetsTensor, int64_t heads, double dropout)
    {
        const at::Tensor qkv = qkvInput.contiguous();
        const int64_t hidden = qkv.size(1) / 3;
        const std::vector<int64_t> offsets(
            offsetsTensor.data_ptr<int64_t>(), offsetsTensor.data_ptr<int64_t>() + offsetsTensor.numel());
        int64_t probCount = 0;
        const std::vector<Block> blocks = makeBlocks(offsets, heads, probCount);
        const std::uint64_t seed = dropout > 0.0 ? drawDropoutSeed() : 0;
        const Layout layout = makeLayout(hidden, heads, dropout, seed);
        at::Tensor out = at::zeros({ qkv.size(0), hidden }, qkv.options());
        at::Tensor probs = at::empty({ probCount }, qkv.options());
        const int64_t maxLength = longest(blocks);
        const float *qkvData = qkv.data_ptr<float>();
        float *outData = out.data_ptr<float>();
        float *probData = probs.data_ptr<float>();
        splitAcrossCores(static_cast<int64_t>(blocks.size()), [&](int64_t first, int64_t step) {
            std::vector<float> keysT(static_cast<std::size_t>(layout.headSize * padded(maxLength)));
            std::vector<float> weights(static_cast<std::size_t>(kTileRows * padded(maxLength)));
            for (auto n = static_cast<std::size_t>(first); n < blocks.size();
                 n += static_cast<std::size_t>(step)) {
                const Block &block = blocks[n];
                forwardBlock(qkvData + block.firstRow * layout.stride, outData + block.firstRow * hidden,
                    probData + block.probOffset, block, layout, keysT.data(), weights.data());
            }
        });
        context->save_for_backward({ qkv, probs, offsetsTensor });
        context->saved_data["heads"] = heads;
        context->saved_data["dropout"] = dropout;
        context->saved_data["seed"] = static_cast<int64_t>(seed);
        return out;
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext *context, torch::autograd::variable_list gradients)
    {
        const auto saved = context->get_saved_variables();
        const at::Tensor &qkv = saved[0];
        const at::Tensor &probs = saved[1];
        const at::Tensor &offsetsTensor = saved[2];
        const int64_t heads = context->saved_data["heads"].toInt();
        const int64_t hidden = qkv.size(1) / 3;
        const std::vector<int64_t> offsets(
            offsetsTensor.data_ptr<int64_t>(), offsetsTensor.data_ptr<int64_t>() + offsetsTensor.numel());
        int64_t probCount = 0;
        const std::vector<Block> blocks = makeBlocks(offsets, heads, probCount);
        const Layout layout = makeLayout(hidden, heads, context->saved_data["dropout"].toDouble(),
            static_cast<std::uint64_t>(context->saved_data["seed"].toInt()));
        const at::Tensor gradOut = gradients[0].to(at::kFloat).contiguous();
        at::Tensor gradQkv = at::zeros_like(qkv);
        const int64_t maxLength = longest(blocks);
        const float *qkvData = qkv.data_ptr<float>();
        const float *gradOutData = gradOut.data_ptr<float>();
        const float *probData = probs.data_ptr<float>();
        float *gradData = gradQkv.data_ptr<float>();
        splitAcrossCores(static_cast<int64_t>(blocks.size()), [&](int64_t first, int64_t step) {
            std::vector<float> valuesT(static_cast<std::size_t>(layout.headSize * padded(maxLength)));
            std::vector<float> factor(static_cast<std::size_t>(padded(maxLength)));
            std::vector<float> rowGrad(static_cast<std::size_t>(padded(maxLength)));
            for (auto n = static_cast<std::size_t>(first); n < blocks.size();
                 n += static_cast<std::size_t>(step)) {
                const Block &block = blocks[n];
                backwardBlock(qkvData + block.firstRow * layout.stride, gradOutData + block.firstRow * hidden,
                    probData + block.probOffset, gradData + block.firstRow * layout.stride, block, layout,
                    valuesT.data(), factor.data(), rowGrad.data());
            }
        });
        return { gradQkv, at::Tensor(), at::Tensor(), at::Tensor() };
    }
};

} // namespace

at::Tensor fusedAttention(
    const at::Tensor &qkv, const std::vector<int64_t> &offsets, int64_t heads, double dropout)
{
    const at::Tensor offsetsTensor = at::tensor(offsets, at::dtype(at::kLong));
    return FusedAttention::apply(qkv.to(at::kFloat), offsetsTensor, heads, dropout);
}

std::vector<int64_t> textOffsets(const at::Tensor &mask)
{
    const at::Tensor counts = mask.ne(0).sum(1).to(at::kCPU, at::kLong).contiguous();
    std::vector<int64_t> offsets(static_cast<std::size_t>(counts.numel()) + 1, 0);
    const int64_t *c = counts.data_ptr<int64_t>();
    for (int64_t b = 0; b < counts.numel(); ++b)
        offsets[static_cast<std::size_t>(b) + 1] = offsets[static_cast<std::size_t>(b)] + c[b];
    return offsets;
}

} // namespace pairtune
