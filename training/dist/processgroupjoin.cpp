// Joining a data-parallel run: a TCPStore client (or server) at torchrun's MASTER_ADDR:MASTER_PORT and
// the c10d backend over it: ProcessGroupGloo on CPUs, ProcessGroupNCCL on GPUs (processgroupnccl.cpp),
// whichever this LibTorch has; errors that name the rank and the cause.

#include "dist/nodeaddress.h"
#include "dist/processgroupbackend.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace pairtune {
namespace {

#if PAIRTUNE_HAS_GLOO
std::shared_ptr<gloo::transport::Device> glooDevice(const std::string &masterAddr)
{
    // As torch.distributed: GLOO_SOCKET_IFNAME names the interface; otherwise the host name's address.
    // A run whose rendezvous is on loopback stays on loopback (one machine, no network needed); a node
    // whose host name has no address of its own (torch would fall back to loopback, where no peer
    // reaches it) binds its address on the route to the rendezvous (dist/nodeaddress.h).
    if (const char *interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    if (const std::string address = glooBindAddress(masterAddr); !address.empty())
        return c10d::ProcessGroupGloo::createDeviceForHostname(address);
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

c10::intrusive_ptr<CollectiveBackend> glooBackend(
    const c10::intrusive_ptr<c10d::Store> &store, const DistributedContext &context)
{
    auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(context.timeoutSeconds));
    options->devices.push_back(glooDevice(context.masterAddr));
    return c10::make_intrusive<c10d::ProcessGroupGloo>(store, context.rank, context.worldSize, options);
}
#endif

// LibTorch 2.x's TCPStore serves and connects through libuv by default (useLibUV, absent in 1.13), and
// refuses to start in a build without it (Debian's 2.6): follow torch.distributed, which takes
// USE_LIBUV=0 as the way to ask for the older backend (same wire protocol), so a worker and its torchrun
// agent agree.
template <typename Options> void chooseStoreBackend(Options &options)
{
    if constexpr (requires { options.useLibUV; }) {
        const char *useLibuv = std::getenv("USE_LIBUV");
        options.useLibUV = !useLibuv || std::string(useLibuv) == "1";
    }
}

c10::intrusive_ptr<c10d::Store> joinStore(
    const DistributedContext &context, std::chrono::milliseconds timeout)
{
    // torchrun's agent hosts the store itself (TORCHELASTIC_USE_AGENT_STORE=True) and every worker is a
    // client under the prefix of its restart attempt, as torch.distributed's env:// rendezvous does;
    // otherwise rank 0 hosts it.
    const char *agentStore = std::getenv("TORCHELASTIC_USE_AGENT_STORE");
    const bool useAgentStore = agentStore && std::string(agentStore) == "True";
    c10d::TCPStoreOptions options;
    options.port = static_cast<std::uint16_t>(context.masterPort);
    options.isServer = !useAgentStore && context.rank == 0;
    options.numWorkers = static_cast<std::size_t>(context.worldSize);
    options.timeout = timeout;
    options.multiTenant = !useAgentStore;
    chooseStoreBackend(options);
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(context.masterAddr, options);
    if (useAgentStore) {
        const char *attempt = std::getenv("TORCHELASTIC_RESTART_COUNT");
        store = c10::make_intrusive<c10d::PrefixStore>(
            "/worker/attempt_" + std::string(attempt && *attempt ? attempt : "0"), store);
    }
    return c10::make_intrusive<c10d::PrefixStore>("pairtune/", store);
}

} // namespace

std::string ProcessGroup::unavailable(bool cuda)
{
    if (cuda && !PAIRTUNE_HAS_NCCL)
        return "needs NCCL, which this build of LibTorch lacks (Debian's; the CUDA wheel's LibTorch has "
               "it); use --device cpu (Gloo) under torchrun";
    if (!cuda && !PAIRTUNE_HAS_GLOO)
        return "needs Gloo, which this build was compiled without (its LibTorch ships no Gloo headers: "
               "on Debian install libgloo-dev and rebuild); use --device cuda (NCCL) under torchrun";
    return {};
}

std::unique_ptr<ProcessGroup> ProcessGroup::join(const DistributedContext &context, bool cuda)
{
    auto impl = std::make_unique<Impl>();
    impl->rank = context.rank;
    impl->size = context.worldSize;
    if (const std::string problem = unavailable(cuda); !problem.empty())
        throw Error(
            "distributed training, " + impl->where() + ": --device " + (cuda ? "cuda " : "cpu ") + problem);
    const std::string endpoint = context.masterAddr + ":" + std::to_string(context.masterPort);
    const std::chrono::seconds joinTimeout(context.joinTimeoutSeconds);
    try {
        // The store's timeout bounds the rendezvous (Gloo's connection exchange waits on its keys);
        // the group's bounds every collective after it.
        const c10::intrusive_ptr<c10d::Store> store = joinStore(context, joinTimeout);
        // Gloo's own rendezvous waits as long as a collective may; count the ranks in the store first,
        // so a missing peer is refused after the join timeout.
        const auto deadline = std::chrono::steady_clock::now() + joinTimeout;
        std::int64_t joined = store->add("joined", 1);
        while (joined < context.worldSize) {
            if (std::chrono::steady_clock::now() > deadline)
                throw std::runtime_error(std::to_string(joined) + " of " + std::to_string(context.worldSize)
                    + " processes reached the store");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            joined = store->add("joined", 0);
        }
#if PAIRTUNE_HAS_NCCL
        if (cuda) {
            impl->device = torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(context.localRank));
            impl->group = ncclBackend(store, context);
        }
#endif
#if PAIRTUNE_HAS_GLOO
        if (!cuda)
            impl->group = glooBackend(store, context);
#endif
    } catch (const Error &) {
        throw;
    } catch (const std::exception &e) {
        const std::string cause = e.what();
        if (cause.find("ddress already in use") != std::string::npos)
            throw Error("distributed training, " + impl->where() + ": port "
                + std::to_string(context.masterPort) + " on " + context.masterAddr
                + " is already in use (another run, or a process left over from one); start torchrun with "
                  "another --master_port: "
                + cause);
        throw Error("distributed training, " + impl->where() + ": the " + std::to_string(context.worldSize)
            + " processes did not all join the process group at " + endpoint + " within "
            + std::to_string(context.joinTimeoutSeconds)
            + " s (PAIRTUNE_DIST_JOIN_TIMEOUT). Start every process with the same torchrun (a rank started "
              "alone with WORLD_SIZE set by hand waits for peers that never come)."
            + masterAddressHint(context.masterAddr, context.worldSize, context.localWorldSize) + " " + cause);
    }
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

} // namespace pairtune
