// ProcessGroupNCCL for `--device cuda` under torchrun: each process drives GPU LOCAL_RANK. Compiled into
// a build only when its LibTorch has NCCL (USE_C10D_NCCL: the CUDA wheel's, not Debian's);
// scripts/check_nccl_syntax.sh compiles this file against Debian's headers and CUDA's nccl.h.

#include "dist/processgroupbackend.h"

#if PAIRTUNE_HAS_NCCL

#include <c10/cuda/CUDAFunctions.h>

#include <cstdlib>

namespace pairtune {

c10::intrusive_ptr<CollectiveBackend> ncclBackend(
    const c10::intrusive_ptr<c10d::Store> &store, const DistributedContext &context)
{
    if (context.localRank >= static_cast<int>(c10::cuda::device_count()))
        throw Error("distributed training, rank " + std::to_string(context.rank) + ": LOCAL_RANK "
            + std::to_string(context.localRank) + " chooses a GPU, but this machine has "
            + std::to_string(c10::cuda::device_count())
            + "; start torchrun with --nproc_per_node at most the GPU count");
    c10::cuda::set_device(static_cast<c10::DeviceIndex>(context.localRank));
    // Without asynchronous error handling NCCL's collectives ignore the timeout and a dead peer hangs
    // the others for ever (the variable's name changed in LibTorch 2.2; a value the user set wins).
    setenv("NCCL_ASYNC_ERROR_HANDLING", "1", 0);
    setenv("TORCH_NCCL_ASYNC_ERROR_HANDLING", "1", 0);
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = std::chrono::seconds(context.timeoutSeconds);
    return c10::make_intrusive<c10d::ProcessGroupNCCL>(store, context.rank, context.worldSize, options);
}

} // namespace pairtune

#endif
