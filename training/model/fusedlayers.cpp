#include "model/corethreads.h"
#include "model/fusedlayersimpl.h"
#include "model/layernormkernel.h"

#include <torch/csrc/autograd/custom_function.h>

#include <algorithm>
#include <dlfcn.h>
#include <vector>

namespace pairtune {
namespace {

// Rows per part so that each thread gets at least ~32K elements (starting a thread costs ~20 us).
int64_t rowGrain(int64_t width)
{
    return std::max<int64_t>(1, (int64_t(1) << 15) / std::max<int64_t>(width, 1));
}

bool splittable(const at::Tensor &t)
{
    return t.defined() && t.device().is_cpu() && t.scalar_type() == at::kFloat && t.dim() == 2;
}

LayerNormRows normRows(const at::Tensor &weight, const at::Tensor &bias, double eps)
{
    LayerNormRows n;
    n.width = weight.numel();
    n.eps = float(eps);
    n.weight = weight.data_ptr<float>();
    n.bias = bias.data_ptr<float>();
    return n;
}

class AddLayerNorm : public torch::autograd::Function<AddLayerNorm>
{
public:
    static at::Tensor forward(torch::autograd::AutogradContext *context, const at::Tensor &x,
        const at::Tensor &residual, const at::Tensor &weight, const at::Tensor &bias, double eps)
    {
        const at::Tensor in = x.contiguous();
        const at::Tensor res = residual.contiguous();
        const at::Tensor w = weight.contiguous();
        const at::Tensor b = bias.contiguous();
        const int64_t rows = in.size(0);
        const at::Tensor sum = at::empty_like(in);
        at::Tensor out = at::empty_like(in);
        const at::Tensor mean = at::empty({ rows }, in.options());
        const at::Tensor rstd = at::empty({ rows }, in.options());
        const LayerNormRows n = normRows(w, b, eps);
        const float *xp = in.data_ptr<float>();
        const float *rp = res.data_ptr<float>();
        float *sp = sum.data_ptr<float>();
        float *op = out.data_ptr<float>();
        float *mp = mean.data_ptr<float>();
        float *vp = rstd.data_ptr<float>();
        splitRangeAcrossCores(rows, rowGrain(n.width),
            [&](int64_t begin, int64_t end) { layerNormForward(n, xp, rp, sp, op, mp, vp, begin, end); });
        context->save_for_backward({ sum, w, b, mean, rstd });
        context->saved_data["eps"] = eps;
        return out;
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext *context, torch::autograd::variable_list gradients)
    {
        const torch::autograd::variable_list saved = context->get_saved_variables();
        const at::Tensor &sum = saved[0];
        const at::Tensor &w = saved[1];
        const at::Tensor &b = saved[2];
        const at::Tensor &mean = saved[3];
        const at::Tensor &rstd = saved[4];
        const at::Tensor dy = gradients[0].contiguous();
        const LayerNormRows n = normRows(w, b, context->saved_data["eps"].toDouble());
        const int64_t rows = sum.size(0);
        at::Tensor dx = at::empty_like(sum);
        // Each part adds its rows' share of the weight and bias gradients into a row of its own.
        const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(rows / rowGrain(n.width), 8));
        const at::Tensor partial = at::zeros({ parts, 2, n.width }, sum.options());
        const float *dyp = dy.data_ptr<float>();
        const float *sp = sum.data_ptr<float>();
        const float *mp = mean.data_ptr<float>();
        const float *vp = rstd.data_ptr<float>();
        float *dxp = dx.data_ptr<float>();
        float *pp = partial.data_ptr<float>();
        const int64_t per = (rows + parts - 1) / parts;
        splitAcrossCores(parts, [&](int64_t first, int64_t step) {
            for (int64_t part = first; part < parts; part += step) {
                const int64_t begin = std::min(rows, part * per);
                float *dw = pp + part * 2 * n.width;
                layerNormBackward(
                    n, dyp, sp, mp, vp, dxp, dw, dw + n.width, begin, std::min(rows, begin + per));
            }
        });
        const at::Tensor sums = partial.sum(0);
        return { dx, dx, sums[0], sums[1], at::Tensor() };
    }
};

// A LibTorch op run on a thread of ours would start an OpenMP team of its own: OpenMP's thread count is
// per thread, and a new thread has the default (every core), not the one intra-op thread that
// applyComputeThreads gave the main thread; two such teams on two cores ran GELU 3x slower than one
// thread. So each worker asks for one thread (looked up at run time: the engine does not link OpenMP).
void useOneOpenMpThread()
{
    using SetThreads = void (*)(int);
    static const auto setThreads = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "omp_set_num_threads"));
    if (setThreads)
        setThreads(1);
}

// Runs fn(begin, count) on row ranges across the cores, each a LibTorch op on views of contiguous rows
// (gradients off: the workers only fill preallocated outputs).
template <typename Fn> void onRowRanges(int64_t rows, int64_t width, Fn fn)
{
    const bool split = rows / rowGrain(width) > 1 && matrixThreads() > 1;
    splitRangeAcrossCores(rows, rowGrain(width), [&](int64_t begin, int64_t end) {
        const at::NoGradGuard noGrad;
        if (split)
            useOneOpenMpThread();
        fn(begin, end - begin);
    });
}

class SplitGelu : public torch::autograd::Function<SplitGelu>
{
public:
    static at::Tensor forward(torch::autograd::AutogradContext *context, const at::Tensor &x)
    {
        const at::Tensor in = x.contiguous().detach();
        at::Tensor out = at::empty_like(in);
        onRowRanges(in.size(0), in.size(1), [&](int64_t begin, int64_t count) {
            at::Tensor slice = out.narrow(0, begin, count);
            at::gelu_out(slice, in.narrow(0, begin, count));
        });
        context->save_for_backward({ in });
        return out;
    }

    static torch::autograd::variable_list backward(
        torch::autograd::AutogradContext *context, torch::autograd::variable_list gradients)
    {
        const at::Tensor in = context->get_saved_variables()[0].detach();
        const at::Tensor dy = gradients[0].contiguous().detach();
        at::Tensor dx = at::empty_like(in);
        onRowRanges(in.size(0), in.size(1), [&](int64_t begin, int64_t count) {
            at::Tensor slice = dx.narrow(0, begin, count);
            at::gelu_backward_out(slice, dy.narrow(0, begin, count), in.narrow(0, begin, count));
        });
        return { dx };
    }
};

} // namespace

at::Tensor residualLayerNorm(const at::Tensor &x, const at::Tensor &residual, const at::Tensor &weight,
    const at::Tensor &bias, double eps)
{
    // (A custom autograd function takes no undefined input: without a residual, LibTorch's layer_norm.)
    const bool fused = splittable(x) && splittable(residual) && residual.sizes() == x.sizes()
        && weight.defined() && bias.defined() && weight.scalar_type() == at::kFloat
        && bias.scalar_type() == at::kFloat && weight.device().is_cpu() && weight.numel() == x.size(1)
        && bias.numel() == x.size(1);
    if (!fused) {
        const at::Tensor in = residual.defined() ? x + residual : x;
        return at::layer_norm(in, { in.size(-1) }, weight, bias, eps);
    }
    return AddLayerNorm::apply(x, residual, weight, bias, eps);
}

at::Tensor splitGelu(const at::Tensor &x)
{
    if (!splittable(x))
        return at::gelu(x);
    return SplitGelu::apply(x);
}

} // namespace pairtune
