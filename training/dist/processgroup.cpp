// The c10d process group of a data-parallel run: a TCPStore client (or server) at torchrun's
// MASTER_ADDR:MASTER_PORT, ProcessGroupGloo over it, and the collectives of processgroupimpl.h.

#include "core/error.h"
#include "dist/processgroupimpl.h"

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>

namespace pairtune {

struct ProcessGroup::Impl
{
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
    int rank = 0;
    int size = 1;

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

namespace {

bool isLoopback(const std::string &address)
{
    return address == "localhost" || address.rfind("127.", 0) == 0 || address == "::1";
}

std::shared_ptr<gloo::transport::Device> glooDevice(const std::string &masterAddr)
{
    // As torch.distributed: GLOO_SOCKET_IFNAME names the interface; otherwise the host name's address.
    // A run whose rendezvous is on loopback stays on loopback (one machine, no network needed).
    if (const char *interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    if (isLoopback(masterAddr))
        return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
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
    c10::intrusive_ptr<c10d::Store> store = c10::make_intrusive<c10d::TCPStore>(context.masterAddr, options);
    if (useAgentStore) {
        const char *attempt = std::getenv("TORCHELASTIC_RESTART_COUNT");
        store = c10::make_intrusive<c10d::PrefixStore>(
            "/worker/attempt_" + std::string(attempt && *attempt ? attempt : "0"), store);
    }
    return c10::make_intrusive<c10d::PrefixStore>("pairtune/", store);
}

// all_gather with gradients flowing back to each rank's own rows (the backward all-reduces, then slices).
struct AllGatherWithGrad : torch::autograd::Function<AllGatherWithGrad>
{
    static torch::Tensor forward(torch::autograd::AutogradContext *ctx, const torch::Tensor &local,
        ProcessGroup::Impl *group, const std::vector<std::size_t> &counts)
    {
        const auto rows = static_cast<std::int64_t>(*std::max_element(counts.begin(), counts.end()));
        torch::Tensor padded = torch::zeros({ rows, local.size(1) }, local.options());
        const auto mine = static_cast<std::int64_t>(counts[static_cast<std::size_t>(group->rank)]);
        padded.narrow(0, 0, mine).copy_(local.narrow(0, 0, mine));
        std::vector<torch::Tensor> inputs { padded };
        std::vector<std::vector<torch::Tensor>> outputs(1);
        for (int r = 0; r < group->size; ++r)
            outputs[0].push_back(torch::empty_like(padded));
        group->wait(group->group->allgather(outputs, inputs), "all_gather of the embeddings");
        std::vector<torch::Tensor> parts;
        for (int r = 0; r < group->size; ++r)
            parts.push_back(outputs[0][static_cast<std::size_t>(r)].narrow(
                0, 0, static_cast<std::int64_t>(counts[static_cast<std::size_t>(r)])));
        ctx->saved_data["group"] = reinterpret_cast<std::int64_t>(group); // outlives the step's backward
        ctx->saved_data["rows"] = rows;
        ctx->saved_data["local_rows"] = local.size(0);
        std::vector<std::int64_t> counts64(counts.begin(), counts.end());
        ctx->saved_data["counts"] = counts64;
        return torch::cat(parts, 0);
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext *ctx, torch::autograd::variable_list gradOutputs)
    {
        auto *group = reinterpret_cast<ProcessGroup::Impl *>(ctx->saved_data["group"].toInt());
        const std::int64_t rows = ctx->saved_data["rows"].toInt();
        const std::vector<std::int64_t> counts = ctx->saved_data["counts"].toIntVector();
        const torch::Tensor grad = gradOutputs[0].contiguous();
        torch::Tensor padded = torch::zeros({ rows * group->size, grad.size(1) }, grad.options());
        std::int64_t offset = 0;
        for (int r = 0; r < group->size; ++r) {
            const std::int64_t count = counts[static_cast<std::size_t>(r)];
            padded.narrow(0, r * rows, count).copy_(grad.narrow(0, offset, count));
            offset += count;
        }
        std::vector<torch::Tensor> buffers { padded };
        group->wait(group->group->allreduce(buffers), "all_reduce of the embeddings' gradients");
        torch::Tensor mine
            = torch::zeros({ ctx->saved_data["local_rows"].toInt(), grad.size(1) }, grad.options());
        const std::int64_t count = counts[static_cast<std::size_t>(group->rank)];
        mine.narrow(0, 0, count).copy_(padded.narrow(0, group->rank * rows, count));
        return { mine, torch::Tensor(), torch::Tensor() };
    }
};

} // namespace

ProcessGroup::ProcessGroup(std::unique_ptr<Impl> impl)
    : m_impl(std::move(impl))
{ }

ProcessGroup::~ProcessGroup() = default;

std::unique_ptr<ProcessGroup> ProcessGroup::join(const DistributedContext &context)
{
    auto impl = std::make_unique<Impl>();
    impl->rank = context.rank;
    impl->size = context.worldSize;
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
        auto options = c10d::ProcessGroupGloo::Options::create(std::chrono::seconds(context.timeoutSeconds));
        options->devices.push_back(glooDevice(context.masterAddr));
        impl->group
            = c10::make_intrusive<c10d::ProcessGroupGloo>(store, context.rank, context.worldSize, options);
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
              "alone with WORLD_SIZE set by hand waits for peers that never come): "
            + cause);
    }
    return std::unique_ptr<ProcessGroup>(new ProcessGroup(std::move(impl)));
}

int ProcessGroup::rank() const
{
    return m_impl->rank;
}

int ProcessGroup::size() const
{
    return m_impl->size;
}

torch::Tensor ProcessGroup::allGatherWithGrad(
    const torch::Tensor &local, const std::vector<std::size_t> &counts)
{
    return AllGatherWithGrad::apply(local.contiguous(), m_impl.get(), counts);
}

void ProcessGroup::averageGradients(const std::vector<torch::Tensor> &parameters)
{
    // One flat buffer: every gradient (zeros where this rank has none) and, per parameter, how many
    // ranks had one, so a gradient that no rank computed stays undefined as in a single process.
    std::vector<torch::Tensor> pieces;
    std::vector<float> defined;
    for (const torch::Tensor &p : parameters) {
        const torch::Tensor &g = p.grad();
        pieces.push_back(g.defined() ? g.reshape(-1).to(torch::kFloat) : torch::zeros({ p.numel() }));
        defined.push_back(g.defined() ? 1.0f : 0.0f);
    }
    pieces.push_back(torch::tensor(defined));
    std::vector<torch::Tensor> buffers { torch::cat(pieces) };
    m_impl->wait(m_impl->group->allreduce(buffers), "all_reduce of the gradients");
    const torch::Tensor &flat = buffers[0];
    const float *ranksWithGradient
        = flat.data_ptr<float>() + (flat.size(0) - static_cast<std::int64_t>(parameters.size()));
    std::int64_t offset = 0;
    for (std::size_t i = 0; i < parameters.size(); ++i) {
        torch::Tensor p = parameters[i];
        const std::int64_t n = p.numel();
        if (ranksWithGradient[i] > 0) {
            const torch::Tensor mean = flat.narrow(0, offset, n).view(p.sizes()) / m_impl->size;
            if (p.grad().defined())
                p.mutable_grad().copy_(mean);
            else
                p.mutable_grad() = mean.to(p.dtype()).clone();
        }
        offset += n;
    }
}

bool ProcessGroup::anyRank(bool flag)
{
    std::vector<torch::Tensor> buffers { torch::tensor({ flag ? 1 : 0 }, torch::kInt) };
    m_impl->wait(m_impl->group->allreduce(buffers), "all_reduce of the stop flag");
    return buffers[0].item<int>() > 0;
}

std::vector<std::string> ProcessGroup::allGatherBytes(const std::string &bytes)
{
    // Lengths first, then every rank's bytes padded to the longest.
    std::vector<torch::Tensor> length { torch::tensor({ static_cast<std::int64_t>(bytes.size()) }) };
    std::vector<std::vector<torch::Tensor>> lengths(1);
    for (int r = 0; r < m_impl->size; ++r)
        lengths[0].push_back(torch::empty_like(length[0]));
    m_impl->wait(m_impl->group->allgather(lengths, length), "all_gather of the checkpoint's per-rank sizes");
    std::int64_t longest = 0;
    for (const torch::Tensor &l : lengths[0])
        longest = std::max(longest, l.item<std::int64_t>());
    std::vector<torch::Tensor> mine { torch::zeros({ std::max<std::int64_t>(longest, 1) }, torch::kUInt8) };
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char *>(mine[0].data_ptr<std::uint8_t>()));
    std::vector<std::vector<torch::Tensor>> all(1);
    for (int r = 0; r < m_impl->size; ++r)
        all[0].push_back(torch::empty_like(mine[0]));
    m_impl->wait(m_impl->group->allgather(all, mine), "all_gather of the checkpoint's per-rank state");
    std::vector<std::string> result;
    for (int r = 0; r < m_impl->size; ++r) {
        const torch::Tensor &t = all[0][static_cast<std::size_t>(r)];
        result.emplace_back(reinterpret_cast<const char *>(t.data_ptr<std::uint8_t>()),
            static_cast<std::size_t>(lengths[0][static_cast<std::size_t>(r)].item<std::int64_t>()));
    }
    return result;
}

void ProcessGroup::barrier()
{
    m_impl->wait(m_impl->group->barrier(), "barrier");
}

} // namespace pairtune
