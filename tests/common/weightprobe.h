#pragma once

// A torch-free way for tests to damage one weight of a model held in memory. Loading refuses NaN or
// infinite weights (model/weightio.cpp), so a model with such a weight exists only in memory, after a
// run that diverged; the exports must refuse it too, and their suites (torch-free) make one with this.

#include "model/sentencemodel.h"

#include <cstdint>
#include <string>

namespace pairtune {

// Sets element `index` (row-major, flattened) of the named parameter (as namedParameters() and
// model.safetensors name it) to value; throws std::invalid_argument for an unknown name or index.
void setWeightValue(SentenceModel &model, const std::string &parameter, std::int64_t index, float value);

} // namespace pairtune
