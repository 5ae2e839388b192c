#include "fusedlayersprobe.h"

#include "model/fusedlayersimpl.h"

#include <torch/torch.h>

namespace pairtune {
namespace {

double maxAbs(const torch::Tensor &t)
{
    return t.abs().max().item<double>();
}

double maxDifference(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a.to(torch::kDouble) - b.to(torch::kDouble)).abs().max().item<double>();
}

struct Inputs
{
    torch::Tensor x, residual, weight, bias, projection;
};

Inputs makeInputs(std::int64_t rows, std::int64_t width, std::uint64_t seed)
{
    torch::manual_seed(seed);
    Inputs in;
    // An offset per row: LayerNorm must subtract a mean that is large against the spread.
    in.x = torch::randn({ rows, width }) * 3.0 + torch::randn({ rows, 1 }) * 20.0;
    in.residual = torch::randn({ rows, width });
    in.weight = torch::randn({ width }) + 1.0;
    in.bias = torch::randn({ width });
    in.projection = torch::randn({ rows, width });
    return in;
}

torch::Tensor leaf(const torch::Tensor &t)
{
    return t.clone().requires_grad_(true);
}

} // namespace

FusedLayerCheck checkAddLayerNorm(std::int64_t rows, std::int64_t width, std::uint64_t seed)
{
    const Inputs in = makeInputs(rows, width, seed);
    const torch::Tensor x1 = leaf(in.x), r1 = leaf(in.residual), w1 = leaf(in.weight), b1 = leaf(in.bias);
    const torch::Tensor x2 = leaf(in.x), r2 = leaf(in.residual), w2 = leaf(in.weight), b2 = leaf(in.bias);
    const torch::Tensor fused = residualLayerNorm(x1, r1, w1, b1, 1e-12);
    const torch::Tensor reference = torch::layer_norm(x2 + r2, { width }, w2, b2, 1e-12);
    (fused * in.projection).sum().backward();
    (reference * in.projection).sum().backward();
    FusedLayerCheck check;
    check.maxOutputDifference = maxDifference(fused, reference);
    check.maxOutputMagnitude = maxAbs(reference);
    check.maxInputGradientDifference = maxDifference(x1.grad(), x2.grad());
    check.maxInputGradientMagnitude = maxAbs(x2.grad());
    check.maxResidualGradientDifference = maxDifference(r1.grad(), r2.grad());
    check.maxWeightGradientDifference
        = std::max(maxDifference(w1.grad(), w2.grad()), maxDifference(b1.grad(), b2.grad()));
    check.maxWeightGradientMagnitude = std::max(maxAbs(w2.grad()), maxAbs(b2.grad()));
    return check;
}

FusedLayerCheck checkSplitGelu(std::int64_t rows, std::int64_t width, std::uint64_t seed)
{
    const Inputs in = makeInputs(rows, width, seed);
    const torch::Tensor input = in.x / 10.0; // around the bend of the GELU
    const torch::Tensor x1 = leaf(input), x2 = leaf(input);
    const torch::Tensor split = splitGelu(x1);
    const torch::Tensor reference = torch::gelu(x2);
    (split * in.projection).sum().backward();
    (reference * in.projection).sum().backward();
    FusedLayerCheck check;
    check.maxOutputDifference = maxDifference(split, reference);
    check.maxOutputMagnitude = maxAbs(reference);
    check.maxInputGradientDifference = maxDifference(x1.grad(), x2.grad());
    check.maxInputGradientMagnitude = maxAbs(x2.grad());
    return check;
}

} // namespace pairtune
