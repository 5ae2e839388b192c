#pragma once

// The Hub models the Model page suggests. Plain data: no widgets, no engine calls.

#include <QString>

#include <vector>

namespace pairtune::ui {

// One suggestion. Sizes are approximate, taken from each model's card on huggingface.co (parameter
// count; the download is the float32 model.safetensors plus the tokenizer, about 4 bytes a parameter).
struct CuratedHubModel
{
    QString repoId;
    QString parameters; // "22.7M"
    QString download; // "~91 MB"
    QString languages; // "English", "50+" (languages)
    QString note; // what it is good for, one line
};

// all-MiniLM-L6-v2 (the recipe's default) first, then the others from small to large.
const std::vector<CuratedHubModel> &curatedHubModels();

} // namespace pairtune::ui
