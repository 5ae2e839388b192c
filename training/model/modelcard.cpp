#include "model/modelcard.h"

#include "model/modelfolder.h"
#include "model/prompts.h"
#include "pairtune/version.h"

#include <nlohmann/json.hpp>
#include <torch/version.h> // macros only; cheap to include

#include <sstream>

namespace pairtune {
namespace {

std::string pyBool(bool value)
{
    return value ? "True" : "False";
}

std::string similarityName(const std::string &fn)
{
    if (fn == "dot")
        return "Dot Product";
    if (fn == "euclidean")
        return "Euclidean Distance";
    if (fn == "manhattan")
        return "Manhattan Distance";
    return "Cosine Similarity";
}

// The repr() of the SentenceTransformer, as the card's "Full Model Architecture" shows it.
std::string architecture(const ModelFolder &m)
{
    std::ostringstream out;
    out << "SentenceTransformer(\n";
    out << "  (0): Transformer({'max_seq_length': " << m.maxSeqLength
        << ", 'do_lower_case': " << pyBool(m.doLowerCase) << ", 'architecture': '"
        << m.transformer.architecture() << "'})\n";
    const PoolingConfig &p = m.pooling;
    out << "  (1): Pooling({'word_embedding_dimension': " << p.wordEmbeddingDimension
        << ", 'pooling_mode_cls_token': " << pyBool(p.clsToken)
        << ", 'pooling_mode_mean_tokens': " << pyBool(p.meanTokens)
        << ", 'pooling_mode_max_tokens': " << pyBool(p.maxTokens)
        << ", 'pooling_mode_mean_sqrt_len_tokens': " << pyBool(p.meanSqrtLenTokens)
        << ", 'pooling_mode_weightedmean_tokens': " << pyBool(p.weightedMeanTokens)
        << ", 'pooling_mode_lasttoken': " << pyBool(p.lastToken)
        << ", 'include_prompt': " << pyBool(p.includePrompt) << "})\n";
    int idx = 2;
    for (const HeadModule &head : m.heads) {
        if (head.kind == ModuleKind::Dense)
            out << "  (" << idx << "): Dense({'in_features': " << head.dense.inFeatures
                << ", 'out_features': " << head.dense.outFeatures << ", 'bias': " << pyBool(head.dense.bias)
                << ", 'activation_function': '" << head.dense.activationFunction << "'})\n";
        else
            out << "  (" << idx << "): Normalize()\n";
        ++idx;
    }
    out << ")";
    return out.str();
}

} // namespace

std::string makeModelCard(const ModelFolder &m, const ModelCardOptions &options)
{
    const int dim = m.embeddingDimension();
    std::ostringstream out;
    out << "---\n";
    if (!options.baseModel.empty())
        out << "base_model: " << options.baseModel << "\n";
    out << "tags:\n- sentence-transformers\n- sentence-similarity\n- feature-extraction\n";
    for (const std::string &tag : options.extraTags)
        out << "- " << tag << "\n";
    out << "pipeline_tag: sentence-similarity\n";
    out << "library_name: sentence-transformers\n";
    out << "---\n\n";

    out << "# " << options.title << "\n\n";
    if (!options.description.empty())
        out << options.description << "\n\n";
    else
        out << "This is a [sentence-transformers](https://www.SBERT.net) model, made with Pairtune. It maps "
               "sentences & paragraphs to a "
            << dim
            << "-dimensional dense vector space and can be used for semantic textual similarity, semantic "
               "search, paraphrase mining, text classification, clustering, and more.\n\n";

    out << "## Model Details\n\n### Model Description\n";
    out << "- **Model Type:** Sentence Transformer\n";
    if (!options.baseModel.empty())
        out << "- **Base model:** " << options.baseModel << "\n";
    out << "- **Maximum Sequence Length:** " << m.maxSeqLength << " tokens\n";
    out << "- **Output Dimensionality:** " << dim << " dimensions\n";
    out << "- **Similarity Function:** " << similarityName(m.sentenceTransformers.similarityFnName) << "\n\n";

    out << "### Full Model Architecture\n\n```\n" << architecture(m) << "\n```\n\n";

    out << "## Usage\n\n### Direct Usage (Sentence Transformers)\n\n"
           "First install the Sentence Transformers library:\n\n```bash\npip install -U "
           "sentence-transformers\n```\n\n"
           "Then you can load this model and run inference.\n\n```python\n"
           "from sentence_transformers import SentenceTransformer\n\n"
           "# Download from the Hub, or give the path of this folder\n"
           "model = SentenceTransformer(\"path/to/this/model\")\n"
           "# Run inference\n"
           "sentences = [\n"
           "    'The weather is lovely today.',\n"
           "    \"It's so sunny outside!\",\n"
           "    'He drove to the stadium.',\n"
           "]\n"
           "embeddings = model.encode(sentences)\n"
           "print(embeddings.shape)\n"
           "# [3, "
        << dim
        << "]\n\n"
           "# Get the similarity scores for the embeddings\n"
           "similarities = model.similarity(embeddings, embeddings)\n"
           "print(similarities.shape)\n"
           "# [3, 3]\n```\n\n";

    if (!options.extraSections.empty())
        out << options.extraSections << "\n\n";

    out << "## Framework Versions\n";
    out << "- Pairtune: " << kVersion << "\n";
    out << "- LibTorch: " << TORCH_VERSION << "\n";
    out << "- Written in the format of Sentence Transformers " << kSentenceTransformersVersion << "\n";
    return out.str();
}

std::string trainingPromptsCardLines(const ColumnPrompts &prompts)
{
    if (!prompts.any())
        return {};
    // JSON string literals are valid Python string literals for any text, quotes and newlines included.
    auto quoted = [](const std::string &text) { return nlohmann::json(text).dump(); };
    std::ostringstream out;
    out << "- Prompts prepended in training and evaluation: anchors " << quoted(prompts.anchor)
        << ", positives " << quoted(prompts.positive) << ", negatives " << quoted(prompts.negative) << "\n";
    out << "- Embed the same way in Python: queries with `model.encode(texts, prompt="
        << quoted(prompts.anchor)
        << ")`, documents with `model.encode(texts, prompt=" << quoted(prompts.positive) << ")`\n";
    return out.str();
}

} // namespace pairtune
