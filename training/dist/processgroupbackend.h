#pragma once

// Engine-private (torch, c10d). What the process group's translation units share: which c10d backends
// this LibTorch offers (Gloo needs Gloo's headers, which not every LibTorch ships; NCCL only the CUDA
// builds, USE_C10D_NCCL), the class both derive from, and ProcessGroup::Impl.

#include "core/error.h"
#include "dist/processgroupimpl.h"

#include <torch/csrc/distributed/c10d/Backend.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>
#include <torch/csrc/distributed/c10d/Store.hpp>

#if defined(USE_C10D_GLOO) && __has_include(<gloo/config.h>)
#define PAIRTUNE_HAS_GLOO 1
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#else
#define PAIRTUNE_HAS_GLOO 0
#endif
#if defined(USE_C10D_NCCL)
#define PAIRTUNE_HAS_NCCL 1
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#else
#define PAIRTUNE_HAS_NCCL 0
#endif

#include <exception>
#include <string>
#include <type_traits>

namespace pairtune {

// LibTorch 1.13's backends derive from c10d::ProcessGroup, 2.x's from c10d::Backend; both declare the
// collectives used here (allreduce, allgather, gather, barrier) as virtual functions.
#if PAIRTUNE_HAS_GLOO
using CollectiveBackend = std::conditional_t<std::is_base_of_v<c10d::Backend, c10d::ProcessGroupGloo>,
    c10d::Backend, c10d::ProcessGroup>;
#elif PAIRTUNE_HAS_NCCL
using CollectiveBackend = std::conditional_t<std::is_base_of_v<c10d::Backend, c10d::ProcessGroupNCCL>,
    c10d::Backend, c10d::ProcessGroup>;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

struct ProcessGroup::Impl
{
    c10::intrusive_ptr<CollectiveBackend> group;
    int rank = 0;
    int size = 1;
    // Where the collectives' tensors live: the CPU for Gloo, this process's GPU for NCCL (which takes
    // CUDA tensors only; the small CPU values, the stop flag and the checkpoint's bytes, travel there).
    torch::Device device = torch::kCPU;

    std::string where() const { return "rank " + std::to_string(rank) + " of " + std::to_string(size); }

    template <typename Work> void wait(Work work, const char *what) const
    {
        try {
            work->wait();
        } catch (const std::exception &e) {
            throw Error(std::string("distributed training, ") + where() + ": " + what
                + " failed (another process stopped or timed out?): " + e.what());
        }
    }
};

// The backend of a CUDA run (processgroupnccl.cpp): ProcessGroupNCCL on GPU LOCAL_RANK, collectives
// bounded by context.timeoutSeconds. Only with PAIRTUNE_HAS_NCCL.
c10::intrusive_ptr<CollectiveBackend> ncclBackend(
    const c10::intrusive_ptr<c10d::Store> &store, const DistributedContext &context);

} // namespace pairtune
