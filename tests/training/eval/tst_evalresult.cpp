#include "core/error.h"
#include "eval/evalresult.h"

#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

using namespace pairtune;

class TestEvalResult : public QObject
{
    Q_OBJECT

private slots:
    void keys()
    {
        for (const char *key : { "accuracy@1", "accuracy@3", "accuracy@10", "mrr@10", "ndcg@10", "map@100",
                 "mean_cos_pos", "mean_cos_neg", "spearman", "pearson", "eval_loss" })
            QVERIFY2(isEvalMetricKey(key), key);
        QVERIFY(!isEvalMetricKey("accuracy@2"));
        QVERIFY(higherIsBetter("mrr@10"));
        QVERIFY(higherIsBetter("mean_cos_pos"));
        QVERIFY(!higherIsBetter("eval_loss"));
        QVERIFY(!higherIsBetter("mean_cos_neg"));
    }

    void jsonRoundTrip()
    {
        EvalResult result;
        result.step = 1234567890123;
        result.epoch = 3;
        result.metrics
            = { { "accuracy@1", 0.625 }, { "mrr@10", 0.7123456789012345 }, { "eval_loss", 1.5e-7 } };
        const auto json = toJson(result);
        QCOMPARE(json["step"].get<std::int64_t>(), result.step);
        QCOMPARE(json["metrics"]["accuracy@1"].get<double>(), 0.625);
        const EvalResult back = evalResultFromJson(nlohmann::json::parse(json.dump()));
        QVERIFY(back == result);
    }

    void nanBecomesNullAndBack()
    {
        EvalResult result;
        result.metrics["spearman"] = std::numeric_limits<double>::quiet_NaN();
        result.metrics["pearson"] = 0.5;
        const auto json = toJson(result);
        QVERIFY(json["metrics"]["spearman"].is_null());
        const std::string text = json.dump();
        QVERIFY(text.find("NaN") == std::string::npos && text.find("nan") == std::string::npos);
        const EvalResult back = evalResultFromJson(nlohmann::json::parse(text));
        QVERIFY(std::isnan(back.metrics.at("spearman")));
        QCOMPARE(back.metrics.at("pearson"), 0.5);
    }

    void malformedJsonThrows()
    {
        using nlohmann::json;
        QVERIFY_THROWS_EXCEPTION(Error, evalResultFromJson(json::parse("[]")));
        QVERIFY_THROWS_EXCEPTION(Error, evalResultFromJson(json::parse(R"({"epoch": 1})")));
        QVERIFY_THROWS_EXCEPTION(Error, evalResultFromJson(json::parse(R"({"step": "1", "epoch": 1})")));
        QVERIFY_THROWS_EXCEPTION(
            Error, evalResultFromJson(json::parse(R"({"step": 1, "epoch": 1, "metrics": []})")));
        QVERIFY_THROWS_EXCEPTION(
            Error, evalResultFromJson(json::parse(R"({"step": 1, "epoch": 1, "metrics": {"a": "x"}})")));
        const EvalResult ok
            = evalResultFromJson(json::parse(R"({"step": 5, "epoch": 0, "metrics": {"new_metric": 2}})"));
        QCOMPARE(ok.metrics.at("new_metric"), 2.0);
    }
};

QTEST_GUILESS_MAIN(TestEvalResult)
#include "tst_evalresult.moc"
