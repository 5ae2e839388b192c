#include "dist/distributedcontext.h"

#include "core/error.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <string>

namespace pairtune {
namespace {

const char *variable(const char *name)
{
    const char *value = std::getenv(name);
    return value && *value ? value : nullptr;
}

int integerVariable(const char *name, int minimum, int maximum)
{
    const char *value = variable(name);
    if (!value)
        throw Error(std::string("distributed training: WORLD_SIZE is set but ") + name
            + " is not; start the processes with torchrun (python3 -m torch.distributed.run), which sets "
              "RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT");
    char *end = nullptr;
    const long parsed = std::strtol(value, &end, 10);
    if (*end != '\0' || end == value || parsed < minimum || parsed > maximum)
        throw Error(std::string("distributed training: ") + name + "=" + value + " is not an integer in ["
            + std::to_string(minimum) + ", " + std::to_string(maximum) + "]");
    return static_cast<int>(parsed);
}

} // namespace

DistributedContext DistributedContext::fromEnvironment()
{
    DistributedContext context;
    if (!variable("WORLD_SIZE"))
        return context;
    constexpr int kMany = std::numeric_limits<int>::max();
    context.worldSize = integerVariable("WORLD_SIZE", 1, kMany);
    const char *alone = variable("PAIRTUNE_DIST_JOIN_ALONE");
    context.joinAlone = context.worldSize == 1 && alone && std::string(alone) == "1";
    if (!context.distributed())
        return context;
    context.rank = integerVariable("RANK", 0, context.worldSize - 1);
    context.localWorldSize = integerVariable("LOCAL_WORLD_SIZE", 1, context.worldSize);
    context.localRank = integerVariable("LOCAL_RANK", 0, context.localWorldSize - 1);
    context.masterPort = integerVariable("MASTER_PORT", 1, 65535);
    const char *address = variable("MASTER_ADDR");
    if (!address)
        throw Error("distributed training: WORLD_SIZE is set but MASTER_ADDR is not; start the processes "
                    "with torchrun (python3 -m torch.distributed.run)");
    context.masterAddr = address;
    if (variable("PAIRTUNE_DIST_TIMEOUT"))
        context.timeoutSeconds = integerVariable("PAIRTUNE_DIST_TIMEOUT", 1, 7 * 24 * 3600);
    if (variable("PAIRTUNE_DIST_JOIN_TIMEOUT"))
        context.joinTimeoutSeconds = integerVariable("PAIRTUNE_DIST_JOIN_TIMEOUT", 1, 7 * 24 * 3600);
    if (variable("PAIRTUNE_DIST_BUCKET_MB"))
        context.bucketMegabytes = integerVariable("PAIRTUNE_DIST_BUCKET_MB", 0, 1 << 20);
    return context;
}

BatchSlice batchSlice(std::size_t globalSize, int rank, int worldSize)
{
    const auto ranks = static_cast<std::size_t>(worldSize);
    const auto r = static_cast<std::size_t>(rank);
    const std::size_t base = globalSize / ranks;
    const std::size_t extra = globalSize % ranks;
    return { r * base + std::min(r, extra), base + (r < extra ? 1 : 0) };
}

} // namespace pairtune
