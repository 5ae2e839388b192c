#pragma once

// Where this process stands in a data-parallel run launched by torchrun (docs/distributed.md):
// torch-free, so the CLI and the studio can ask without LibTorch's headers.

#include <cstddef>
#include <string>

namespace pairtune {

struct DistributedContext
{
    int rank = 0;
    int worldSize = 1;
    int localRank = 0;
    int localWorldSize = 1;
    std::string masterAddr;
    int masterPort = 0;
    // How long every collective may wait for the slowest process (PAIRTUNE_DIST_TIMEOUT, seconds). Set
    // on purpose instead of c10d's 30 minutes: a process that dies closes its sockets and the others fail
    // at once, so this bounds only a peer that hangs. Rank 0 evaluates (the baseline on every held-out
    // pair, later the --eval-sample) and writes checkpoints while the others wait, so it must cover the
    // longest of those: 10 minutes.
    int timeoutSeconds = 600;
    // How long joining may wait for every process to reach the rendezvous (PAIRTUNE_DIST_JOIN_TIMEOUT,
    // seconds): a rank started alone, or a peer that never starts, is refused after this.
    int joinTimeoutSeconds = 60;
    // The gradients' all-reduce buckets (PAIRTUNE_DIST_BUCKET_MB, MiB; DDP's bucket_cap_mb, 25): each
    // starts while backward still runs (dist/gradientreducer.h). 0: one all-reduce of every gradient
    // after backward, without overlap (bench/distributed_scaling.sh compares the two).
    int bucketMegabytes = 25;

    // PAIRTUNE_DIST_JOIN_ALONE=1 with WORLD_SIZE=1: the one process still joins a process group (of
    // one), so a machine with a single GPU can exercise NCCL (bench/gpu/run.sh).
    bool joinAlone = false;

    // More than one process: the run joins a process group. WORLD_SIZE=1 (torchrun with one process)
    // is a plain single-process run unless joinAlone.
    bool distributed() const { return worldSize > 1 || joinAlone; }
    // The process that writes the run folder, evaluates and prints; every other rank writes nothing.
    bool isMain() const { return rank == 0; }

    // torchrun's variables: RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT.
    // None set: a single process (rank 0 of 1). WORLD_SIZE > 1 needs all of them, well formed;
    // otherwise pairtune::Error names the variable.
    static DistributedContext fromEnvironment();
};

// The rows of a global batch of `globalSize` that process `rank` of `worldSize` computes: contiguous,
// in rank order, as even as possible (the first globalSize % worldSize ranks get one more), so the
// ranks' rows concatenated in rank order are the global batch again.
struct BatchSlice
{
    std::size_t begin = 0;
    std::size_t count = 0;
};
BatchSlice batchSlice(std::size_t globalSize, int rank, int worldSize);

} // namespace pairtune
