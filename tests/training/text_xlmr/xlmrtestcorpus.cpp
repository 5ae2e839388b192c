#include "xlmrtestcorpus.h"

#include <cstdint>
#include <fstream>

namespace xlmrtest {

namespace {

// A small LCG so the corpus (and the trained model) is the same on every machine.
class Random
{
public:
    explicit Random(std::uint64_t seed)
        : m_state(seed)
    { }
    std::uint32_t next()
    {
        m_state = m_state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::uint32_t>(m_state >> 33);
    }
    std::size_t below(std::size_t n) { return next() % n; }

private:
    std::uint64_t m_state;
};

const std::vector<std::vector<std::string>> kWords = {
    { "the", "quick", "brown", "fox", "jumps", "over", "lazy", "dog", "model", "training", "sentence",
        "embedding", "vector", "search", "query", "document", "similar", "language", "tokenizer", "piece",
        "world", "hello", "because", "without", "between", "people", "question", "answer", "running",
        "played", "international" },
    { "café", "naïve", "résumé", "élève", "garçon", "français", "être", "très", "déjà", "où", "à", "côté",
        "hôpital", "noël", "œuvre", "château", "fenêtre", "forêt" },
    { "über", "straße", "größe", "schön", "mädchen", "fußball", "müssen", "können", "äpfel", "öffnen",
        "Zürich", "Grüße", "weiß" },
    { "año", "niño", "mañana", "señor", "corazón", "canción", "árbol", "pequeño", "jamás", "también", "está",
        "acción", "São", "Paulo", "coração", "não" },
    { "привет", "мир", "язык", "модель", "поиск", "вопрос", "ответ", "хорошо", "спасибо", "работа" },
    { "καλημέρα", "κόσμος", "γλώσσα", "ερώτηση", "απάντηση", "ευχαριστώ", "σήμερα" },
    { "東京", "日本語", "中文", "你好", "世界", "我们", "学习", "语言", "模型", "今日は", "ありがとう",
        "こんにちは", "東京都", "大学", "研究" },
};

const std::vector<std::string> kPunctuation
    = { ".", "!", "?", ",", ";", ":", " -", " (ok).", " \"yes\".", "...", " [1].", " 100%.", " #1!" };

std::string number(Random &random)
{
    switch (random.below(4)) {
    case 0:
        return std::to_string(random.below(100));
    case 1:
        return std::to_string(random.below(10000));
    case 2:
        return std::to_string(random.below(100)) + "." + std::to_string(random.below(100));
    default:
        return std::to_string(2000 + random.below(30)) + "-0" + std::to_string(1 + random.below(9)) + "-1"
            + std::to_string(random.below(10));
    }
}

} // namespace

std::vector<std::string> corpusSentences(int count)
{
    Random random(20240611);
    std::vector<std::string> sentences;
    for (int i = 0; i < count; ++i) {
        // Mostly one language per sentence, sometimes mixed, as real multilingual data.
        const std::size_t language = random.below(kWords.size());
        const std::size_t length = 3 + random.below(10);
        std::string sentence;
        for (std::size_t w = 0; w < length; ++w) {
            const bool mixed = random.below(8) == 0;
            const auto &words = kWords[mixed ? random.below(kWords.size()) : language];
            std::string word = random.below(10) == 0 ? number(random) : words[random.below(words.size())];
            if (w == 0 && !word.empty() && word[0] >= 'a' && word[0] <= 'z')
                word[0] = static_cast<char>(word[0] - 'a' + 'A');
            // Chinese and Japanese are written without spaces.
            if (!sentence.empty() && !(language == 6 && !mixed))
                sentence += ' ';
            sentence += word;
        }
        sentence += kPunctuation[random.below(kPunctuation.size())];
        sentences.push_back(std::move(sentence));
    }
    return sentences;
}

bool writeCorpus(const std::string &path, const std::vector<std::string> &sentences)
{
    std::ofstream out(path, std::ios::binary);
    for (const std::string &sentence : sentences)
        out << sentence << '\n';
    return static_cast<bool>(out);
}

} // namespace xlmrtest
