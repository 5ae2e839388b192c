#pragma once

// Engine-private (torch). One c10d process group (Gloo on CPUs) joined through the TCPStore torchrun
// points at, and the collectives data-parallel training needs (docs/distributed.md).

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
    // naming the rank, the address and the cause (a port in use says so).
    static std::unique_ptr<ProcessGroup> join(const DistributedContext &context);
    ~ProcessGroup();
    ProcessGroup(const ProcessGroup &) = delete;
    ProcessGroup &operator=(const ProcessGroup &) = delete;

    int rank() const;
    int size() const;

    // local: this rank's rows (counts[rank] of them). Returns every rank's rows concatenated in rank
    // order. Differentiable as sentence-transformers' all_gather_with_grad: in backward the gradient of
    // the result is summed over the ranks and each rank keeps the rows it contributed.
    torch::Tensor allGatherWithGrad(const torch::Tensor &local, const std::vector<std::size_t> &counts);

    // Every parameter's gradient becomes the mean over the ranks (a rank without one contributes
    // zeros), in one flat all-reduce.
    void averageGradients(const std::vector<torch::Tensor> &parameters);

    // Whether any rank passed true (a stop asked for on one process stops all of them together).
    bool anyRank(bool flag);

    // Every rank's `bytes` (of any length), in rank order: the per-rank state a checkpoint keeps.
    std::vector<std::string> allGatherBytes(const std::string &bytes);

    void barrier();

    struct Impl;

private:
    explicit ProcessGroup(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace pairtune
