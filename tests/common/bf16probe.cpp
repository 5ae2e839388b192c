#include "bf16probe.h"

#include "model/sentencemodelimpl.h"
#include "train/adamw.h"
#include "train/bf16autocast.h"
#include "train/losses.h"

#include <torch/torch.h>

#include <cmath>

namespace pairtune {

Bf16ProbeResult probeBf16Training(const std::string &modelFolder,
    const std::vector<std::pair<std::string, std::string>> &pairs, const Bf16ProbeOptions &options)
{
    SentenceModel model = SentenceModel::load(modelFolder);
    SentenceModel::Impl &impl = model.impl();
    impl.setTraining(false); // no dropout: bf16 and float32 runs see the same computation
    std::vector<Encoding> encodings;
    for (const auto &pair : pairs)
        encodings.push_back(impl.tokenize(pair.first));
    for (const auto &pair : pairs)
        encodings.push_back(impl.tokenize(pair.second));
    const std::vector<std::size_t> promptLengths(encodings.size(), 0);

    AdamW optimizer(impl.namedParameters(), AdamWOptions {});
    LossSpec spec;
    spec.kind = LossKind::Mnrl;
    spec.similarity = SimilarityKind::Cosine;
    spec.scale = options.scale;
    const torch::Tensor scores = torch::zeros({ int64_t(pairs.size()) });

    Bf16ProbeResult result;
    for (int step = 0; step < options.steps; ++step) {
        std::vector<torch::Tensor> columns;
        {
            const Bf16Autocast autocast(options.bf16, impl.device()); // as TrainingRun::trainStep
            columns = impl.embed(encodings, promptLengths).to(at::kFloat).split(int64_t(pairs.size()));
        }
        const torch::Tensor loss = computeLoss(spec, columns[0], columns[1], {}, scores);
        result.losses.push_back(loss.item<double>());
        loss.backward();
        for (const AdamW::Param &p : optimizer.params()) {
            if (!p.value.grad().defined())
                continue;
            if (step == 0)
                ++result.parametersWithGradient;
            if (!torch::isfinite(p.value.grad()).all().item<bool>())
                result.gradientsFinite = false;
        }
        optimizer.step(options.lr);
        optimizer.zeroGrad();
    }

    std::vector<std::string> anchors;
    for (const auto &pair : pairs)
        anchors.push_back(pair.first);
    const Embeddings embedded = model.encode(anchors, anchors.size());
    result.embeddings = embedded.values;
    result.dim = embedded.dim;
    return result;
}

} // namespace pairtune
