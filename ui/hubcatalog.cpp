#include "ui/hubcatalog.h"

namespace pairtune::ui {

const std::vector<CuratedHubModel> &curatedHubModels()
{
    // Only BERT-type encoders (what Pairtune trains), small enough to fine-tune on a laptop CPU.
    static const std::vector<CuratedHubModel> models = {
        { QStringLiteral("sentence-transformers/all-MiniLM-L6-v2"), QStringLiteral("22.7M"),
            QStringLiteral("~91 MB"), QStringLiteral("English"),
            QStringLiteral("The recipe's default: fast, general purpose, 384 dimensions.") },
        { QStringLiteral("sentence-transformers/multi-qa-MiniLM-L6-cos-v1"), QStringLiteral("22.7M"),
            QStringLiteral("~91 MB"), QStringLiteral("English"),
            QStringLiteral("Made for questions and the passages that answer them.") },
        { QStringLiteral("sentence-transformers/all-MiniLM-L12-v2"), QStringLiteral("33.4M"),
            QStringLiteral("~134 MB"), QStringLiteral("English"),
            QStringLiteral("12 layers: a little better and twice as slow as the 6-layer one.") },
        { QStringLiteral("BAAI/bge-small-en-v1.5"), QStringLiteral("33.4M"), QStringLiteral("~134 MB"),
            QStringLiteral("English"),
            QStringLiteral("Strong at retrieval; queries may take an instruction prefix.") },
        { QStringLiteral("intfloat/e5-small-v2"), QStringLiteral("33.4M"), QStringLiteral("~134 MB"),
            QStringLiteral("English"), QStringLiteral("Expects \"query: \" and \"passage: \" prefixes.") },
        { QStringLiteral("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2"),
            QStringLiteral("118M"), QStringLiteral("~471 MB"), QStringLiteral("50+"),
            QStringLiteral("Multilingual: pairs in (or across) 50+ languages.") },
    };
    return models;
}

} // namespace pairtune::ui
