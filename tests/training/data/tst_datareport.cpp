// The data report's numbers on a crafted file whose every count is known.
#include "core/error.h"
#include "data/datareport.h"
#include "data/pairdataset.h"

#include <QtTest>

using namespace pairtune;

namespace {

const std::string kSample = PAIRTUNE_TEST_DATA_DIR "/data/report-sample.tsv";

// A stand-in tokenizer: one token per whitespace-separated word plus [CLS] and [SEP].
std::size_t fakeTokens(std::string_view text)
{
    std::size_t words = 0;
    bool inWord = false;
    for (char c : text) {
        const bool space = c == ' ' || c == '\t';
        words += !space && !inWord;
        inWord = !space;
    }
    return words + 2;
}

bool anyContains(const std::vector<std::string> &lines, const QString &phrase)
{
    for (const std::string &line : lines) {
        if (QString::fromStdString(line).contains(phrase))
            return true;
    }
    return false;
}

} // namespace

class TestDataReport : public QObject
{
    Q_OBJECT

private slots:
    void countsOnCraftedFile();
    void lengthStatsWithTokens();
    void wordLengthsWithoutTokenizer();
    void trainEvalOverlap();
    void scoreHistogramOfDistinctValues();
    void scoreHistogramOfRanges();
    void scoreWarnings();
    void jsonAndText();
    void badSplitIndex();
};

void TestDataReport::countsOnCraftedFile()
{
    const PairDataset data = PairDataset::load(kSample);
    const DataReport report = buildReport(data, fakeTokens, 6);
    QCOMPARE(report.rows, std::size_t(8));
    QCOMPARE(report.emptyTexts, std::size_t(1));
    QCOMPARE(report.rowsWithEmptyText, std::size_t(1));
    QCOMPARE(report.identicalSides, std::size_t(1)); // "same text" vs "same text " (trailing space)
    QCOMPARE(report.duplicatePairs, std::size_t(1));
    QCOMPARE(report.repeatedAnchors, std::size_t(1));
    QCOMPARE(report.repeatedPositives, std::size_t(1));
    QCOMPARE(report.trainRows, std::size_t(0));
    QVERIFY(anyContains(report.warnings,
        "1 pair repeats an earlier pair: a duplicate in the same batch is a false "
        "negative for MultipleNegativesRankingLoss"));
    QVERIFY(anyContains(report.warnings, "1 text is empty or only whitespace (in 1 pair)"));
    QVERIFY(anyContains(report.warnings, "1 pair has the same text as anchor and positive"));
    QVERIFY(anyContains(report.warnings, "only 8 pairs"));
    QVERIFY(anyContains(report.warnings, "1 pair reuses an earlier anchor"));
}

void TestDataReport::lengthStatsWithTokens()
{
    const DataReport report = buildReport(PairDataset::load(kSample), fakeTokens, 6);
    QCOMPARE(QString::fromStdString(report.lengthUnit), QString("tokens"));
    // Anchors: 5 5 5 2 4 12 4 4 -> sorted 2 4 4 4 5 5 5 12.
    const auto &anchor = report.anchorTokens;
    QCOMPARE(anchor.count, std::size_t(8));
    QCOMPARE(anchor.mean, 41.0 / 8);
    QCOMPARE(anchor.p50, std::size_t(4));
    QCOMPARE(anchor.p90, std::size_t(12));
    QCOMPARE(anchor.p99, std::size_t(12));
    QCOMPARE(anchor.max, std::size_t(12));
    QCOMPARE(anchor.overLimit, std::size_t(1));
    QCOMPARE(anchor.overLimitShare, 0.125);
    // Positives: 6 6 5 5 4 3 5 4 -> sorted 3 4 4 5 5 5 6 6; none longer than 6.
    const auto &positive = report.positiveTokens;
    QCOMPARE(positive.mean, 38.0 / 8);
    QCOMPARE(positive.p50, std::size_t(5));
    QCOMPARE(positive.p90, std::size_t(6));
    QCOMPARE(positive.overLimit, std::size_t(0));
    QCOMPARE(report.negativeTokens.count, std::size_t(0));
    QVERIFY(anyContains(
        report.warnings, "12.5% of the anchor texts (1) are longer than max_seq_length (6 tokens)"));
    QVERIFY(!anyContains(report.warnings, "of the positive texts"));
}

void TestDataReport::wordLengthsWithoutTokenizer()
{
    const DataReport report = buildReport(PairDataset::load(kSample), {}, 6);
    QCOMPARE(QString::fromStdString(report.lengthUnit), QString("words"));
    QCOMPARE(report.anchorTokens.max, std::size_t(10));
    QCOMPARE(report.anchorTokens.p50, std::size_t(2));
    QCOMPARE(report.anchorTokens.overLimit, std::size_t(0)); // words are no measure of the token limit
    QVERIFY(!anyContains(report.warnings, "max_seq_length"));
}

void TestDataReport::trainEvalOverlap()
{
    const PairDataset data = PairDataset::load(kSample);
    const DataReport report = buildReport(data, fakeTokens, 6, { 0, 1, 2, 3, 4 }, { 5, 6, 7 });
    QCOMPARE(report.trainRows, std::size_t(5));
    QCOMPARE(report.evalRows, std::size_t(3));
    QCOMPARE(report.trainEvalSharedTexts, std::size_t(1)); // "a dog runs"
    QCOMPARE(report.evalRowsSeenInTraining, std::size_t(1));
    QVERIFY(anyContains(report.warnings, "1 text occurs in both the training and the evaluation split"));

    const DataReport disjoint = buildReport(data, fakeTokens, 6, { 0, 1, 2, 3, 4, 6 }, { 5, 7 });
    QCOMPARE(disjoint.trainEvalSharedTexts, std::size_t(0));
    QVERIFY(!anyContains(disjoint.warnings, "evaluation split"));

    // Shared texts count once however often they recur; both sides count.
    const DataReport swapped = buildReport(data, fakeTokens, 6, { 5, 6, 7 }, { 0, 1, 2 });
    QCOMPARE(swapped.trainEvalSharedTexts, std::size_t(1));
    QCOMPARE(swapped.evalRowsSeenInTraining, std::size_t(1)); // only row 2 has "a dog runs"
}

void TestDataReport::scoreHistogramOfDistinctValues()
{
    const DataReport report = buildReport(PairDataset::load(kSample), {}, 0);
    QVERIFY(report.hasScores);
    QCOMPARE(float(report.scoreMin), 0.1f);
    QCOMPARE(float(report.scoreMax), 1.0f);
    QCOMPARE(float(report.scoreMean), (0.9f + 0.9f + 0.1f + 0.5f + 1.0f + 0.3f + 0.2f + 0.7f) / 8);
    const std::vector<std::pair<float, std::size_t>> expected
        = { { 0.1f, 1 }, { 0.2f, 1 }, { 0.3f, 1 }, { 0.5f, 1 }, { 0.7f, 1 }, { 0.9f, 2 }, { 1.0f, 1 } };
    QCOMPARE(report.scoreHistogram.size(), expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        QCOMPARE(float(report.scoreHistogram[i].lower), expected[i].first);
        QCOMPARE(report.scoreHistogram[i].upper, report.scoreHistogram[i].lower);
        QCOMPARE(report.scoreHistogram[i].count, expected[i].second);
    }
}

void TestDataReport::scoreHistogramOfRanges()
{
    std::vector<PairRecord> records;
    for (int i = 0; i < 100; ++i)
        records.push_back({ "a" + std::to_string(i), "b" + std::to_string(i), {}, float(i / 99.0), 0, 0 });
    const DataReport report = buildReport(PairDataset::fromRecords(records), {}, 0);
    QCOMPARE(report.scoreHistogram.size(), std::size_t(10));
    for (std::size_t i = 0; i < 10; ++i) {
        QCOMPARE(report.scoreHistogram[i].count, std::size_t(10));
        QCOMPARE(report.scoreHistogram[i].lower, i * 0.1);
    }
    QCOMPARE(report.scoreHistogram.back().upper, 1.0);
    QVERIFY(report.warnings.empty()); // 100 clean pairs with sound scores
}

void TestDataReport::scoreWarnings()
{
    std::vector<PairRecord> records;
    for (int i = 0; i < 120; ++i)
        records.push_back({ "a" + std::to_string(i), "b" + std::to_string(i), {}, float(i % 6), 0, 0 });
    const DataReport rated = buildReport(PairDataset::fromRecords(records), {}, 0);
    QVERIFY(anyContains(rated.warnings, "scores range from 0 to 5"));
    QCOMPARE(rated.scoreHistogram.size(), std::size_t(6));
    QCOMPARE(rated.scoreHistogram[5].count, std::size_t(20));

    for (auto &record : records)
        record.score = 1.0f;
    const DataReport constant = buildReport(PairDataset::fromRecords(records), {}, 0);
    QVERIFY(anyContains(constant.warnings, "every score is 1"));
}

void TestDataReport::jsonAndText()
{
    const DataReport report
        = buildReport(PairDataset::load(kSample), fakeTokens, 6, { 0, 1, 2, 3, 4 }, { 5, 6, 7 });
    const nlohmann::json json = toJson(report);
    QCOMPARE(json.at("rows").get<int>(), 8);
    QCOMPARE(json.at("duplicate_pairs").get<int>(), 1);
    QCOMPARE(json.at("train_eval_shared_texts").get<int>(), 1);
    QCOMPARE(json.at("lengths").at("anchor").at("over_limit").get<int>(), 1);
    QCOMPARE(json.at("lengths").at("anchor").at("p90").get<int>(), 12);
    QCOMPARE(json.at("scores").at("histogram").size(), std::size_t(7));
    QCOMPARE(json.at("warnings").size(), report.warnings.size());

    const QString text = QString::fromStdString(formatReport(report));
    QVERIFY2(text.contains("Pairs:                          8\n"), qPrintable(text));
    QVERIFY2(text.contains("Lengths in tokens (max_seq_length 6):"), qPrintable(text));
    QVERIFY2(text.contains("1 (12.5%)"), qPrintable(text));
    QVERIFY2(text.contains("Split: 5 train / 3 eval pairs; 1 texts in both"), qPrintable(text));
    QVERIFY2(text.contains("Warnings:\n  - "), qPrintable(text));

    PairDataset plain = PairDataset::fromRecords({ { "a", "b", {}, std::nullopt, 0, 0 } });
    QVERIFY(toJson(buildReport(plain, {}, 0)).at("scores").is_null());
    QVERIFY(formatReport(buildReport(plain, {}, 0)).find("Scores: none") != std::string::npos);
}

void TestDataReport::badSplitIndex()
{
    const PairDataset data = PairDataset::load(kSample);
    QVERIFY_THROWS_EXCEPTION(Error, buildReport(data, {}, 0, { 0 }, { 8 }));
}

QTEST_GUILESS_MAIN(TestDataReport)
#include "tst_datareport.moc"
