#pragma once

// Engine-private (torch). AdamW exactly as torch.optim.AdamW (single-tensor path), with the
// sentence-transformers parameter groups, written out so that its state is ours to checkpoint and
// restore bit for bit.

#include <torch/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pairtune {

struct AdamWOptions
{
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weightDecay = 0.01;
};

class AdamW
{
public:
    struct Param
    {
        std::string name;
        torch::Tensor value;
        bool decay = true; // false for bias / LayerNorm (substring rule, docs/formats.md §5.2)
        torch::Tensor expAvg; // first moment, created on the first step
        torch::Tensor expAvgSq; // second moment
        std::int64_t steps = 0; // per-parameter step count (a parameter without grad is not stepped)
    };

    AdamW(const std::vector<std::pair<std::string, torch::Tensor>> &namedParameters, AdamWOptions options);

    // One update with learning rate lr. Parameters whose grad is undefined are skipped, like torch.
    void step(double lr);
    void zeroGrad();

    // Clips the global 2-norm of all gradients to maxNorm like torch.nn.utils.clip_grad_norm_ and
    // returns the norm before clipping. The gradients themselves stay as they are until step(), which
    // applies the coefficient as it reads them (one pass over every gradient fewer); clippedGradient()
    // is a parameter's gradient as clip_grad_norm_ would have left it.
    double clipGradNorm(double maxNorm);
    torch::Tensor clippedGradient(const Param &p) const;

    std::vector<Param> &params() { return m_params; }
    const std::vector<Param> &params() const { return m_params; }

    // True when the name falls in sentence-transformers' no_decay list ("bias", "LayerNorm.bias",
    // "LayerNorm.weight", matched as substrings).
    static bool excludedFromDecay(const std::string &name);

private:
    void stepGroup(const std::vector<Param *> &group, double lr, double weightDecay, std::int64_t steps);

    std::vector<Param> m_params;
    AdamWOptions m_options;
    float m_gradScale = 1.0f; // the pending clip coefficient, applied and reset by step()
};

} // namespace pairtune
