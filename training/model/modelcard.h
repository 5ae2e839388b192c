#pragma once

// The README.md model card written next to a saved model (docs/formats.md §1.9). Python never parses
// it; it is for people browsing the folder or the Hub.

#include <string>
#include <vector>

namespace pairtune {

struct ModelFolder;
struct ColumnPrompts;

struct ModelCardOptions
{
    std::string title = "Sentence Transformer model";
    std::string description; // a paragraph after the title; empty = a generic one
    std::string baseModel; // front matter base_model, when known (a Hub id)
    std::vector<std::string> extraTags; // e.g. "generated_from_trainer", "dataset_size:1000", "loss:X"
    std::string extraSections; // Markdown appended before "Framework Versions"
};

// A card in the layout sentence-transformers writes: YAML front matter, model details, the module
// architecture, a usage snippet and framework versions.
std::string makeModelCard(const ModelFolder &model, const ModelCardOptions &options = {});

// Markdown lines (each "- ...\n") saying which prompt each column of the pairs got in training and
// evaluation, and how to apply them in Python; "" when no column had one.
std::string trainingPromptsCardLines(const ColumnPrompts &prompts);

} // namespace pairtune
