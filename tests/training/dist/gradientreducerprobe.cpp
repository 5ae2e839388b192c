// The torch side of tst_gradientreducer (gradientreducerprobe.h).

#include "gradientreducerprobe.h"

#include "dist/gradientreducer.h"

#include <torch/torch.h>

#include <exception>

namespace pairtune::testprobe {
namespace {

// Parameters 0, 2 and 3 form a small network; parameter 1 is never used (a BERT pooler under mean
// pooling). Sizes: 77 KB, 0.4 KB, 360 KB, 1.2 KB of float32.
std::vector<torch::Tensor> makeParameters()
{
    torch::manual_seed(1);
    return { torch::randn({ 64, 300 }).requires_grad_(), torch::randn({ 10, 10 }).requires_grad_(),
        (torch::randn({ 300, 300 }) * 0.05).requires_grad_(), torch::randn({ 300, 1 }).requires_grad_() };
}

// One backward pass's loss of rank `rank` at step `step`, pass `pass`: each its own inputs.
torch::Tensor lossOf(const std::vector<torch::Tensor> &p, int rank, int step, int pass)
{
    torch::manual_seed(100 + 10 * rank + 1000 * step + pass);
    const torch::Tensor x = torch::randn({ 8, 64 });
    const torch::Tensor h = torch::tanh(torch::tanh(x.matmul(p[0])).matmul(p[2]));
    return h.matmul(p[3]).pow(2).mean();
}

ReducerOutcome train(ProcessGroup &group, std::size_t bucketBytes, int passes)
{
    std::vector<torch::Tensor> p = makeParameters();
    GradientReducer reducer(group, p, bucketBytes);
    ReducerOutcome outcome;
    outcome.buckets = reducer.bucketCount();
    for (int step = 0; step < 2; ++step) {
        // Expected: the mean over both ranks of each rank's gradient summed over its passes.
        std::vector<torch::Tensor> expected(p.size());
        for (int r = 0; r < 2; ++r) {
            for (int k = 0; k < passes; ++k) {
                const auto g = torch::autograd::grad({ lossOf(p, r, step, k) }, { p[0], p[2], p[3] });
                const std::size_t used[] = { 0, 2, 3 };
                for (std::size_t j = 0; j < 3; ++j)
                    expected[used[j]] = expected[used[j]].defined() ? expected[used[j]] + g[j] : g[j];
            }
        }
        for (torch::Tensor &t : p)
            t.mutable_grad() = torch::Tensor();
        const torch::Tensor first = lossOf(p, group.rank(), step, 0);
        // One pass: the loss is given, so the unused parameter does not hold its bucket back.
        reducer.prepare(passes, passes == 1 ? first : torch::Tensor());
        first.backward();
        for (int k = 1; k < passes; ++k)
            lossOf(p, group.rank(), step, k).backward();
        outcome.startedDuringBackward = reducer.bucketsStarted();
        reducer.finish();
        for (const std::size_t i : { 0, 2, 3 }) { // relative to the tensor's largest value
            const torch::Tensor mean = expected[i] / 2;
            outcome.maxDifference = std::max(
                outcome.maxDifference, ((p[i].grad() - mean).abs().max() / mean.abs().max()).item<double>());
        }
        outcome.unusedStayedUndefined = outcome.unusedStayedUndefined && !p[1].grad().defined();
    }
    return outcome;
}

DistributedContext contextOf(int rank, int port)
{
    DistributedContext context;
    context.rank = rank;
    context.worldSize = 2;
    context.localRank = rank;
    context.localWorldSize = 2;
    context.masterAddr = "127.0.0.1";
    context.masterPort = port;
    context.timeoutSeconds = 60;
    context.joinTimeoutSeconds = 60;
    return context;
}

} // namespace

ReducerOutcome reduceAsRank(int rank, int port, std::size_t bucketBytes, int passes)
{
    try {
        const auto group = ProcessGroup::join(contextOf(rank, port));
        return train(*group, bucketBytes, passes);
    } catch (const std::exception &e) {
        ReducerOutcome failed;
        failed.error = e.what();
        return failed;
    }
}

} // namespace pairtune::testprobe
