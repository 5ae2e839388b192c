#include "eval/blockedsearch.h"

#include "core/error.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <thread>

namespace pairtune {
namespace {

struct Candidate
{
    float key; // the score, NaN as -infinity
    std::size_t id;
};

// The ranking order: higher key first, then the lower corpus index. A strict total order, so the best k of
// any split of the corpus merge into exactly the best k of the whole.
bool ranksBefore(const Candidate &a, const Candidate &b)
{
    return a.key > b.key || (a.key == b.key && a.id < b.id);
}

// One query's running top-k: candidates pile up to 2k, then the best k are kept (amortised O(1) per
// candidate); once k are kept, a score must beat the k-th to get in.
class RunningTopK
{
public:
    explicit RunningTopK(std::size_t k)
        : m_k(k)
    {
        m_buffer.reserve(2 * k);
    }

    void offer(const float *scores, std::size_t count, std::size_t firstId)
    {
        for (std::size_t i = 0; i < count; ++i) {
            const float s = scores[i];
            const Candidate c { std::isnan(s) ? -std::numeric_limits<float>::infinity() : s, firstId + i };
            // Ids arrive in increasing order, so a candidate tied with the k-th already ranks after it.
            if (m_full && !(c.key > m_kth.key))
                continue;
            m_buffer.push_back(c);
            if (m_buffer.size() >= 2 * m_k)
                shrink();
        }
    }

    // The best min(k, offered) in ranking order.
    const std::vector<Candidate> &finish()
    {
        std::sort(m_buffer.begin(), m_buffer.end(), ranksBefore);
        if (m_buffer.size() > m_k)
            m_buffer.resize(m_k);
        return m_buffer;
    }

private:
    void shrink()
    {
        const auto kth = m_buffer.begin() + static_cast<std::ptrdiff_t>(m_k - 1);
        std::nth_element(m_buffer.begin(), kth, m_buffer.end(), ranksBefore);
        m_buffer.resize(m_k);
        m_kth = *std::min_element(m_buffer.begin(), m_buffer.end(),
            [](const Candidate &a, const Candidate &b) { return ranksBefore(b, a); });
        m_full = true;
    }

    std::size_t m_k;
    std::vector<Candidate> m_buffer;
    Candidate m_kth { 0.0f, 0 };
    bool m_full = false;
};

int scanThreads(const BlockedSearchOptions &options)
{
    if (options.threads > 0)
        return options.threads;
    return static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
}

// Runs fn(t, threads) on `threads` threads (the calling one included).
template <typename Fn> void onThreads(int threads, Fn fn)
{
    std::vector<std::thread> workers;
    for (int t = 1; t < threads; ++t)
        workers.emplace_back([&fn, t, threads] { fn(t, threads); });
    fn(0, threads);
    for (auto &w : workers)
        w.join();
}

at::Tensor rowsView(std::span<const float> values, std::size_t first, std::size_t rows, std::size_t dim)
{
    return at::from_blob(const_cast<float *>(values.data() + first * dim),
        { static_cast<std::int64_t>(rows), static_cast<std::int64_t>(dim) }, at::kFloat);
}

} // namespace

void blockedTopK(std::span<const float> queries, std::size_t queryCount, std::span<const float> corpus,
    std::size_t corpusCount, std::size_t dim, std::size_t k,
    const std::function<void(const TopKHits &)> &onChunk, const BlockedSearchOptions &options)
{
    if (k == 0)
        throw Error("blocked search: k must be at least 1");
    if (queries.size() != queryCount * dim || corpus.size() != corpusCount * dim)
        throw Error("blocked search: " + std::to_string(queries.size()) + " query and "
            + std::to_string(corpus.size()) + " corpus values do not match " + std::to_string(queryCount)
            + " and " + std::to_string(corpusCount) + " rows of " + std::to_string(dim));
    const std::size_t queryChunk = std::max<std::size_t>(options.queryChunk, 1);
    const std::size_t corpusChunk = std::max<std::size_t>(options.corpusChunk, 1);
    const std::size_t width = std::min(k, corpusCount);
    const int threads = scanThreads(options);
    for (std::size_t first = 0; first < queryCount; first += queryChunk) {
        const std::size_t count = std::min(queryChunk, queryCount - first);
        std::vector<RunningTopK> running(count, RunningTopK(std::max<std::size_t>(width, 1)));
        const at::Tensor queryRows = rowsView(queries, first, count, dim);
        for (std::size_t c = 0; c < corpusCount; c += corpusChunk) {
            const std::size_t rows = std::min(corpusChunk, corpusCount - c);
            const at::Tensor scores = at::mm(queryRows, rowsView(corpus, c, rows, dim).t()).contiguous();
            const float *data = scores.data_ptr<float>();
            onThreads(std::min<int>(threads, static_cast<int>(count)), [&](int t, int step) {
                for (std::size_t q = static_cast<std::size_t>(t); q < count;
                     q += static_cast<std::size_t>(step))
                    running[q].offer(data + q * rows, rows, c);
            });
        }
        TopKHits hits { first, count, width, std::vector<std::size_t>(count * width),
            std::vector<float>(count * width) };
        for (std::size_t q = 0; q < count; ++q) {
            const auto &best = running[q].finish();
            for (std::size_t i = 0; i < width; ++i) {
                hits.ids[q * width + i] = best[i].id;
                hits.scores[q * width + i] = best[i].key;
            }
        }
        onChunk(hits);
    }
}

TopKHits blockedTopK(std::span<const float> queries, std::size_t queryCount, std::span<const float> corpus,
    std::size_t corpusCount, std::size_t dim, std::size_t k, const BlockedSearchOptions &options)
{
    TopKHits all { 0, queryCount, std::min(k, corpusCount), {}, {} };
    all.ids.reserve(queryCount * all.width);
    all.scores.reserve(queryCount * all.width);
    blockedTopK(
        queries, queryCount, corpus, corpusCount, dim, k,
        [&](const TopKHits &chunk) {
            all.ids.insert(all.ids.end(), chunk.ids.begin(), chunk.ids.end());
            all.scores.insert(all.scores.end(), chunk.scores.begin(), chunk.scores.end());
        },
        options);
    return all;
}

} // namespace pairtune
