// The collectives of a data-parallel run's process group (processgroupimpl.h) over whichever backend
// it joined (processgroupjoin.cpp): the embeddings' all_gather with gradients, the stop flag, the
// checkpoint's per-rank bytes and the embeddings' rows for rank 0. NCCL takes CUDA tensors only, so values
// that live on the CPU travel through Impl::device and back.

#include "dist/processgroupbackend.h"

#include <torch/torch.h>

#include <algorithm>
#include <cstdint>
#include <string>

namespace pairtune {

namespace {
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

torch::Tensor ProcessGroup::gatherRowsToFirst(
    const torch::Tensor &local, const std::vector<std::size_t> &counts, const std::string &what)
{
    // gather needs equal shapes: every rank sends max(counts) rows, the first counts[rank] of them real.
    const auto rows = static_cast<std::int64_t>(*std::max_element(counts.begin(), counts.end()));
    const auto mine = static_cast<std::int64_t>(counts[static_cast<std::size_t>(m_impl->rank)]);
    const Impl &impl = *m_impl;
    torch::Tensor padded
        = torch::zeros({ rows, local.size(1) }, local.options().dtype(torch::kFloat).device(impl.device));
    padded.narrow(0, 0, mine).copy_(local.narrow(0, 0, mine));
    std::vector<torch::Tensor> inputs { padded };
    std::vector<std::vector<torch::Tensor>> outputs;
    if (impl.rank == 0) {
        outputs.resize(1);
        for (int r = 0; r < impl.size; ++r)
            outputs[0].push_back(torch::empty_like(padded));
    }
    c10d::GatherOptions options;
    options.rootRank = 0;
    impl.wait(impl.group->gather(outputs, inputs, options), ("gather of " + what).c_str());
    if (impl.rank != 0)
        return {};
    std::vector<torch::Tensor> parts;
    for (int r = 0; r < impl.size; ++r)
        parts.push_back(outputs[0][static_cast<std::size_t>(r)].narrow(
            0, 0, static_cast<std::int64_t>(counts[static_cast<std::size_t>(r)])));
    return torch::cat(parts, 0).to(torch::kCPU);
}

bool ProcessGroup::anyRank(bool flag)
{
    std::vector<torch::Tensor> buffers { torch::tensor({ flag ? 1 : 0 }, torch::kInt).to(m_impl->device) };
    m_impl->wait(m_impl->group->allreduce(buffers), "all_reduce of the stop flag");
    return buffers[0].item<int>() > 0;
}

std::vector<std::string> ProcessGroup::allGatherBytes(const std::string &bytes, const std::string &what)
{
    // Lengths first, then every rank's bytes padded to the longest.
    std::vector<torch::Tensor> length {
        torch::tensor({ static_cast<std::int64_t>(bytes.size()) }).to(m_impl->device)
    };
    std::vector<std::vector<torch::Tensor>> lengths(1);
    for (int r = 0; r < m_impl->size; ++r)
        lengths[0].push_back(torch::empty_like(length[0]));
    m_impl->wait(m_impl->group->allgather(lengths, length), ("all_gather of the sizes of " + what).c_str());
    std::int64_t longest = 0;
    for (torch::Tensor &l : lengths[0]) {
        l = l.cpu();
        longest = std::max(longest, l.item<std::int64_t>());
    }
    torch::Tensor bytesHere = torch::zeros({ std::max<std::int64_t>(longest, 1) }, torch::kUInt8);
    std::copy(bytes.begin(), bytes.end(), reinterpret_cast<char *>(bytesHere.data_ptr<std::uint8_t>()));
    std::vector<torch::Tensor> mine { bytesHere.to(m_impl->device) };
    std::vector<std::vector<torch::Tensor>> all(1);
    for (int r = 0; r < m_impl->size; ++r)
        all[0].push_back(torch::empty_like(mine[0]));
    m_impl->wait(m_impl->group->allgather(all, mine), ("all_gather of " + what).c_str());
    std::vector<std::string> result;
    for (int r = 0; r < m_impl->size; ++r) {
        const torch::Tensor t = all[0][static_cast<std::size_t>(r)].cpu();
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
