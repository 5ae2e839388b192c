// Issue 18: a run's data, prepared for a million pairs without holding each text three times and each
// token as two 64-bit numbers. The packed cache (train/encodingstore.h) must give back exactly what the
// tokenizer gave, and prepareTrainingData the same encodings, text ids and lengths as tokenizing every
// record's prompted texts directly (here with the prompts fixture: anchors "query: ", positives and
// negatives "passage: ", so a text shares an encoding only among columns with the same prompt).

#include "core/error.h"
#include "model/sentencemodel.h"
#include "train/encodingstore.h"
#include "train/trainingdata.h"

#include <QTemporaryDir>
#include <QTest>

#include <fstream>
#include <map>
#include <random>
#include <set>

using namespace pairtune;

namespace {

Encoding randomEncoding(std::mt19937 &rng, std::size_t length)
{
    std::uniform_int_distribution<std::int64_t> id(0, std::numeric_limits<std::int32_t>::max());
    std::uniform_int_distribution<std::int64_t> type(0, 255);
    Encoding encoding;
    for (std::size_t i = 0; i < length; ++i) {
        encoding.ids.push_back(id(rng));
        encoding.typeIds.push_back(type(rng));
    }
    return encoding;
}

bool sameEncoding(const Encoding &a, const Encoding &b)
{
    return a.ids == b.ids && a.typeIds == b.typeIds;
}

} // namespace

class TestTrainingData : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storeGivesBackWhatWasAdded()
    {
        std::mt19937 rng(18);
        std::vector<Encoding> added;
        EncodingStore store;
        // Lengths from empty to longer than a block (2^20 tokens), so texts cross into new blocks.
        for (const std::size_t length : { 0, 1, 7, 512, 300000, 900000, (1 << 20) + 3, 5, 1 << 19 }) {
            added.push_back(randomEncoding(rng, length));
            QCOMPARE(store.add(added.back()), std::uint32_t(added.size() - 1));
        }
        QCOMPARE(store.size(), added.size());
        for (std::uint32_t i = 0; i < added.size(); ++i) {
            QCOMPARE(store.tokens(i), added[i].ids.size());
            QVERIFY(sameEncoding(store.at(i), added[i]));
        }
    }

    void storeRefusesWhatItCannotHold()
    {
        EncodingStore store;
        store.add({ { 101, 7, 102 }, { 0, 0, 0 } });
        QVERIFY_THROWS_EXCEPTION(Error, store.add({ { 101, std::int64_t(1) << 31 }, { 0, 0 } }));
        QVERIFY_THROWS_EXCEPTION(Error, store.add({ { 101, -1 }, { 0, 0 } }));
        QVERIFY_THROWS_EXCEPTION(Error, store.add({ { 101, 5 }, { 0, 256 } }));
        QVERIFY_THROWS_EXCEPTION(Error, store.add({ { 101, 5 }, { 0 } }));
        QCOMPARE(store.size(), std::size_t(1)); // a refused text leaves nothing behind
        QVERIFY(sameEncoding(store.at(0), { { 101, 7, 102 }, { 0, 0, 0 } }));
    }

    void preparedDataEqualsTokenizingEveryRecord()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // Texts recur within and across columns: "b" is a positive, then an anchor, then a negative.
        const std::vector<std::vector<std::string>> rows = {
            { "a cat sat", "b dog ran", "c bird flew" },
            { "b dog ran", "a cat sat", "d fish swam" },
            { "e the end", "b dog ran", "b dog ran" },
            { "a cat sat", "f far away", "c bird flew" },
            { "g green", "h hills", "a cat sat" },
        };
        const std::string path = dir.filePath(QStringLiteral("pairs.tsv")).toStdString();
        {
            std::ofstream out(path);
            out << "anchor\tpositive\tnegative_1\n";
            for (const auto &row : rows)
                out << row[0] << '\t' << row[1] << '\t' << row[2] << '\n';
        }
        const SentenceModel model = SentenceModel::load(PAIRTUNE_TEST_DATA_DIR "/prompts/tiny-bert-prompts");
        TrainingConfig config;
        config.dataPaths = { path };
        config.loss = "mnrl"; // uses the hard negatives
        const TrainingData data = prepareTrainingData(config, model);
        QCOMPARE(data.dataset.size(), rows.size());
        QCOMPARE(data.negativesPerRecord, std::size_t(1));
        QCOMPARE(data.columnPrompt(0), std::string("query: "));
        QCOMPARE(data.columnPrompt(1), std::string("passage: "));
        QCOMPARE(data.columnPrompt(2), std::string("passage: "));

        std::map<std::string, std::uint32_t> idOfText;
        std::set<std::string> prompted;
        for (std::size_t r = 0; r < rows.size(); ++r) {
            std::size_t longest = 0;
            for (std::size_t c = 0; c < 3; ++c) {
                const std::string text = data.columnPrompt(c) + rows[r][c];
                const Encoding expected = model.tokenizeForModel(text);
                QVERIFY2(sameEncoding(data.encoding(r, c), expected), text.c_str());
                longest = std::max(longest, expected.ids.size());
                prompted.insert(text);
                // Equal texts have equal ids whatever their column, different texts different ones.
                const auto [it, inserted] = idOfText.try_emplace(rows[r][c], data.textIds[r][c]);
                QCOMPARE(data.textIds[r][c], it->second);
            }
            QCOMPARE(data.lengths[r], longest);
        }
        std::set<std::uint32_t> distinctIds;
        for (const auto &[text, id] : idOfText)
            distinctIds.insert(id);
        QCOMPARE(distinctIds.size(), idOfText.size());
        QCOMPARE(data.encodings.size(), prompted.size()); // one per distinct prompted text
    }
};

QTEST_MAIN(TestTrainingData)
#include "tst_trainingdata.moc"
