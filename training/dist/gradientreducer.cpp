// DDP's bucketed, overlapped gradient all-reduce (gradientreducer.h) over the run's c10d backend.

#include "dist/gradientreducer.h"

#include "dist/processgroupbackend.h"

#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/torch.h>

#include <algorithm>
#include <mutex>
#include <unordered_set>

namespace pairtune {

struct GradientReducer::State
{
    struct Bucket
    {
        std::vector<std::size_t> parameters; // indices, in the order backward reaches them
        std::vector<std::int64_t> offsets; // of each parameter's gradient in the flat buffer
        std::int64_t values = 0; // gradient values; one flag per parameter follows them
        std::size_t pending = 0; // parameters not ready yet this step
        torch::Tensor buffer;
        c10::intrusive_ptr<c10d::Work> work;
    };

    ProcessGroup::Impl *group = nullptr;
    std::vector<torch::Tensor> parameters;
    std::vector<Bucket> buckets;
    std::vector<std::size_t> bucketOf;
    std::vector<int> accumulated; // this step's accumulations per parameter
    int passes = 1;
    bool overlap = true; // hooks start buckets during backward
    bool armed = false;
    std::size_t nextBucket = 0; // buckets start in order, so every rank issues the same collectives
    std::mutex mutex; // a CUDA backward runs the accumulators on the device's thread
    std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
    std::vector<torch::autograd::FunctionPostHook *> hooks;

    // Copies the bucket's gradients (zeros and flag 0 for one this rank lacks: the flags' sum says how
    // many ranks had one) into its buffer and starts the all-reduce.
    void start(Bucket &bucket)
    {
        const torch::NoGradGuard noGrad;
        const auto count = static_cast<std::int64_t>(bucket.parameters.size());
        bucket.buffer
            = torch::empty({ bucket.values + count }, torch::dtype(torch::kFloat).device(group->device));
        std::vector<float> flags;
        for (std::size_t k = 0; k < bucket.parameters.size(); ++k) {
            const torch::Tensor &p = parameters[bucket.parameters[k]];
            torch::Tensor slot = bucket.buffer.narrow(0, bucket.offsets[k], p.numel());
            const torch::Tensor &g = p.grad();
            if (g.defined())
                slot.copy_(g.reshape(-1));
            else
                slot.zero_();
            flags.push_back(g.defined() ? 1.0f : 0.0f);
        }
        bucket.buffer.narrow(0, bucket.values, count).copy_(torch::tensor(flags));
        std::vector<torch::Tensor> buffers { bucket.buffer };
        bucket.work = group->group->allreduce(buffers);
    }

    void markReady(std::size_t parameter)
    {
        const std::lock_guard<std::mutex> lock(mutex);
        if (!armed || ++accumulated[parameter] != passes)
            return;
        --buckets[bucketOf[parameter]].pending;
        while (nextBucket < buckets.size() && buckets[nextBucket].pending == 0)
            start(buckets[nextBucket++]);
    }
};

namespace {

// Runs after the parameter's gradient accumulator has added this backward's gradient to .grad.
struct ReadyHook final : torch::autograd::FunctionPostHook
{
    ReadyHook(std::weak_ptr<GradientReducer::State> state, std::size_t parameter)
        : state(std::move(state))
        , parameter(parameter)
    { }

    torch::autograd::variable_list operator()(
        const torch::autograd::variable_list &outputs, const torch::autograd::variable_list &) override
    {
        if (const std::shared_ptr<GradientReducer::State> reducer = state.lock())
            reducer->markReady(parameter);
        return outputs;
    }

    std::weak_ptr<GradientReducer::State> state;
    std::size_t parameter;
};

} // namespace

GradientReducer::GradientReducer(
    ProcessGroup &group, std::vector<torch::Tensor> parameters, std::size_t bucketBytes)
    : m_state(std::make_shared<State>())
{
    State &s = *m_state;
    s.group = &group.impl();
    s.parameters = std::move(parameters);
    s.overlap = bucketBytes > 0;
    s.bucketOf.resize(s.parameters.size());
    s.accumulated.resize(s.parameters.size());
    // Reverse order, as DDP's compute_bucket_assignment_by_size: a bucket closes once it holds its limit.
    std::size_t bytes = 0;
    for (std::size_t i = s.parameters.size(); i-- > 0;) {
        if (s.buckets.empty()
            || (s.overlap
                && bytes
                    >= (s.buckets.size() == 1 ? std::min(kFirstBucketBytes, bucketBytes) : bucketBytes))) {
            s.buckets.emplace_back();
            bytes = 0;
        }
        State::Bucket &bucket = s.buckets.back();
        const torch::Tensor &p = s.parameters[i];
        bucket.parameters.push_back(i);
        bucket.offsets.push_back(bucket.values);
        bucket.values += p.numel();
        bytes += static_cast<std::size_t>(p.numel()) * sizeof(float);
        s.bucketOf[i] = s.buckets.size() - 1;
    }
    if (!s.overlap)
        return;
    for (std::size_t i = 0; i < s.parameters.size(); ++i) {
        // Held here so that every backward reuses this accumulator (and its hook).
        std::shared_ptr<torch::autograd::Node> accumulator
            = torch::autograd::impl::grad_accumulator(s.parameters[i]);
        auto hook = std::make_unique<ReadyHook>(m_state, i);
        s.hooks.push_back(hook.get());
        accumulator->add_post_hook(std::move(hook));
        s.accumulators.push_back(std::move(accumulator));
    }
}

GradientReducer::~GradientReducer()
{
    State &s = *m_state;
    for (std::size_t i = 0; i < s.accumulators.size(); ++i) {
        auto &hooks = s.accumulators[i]->post_hooks();
        hooks.erase(std::remove_if(hooks.begin(), hooks.end(),
                        [&](const std::unique_ptr<torch::autograd::FunctionPostHook> &h) {
                            return h.get() == s.hooks[i];
                        }),
            hooks.end());
    }
}

std::size_t GradientReducer::bucketCount() const
{
    return m_state->buckets.size();
}

std::size_t GradientReducer::bucketsStarted() const
{
    const std::lock_guard<std::mutex> lock(m_state->mutex);
    return m_state->nextBucket;
}

void GradientReducer::prepare(int backwardPasses, const torch::Tensor &loss)
{
    State &s = *m_state;
    const std::lock_guard<std::mutex> lock(s.mutex);
    s.passes = std::max(1, backwardPasses);
    std::fill(s.accumulated.begin(), s.accumulated.end(), 0);
    for (State::Bucket &bucket : s.buckets) {
        bucket.pending = bucket.parameters.size();
        bucket.work.reset();
        bucket.buffer = torch::Tensor();
    }
    s.nextBucket = 0;
    s.armed = s.overlap;
    if (!s.armed || !loss.defined() || !loss.grad_fn())
        return;
    // The nodes backward will run: every parameter whose accumulator is not among them is ready now.
    std::unordered_set<const torch::autograd::Node *> reached;
    std::vector<torch::autograd::Node *> stack { loss.grad_fn().get() };
    while (!stack.empty()) {
        torch::autograd::Node *node = stack.back();
        stack.pop_back();
        if (!reached.insert(node).second)
            continue;
        for (const torch::autograd::Edge &edge : node->next_edges())
            if (edge.function)
                stack.push_back(edge.function.get());
    }
    for (std::size_t i = 0; i < s.accumulators.size(); ++i) {
        if (reached.count(s.accumulators[i].get()) == 0) {
            s.accumulated[i] = s.passes;
            --s.buckets[s.bucketOf[i]].pending;
        }
    }
}

void GradientReducer::finish()
{
    State &s = *m_state;
    const std::lock_guard<std::mutex> lock(s.mutex);
    s.armed = false;
    while (s.nextBucket < s.buckets.size())
        s.start(s.buckets[s.nextBucket++]);
    const torch::NoGradGuard noGrad;
    for (State::Bucket &bucket : s.buckets) {
        s.group->wait(bucket.work, "all_reduce of the gradients");
        const auto count = static_cast<std::int64_t>(bucket.parameters.size());
        const torch::Tensor ranksWithGradient = bucket.buffer.narrow(0, bucket.values, count).cpu();
        const float *ranks = ranksWithGradient.data_ptr<float>();
        for (std::size_t k = 0; k < bucket.parameters.size(); ++k) {
            if (ranks[k] <= 0)
                continue;
            torch::Tensor p = s.parameters[bucket.parameters[k]];
            const torch::Tensor mean
                = bucket.buffer.narrow(0, bucket.offsets[k], p.numel()).view(p.sizes()) / s.group->size;
            if (p.grad().defined())
                p.mutable_grad().copy_(mean);
            else
                p.mutable_grad() = mean.to(p.dtype()).clone();
        }
        bucket.work.reset();
        bucket.buffer = torch::Tensor();
    }
}

} // namespace pairtune
