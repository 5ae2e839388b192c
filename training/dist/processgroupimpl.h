#pragma once

// Engine-private (torch). One c10d process group (Gloo on CPUs, NCCL on GPUs) joined through the
// TCPStore torchrun points at, and the collectives data-parallel training needs (docs/distributed.md).
// The gradients' bucketed all-reduce is dist/gradientreducer.h.

#include "dist/distributedcontext.h"

#include <torch/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace pairtune {

class ProcessGroup
{
public:
    // Blocks until every rank has joined; a rank missing after context.joinTimeoutSeconds is an error,
    // as is every collective that waits longer than context.timeoutSeconds. Throws pairtune::Error
    // naming the rank, the address and the cause (a port in use says so). cuda: NCCL on GPU
    // context.localRank; otherwise Gloo.
    static std::unique_ptr<ProcessGroup> join(const DistributedContext &context, bool cuda = false);
    // Why this build cannot train under torchrun on that device ("needs NCCL, which ..."), "" if it can.
    static std::string unavailable(bool cuda);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup &) = delete;
    ProcessGroup &operator=(const ProcessGroup &) = delete;

    int rank() const;
    int size() const;

    // local: this rank's rows (counts[rank] of them). Returns every rank's rows concatenated in rank
    // order. Differentiable as sentence-transformers' all_gather_with_grad: in backward the gradient of
    // the result is summed over the ranks and each rank keeps the rows it contributed.
    torch::Tensor allGatherWithGrad(const torch::Tensor &local, const std::vector<std::size_t> &counts);

    // local: this rank's rows [counts[rank], d] (any device). On rank 0, every rank's rows concatenated
    // in rank order, float32 on the CPU; on the others an undefined tensor. Not differentiable. what: the
    // rows, named in the error when a peer has failed ("the verdict's embeddings").
    torch::Tensor gatherRowsToFirst(
        const torch::Tensor &local, const std::vector<std::size_t> &counts, const std::string &what);

    // Whether any rank passed true (a stop asked for on one process stops all of them together).
    bool anyRank(bool flag);

    // Every rank's `bytes` (of any length), in rank order: the per-rank state a checkpoint keeps. what:
    // named in the error when a peer has failed.
    std::vector<std::string> allGatherBytes(
        const std::string &bytes, const std::string &what = "the checkpoint's per-rank state");

    void barrier();

    struct Impl;
    Impl &impl() { return *m_impl; } // for dist/gradientreducer.cpp

private:
    explicit ProcessGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace pairtune
