#include "weightprobe.h"

#include "model/sentencemodelimpl.h"

#include <torch/torch.h>

#include <stdexcept>

namespace pairtune {

void setWeightValue(SentenceModel &model, const std::string &parameter, std::int64_t index, float value)
{
    for (auto &[name, tensor] : model.impl().namedParameters()) {
        if (name != parameter)
            continue;
        if (index < 0 || index >= tensor.numel())
            throw std::invalid_argument("index " + std::to_string(index) + " outside " + parameter);
        torch::NoGradGuard noGrad;
        tensor.view(-1)[index].fill_(value);
        return;
    }
    throw std::invalid_argument("no parameter " + parameter);
}

} // namespace pairtune
