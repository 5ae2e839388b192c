#pragma once

// Engine-private (torch). The gradients' mean over the processes of a data-parallel run, in buckets
// all-reduced while backward still runs, as PyTorch's DistributedDataParallel (its Reducer) does:
// parameters in reverse order (the order backward reaches them) fill buckets of `bucketBytes` (DDP's
// bucket_cap_mb, 25 MiB; the first bucket 1 MiB, DDP's first_bucket_bytes, so communication starts
// early); a hook on each parameter's gradient accumulator counts it ready, and a bucket whose
// parameters are all ready is copied into one flat buffer and its all-reduce started asynchronously,
// in bucket order on every rank. finish() waits for all of them and writes the means back.

#include "dist/processgroupimpl.h"

#include <torch/types.h>

#include <cstddef>
#include <memory>
#include <vector>

namespace pairtune {

class GradientReducer
{
public:
    static constexpr std::size_t kDefaultBucketBytes = 25u << 20;
    static constexpr std::size_t kFirstBucketBytes = 1u << 20;

    // bucketBytes 0: one bucket of every parameter, reduced after backward (no hooks, no overlap).
    GradientReducer(ProcessGroup &group, std::vector<torch::Tensor> parameters, std::size_t bucketBytes);
    ~GradientReducer();
    GradientReducer(const GradientReducer &) = delete;
    GradientReducer &operator=(const GradientReducer &) = delete;

    // Before the step's backward: a parameter is ready once its gradient has been accumulated
    // `backwardPasses` times (grad cache's second pass runs one backward per mini-batch; the buckets
    // must wait for the last). loss, when given, is what backward starts from: parameters its graph does
    // not reach (a BERT pooler under mean pooling) are ready at once, as DDP's find_unused_parameters
    // finds them, so their bucket need not wait for the end of backward.
    void prepare(int backwardPasses, const torch::Tensor &loss = {});
    // After backward: reduces the buckets not started yet (parameters no backward reached contribute
    // zeros, as in the flat all-reduce), waits for every bucket and makes each gradient the mean over
    // the ranks. A gradient no rank computed stays undefined, as in a single process.
    void finish();

    std::size_t bucketCount() const;
    // Buckets whose all-reduce has started this step: after backward and before finish(), those that
    // overlapped with it.
    std::size_t bucketsStarted() const;

    struct State;

private:
    std::shared_ptr<State> m_state;
};

} // namespace pairtune
