#include "train/groupencoder.h"

#include "dist/distributedcontext.h"
#include "dist/processgroupimpl.h"
#include "model/sentencemodel.h"

#include <torch/torch.h>

#include <utility>

namespace pairtune {

TextEncoder groupEncoder(
    const SentenceModel &model, ProcessGroup *group, std::size_t batchSize, std::string what)
{
    if (!group)
        return [&model, batchSize](const std::vector<std::string> &texts, const std::string &prompt) {
            return model.encodeWithPrompt(texts, prompt, batchSize);
        };
    return [&model, group, batchSize, what = std::move(what)](
               const std::vector<std::string> &texts, const std::string &prompt) {
        if (texts.empty()) // every rank holds the same texts: all of them skip the gather together
            return model.encodeWithPrompt(texts, prompt, batchSize);
        const BatchSlice mine = batchSlice(texts.size(), group->rank(), group->size());
        const auto first = texts.begin() + static_cast<std::ptrdiff_t>(mine.begin);
        const std::vector<std::string> share(first, first + static_cast<std::ptrdiff_t>(mine.count));
        Embeddings local = model.encodeWithPrompt(share, prompt, batchSize);
        std::vector<std::size_t> counts;
        for (int r = 0; r < group->size(); ++r)
            counts.push_back(batchSlice(texts.size(), r, group->size()).count);
        const torch::Tensor rows = local.rows == 0
            ? torch::zeros({ 0, static_cast<std::int64_t>(local.dim) })
            : torch::from_blob(local.values.data(),
                { static_cast<std::int64_t>(local.rows), static_cast<std::int64_t>(local.dim) });
        const torch::Tensor all = group->gatherRowsToFirst(rows, counts, what).contiguous();
        Embeddings gathered;
        gathered.dim = local.dim;
        if (all.defined()) {
            gathered.rows = static_cast<std::size_t>(all.size(0));
            gathered.values.assign(all.data_ptr<float>(), all.data_ptr<float>() + all.numel());
        }
        return gathered;
    };
}

} // namespace pairtune
