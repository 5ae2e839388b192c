#pragma once

// Shared helpers of the model suites: tiny models from the real BERT vocabulary, folder listings,
// embedding comparisons and a warning collector. Public engine API only (no torch).

#include "core/log.h"
#include "io/fileutil.h"
#include "model/sentencemodel.h"

#include <QDir>
#include <QDirIterator>
#include <QSet>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

namespace modeltest {

inline std::string vocabPath()
{
    return std::string(PAIRTUNE_TEST_DATA_DIR) + "/bert-base-uncased-vocab.txt";
}

inline pairtune::CreateOptions tinyBert(
    const std::string &pooling = "mean", bool normalize = true, int denseOut = 0)
{
    pairtune::CreateOptions o;
    o.architecture = "bert";
    o.vocabPath = vocabPath();
    o.layers = 2;
    o.hidden = 32;
    o.heads = 4;
    o.intermediate = 64;
    o.maxPositions = 64;
    o.maxSeqLength = 24;
    o.pooling = pooling;
    o.normalize = normalize;
    o.denseOut = denseOut;
    o.seed = 7;
    return o;
}

// Sentences of many lengths, with punctuation, digits and accents.
inline std::vector<std::string> sampleTexts()
{
    return { "A man is playing a guitar.", "The weather is lovely today, isn't it?", "hi",
        "Café au lait costs 3.50 euros in Zürich.",
        "Machine learning models map sentences to vectors so that similar meanings land close together.",
        "  leading and trailing spaces  ", "UPPER CASE TEXT", "x",
        "Two dogs run through the park while the children watch them from a bench near the fountain.",
        "What is the capital of France?", "Paris is the capital of France.",
        "The quick brown fox jumps over the lazy dog.", "", "1234 5678 90",
        "A much longer sentence that goes on and on, mentioning many things: apples, pears, plums, "
        "cherries, oranges, lemons, limes, grapes and bananas, until it is cut by max_seq_length.",
        "short one", "Another ordinary sentence.", "He drove to the stadium.", "naïve résumé façade",
        "end." };
}

inline float maxAbsDiff(const pairtune::Embeddings &a, const pairtune::Embeddings &b)
{
    if (a.rows != b.rows || a.dim != b.dim)
        return INFINITY;
    float worst = 0;
    for (std::size_t i = 0; i < a.values.size(); ++i)
        worst = std::max(worst, std::abs(a.values[i] - b.values[i]));
    return worst;
}

// Every file and folder under root, relative, folders with a trailing '/'.
inline QSet<QString> listTree(const QString &root)
{
    QSet<QString> out;
    QDirIterator it(
        root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden, QDirIterator::Subdirectories);
    const QDir base(root);
    while (it.hasNext()) {
        it.next();
        QString rel = base.relativeFilePath(it.filePath());
        if (it.fileInfo().isDir())
            rel += '/';
        out.insert(rel);
    }
    return out;
}

inline std::string readAll(const std::string &path)
{
    return pairtune::readFileBytes(path);
}

inline void copyTree(const std::string &from, const std::string &to)
{
    std::filesystem::copy(from, to, std::filesystem::copy_options::recursive);
}

// Collects warnings while alive.
class WarningCollector
{
public:
    WarningCollector()
    {
        pairtune::setLogSink([this](pairtune::LogLevel level, const std::string &message) {
            if (level == pairtune::LogLevel::Warning)
                warnings.push_back(message);
        });
    }
    ~WarningCollector() { pairtune::setLogSink(nullptr); }
    bool contains(const std::string &text) const
    {
        return std::any_of(warnings.begin(), warnings.end(),
            [&](const std::string &w) { return w.find(text) != std::string::npos; });
    }
    std::vector<std::string> warnings;
};

} // namespace modeltest
