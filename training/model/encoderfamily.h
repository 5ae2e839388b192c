#pragma once

// Torch-free: the encoder families Pairtune computes, one entry per config.json model_type. A family
// says how its config.json maps onto TransformerConfig (read) and back (write, as save_pretrained
// writes it), which transformers class it is, and the prefix its *ForMaskedLM-style checkpoints put on
// the base model's weights. The computation behind each family is chosen by makeEncoder
// (encoderimpl.h).
//
// Adding a family: a read/write pair and a table line in transformerconfig.cpp, typed fields for its
// own keys in TransformerConfig (modelconfig.h), an Encoder implementation and a line in makeEncoder.

#include "model/modelconfig.h"

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

namespace pairtune {

struct EncoderFamily
{
    std::string_view modelType; // config.json "model_type"
    std::string_view architecture; // config.json "architectures" of the base model, e.g. "BertModel"
    std::string_view weightPrefix; // base_model_prefix + ".", e.g. "bert."
    // Fills c's values (modelType is set) from config.json, with the family's class defaults for missing
    // keys; throws pairtune::Error naming path for values the family's computation does not support.
    void (*read)(TransformerConfig &c, const nlohmann::json &object, const std::string &path);
    // Writes c's values under the family's own keys into out (which holds the file as read).
    void (*write)(const TransformerConfig &c, nlohmann::json &out);
};

// nullptr for a model_type no family handles.
const EncoderFamily *findEncoderFamily(std::string_view modelType);
// The family of config.modelType; throws pairtune::Error when there is none.
const EncoderFamily &encoderFamily(const TransformerConfig &config);
// "\"bert\", \"xlm-roberta\", ..." for messages.
std::string supportedModelTypes();

} // namespace pairtune
