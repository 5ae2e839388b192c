#pragma once

// Engine-private (torch). A checkpoint is everything an exact resume needs:
//   model/                 the sentence-transformers folder of the weights at that step
//   optimizer.safetensors  AdamW moments, "<param>.exp_avg" / "<param>.exp_avg_sq"
//   trainer_state.json     step, sampler position, loss smoothing, best metric, RNG states, and the
//                          per-parameter AdamW step counts (under torchrun: every rank's RNG state)
// written as one atomic folder: trainer_state.json's presence marks it complete.

#include <nlohmann/json.hpp>

#include <string>

namespace pairtune {

class AdamW;
class SentenceModel;

void saveCheckpoint(const std::string &folder, const SentenceModel &model, const AdamW &optimizer,
    nlohmann::json trainerState);

// Restores the AdamW moments and step counts saved with saveCheckpoint; the model weights are
// restored by loading folder/model as a SentenceModel.
void loadOptimizerState(const std::string &folder, AdamW &optimizer);
nlohmann::json readTrainerState(const std::string &folder);

// The global CPU generator (dropout masks) as text, and back.
std::string torchRngState();
void setTorchRngState(const std::string &state);

} // namespace pairtune
