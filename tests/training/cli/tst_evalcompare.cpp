// `pairtune-cli eval --compare BASE TUNED --data FILE` (issue 21) end to end: the built-in model against a
// short fine-tune of it on its held-out pairs. Its before/after metrics must equal what `eval --model`
// reports for each model alone (evaluate(): a different code path to the same ranking), identical models
// must give exactly [0, 0] and "No clear change", and every listed rank change must be real.

#include "../builtin/builtinpaths.h"

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

#include <cmath>

using namespace builtin;

namespace {

QJsonObject runJson(const QStringList &args, QString *failure)
{
    const RunResult result = run(cli(), args, 600000);
    if (result.code != 0) {
        *failure = result.describe(cli(), args);
        return {};
    }
    return jsonOutput(result);
}

// A rank from the JSON: null (beyond the search depth) counts as depth + 1.
int rankOf(const QJsonValue &value, int depth)
{
    return value.isNull() ? depth + 1 : value.toInt();
}

} // namespace

class TestEvalCompare : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // 500 demo pairs: 400 to train on, 100 held out (the recipe's 80/20 split).
        QFile demo(demoData());
        QVERIFY(demo.open(QIODevice::ReadOnly));
        QByteArray head;
        for (int line = 0; line < 501 && !demo.atEnd(); ++line)
            head += demo.readLine();
        m_pairs = m_dir.filePath("pairs.tsv");
        QFile pairs(m_pairs);
        QVERIFY(pairs.open(QIODevice::WriteOnly) && pairs.write(head) == head.size());
        pairs.close();
        m_run = m_dir.filePath("run");
        const QStringList args { "train", "--data", m_pairs, "--base", "builtin", "--out", m_run,
            "--max-steps", "40", "--lr", "3e-4", "--warmup-steps", "5", "--similarity", "cos", "--scale",
            "20", "--quiet", "--threads", "2" };
        const RunResult trained = run(cli(), args, 600000);
        QVERIFY2(trained.code == 0, qPrintable(trained.describe(cli(), args)));
        m_heldOut = m_run + "/eval-pairs.tsv";
        QVERIFY(QFile::exists(m_heldOut));
    }

    void beforeAndAfterEqualEachModelsEvaluation()
    {
        QString failure;
        const QJsonObject verdict = runJson({ "eval", "--compare", "builtin", m_run + "/model", "--data",
                                                m_heldOut, "--json", "--ranks", ranksPath() },
            &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        const QJsonObject base
            = runJson({ "eval", "--model", "builtin", "--data", m_heldOut, "--json" }, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        const QJsonObject tuned
            = runJson({ "eval", "--model", m_run + "/model", "--data", m_heldOut, "--json" }, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));

        QCOMPARE(verdict.value("pairs").toInt(), base.value("pairs").toInt());
        const QJsonObject metrics = verdict.value("metrics").toObject();
        QCOMPARE(metrics.keys(), (QStringList { "mrr@10", "ndcg@10", "recall@1", "recall@10", "recall@5" }));
        for (const QString &name : metrics.keys()) {
            const QJsonObject m = metrics.value(name).toObject();
            const double before = base.value("metrics").toObject().value(name).toDouble(-1.0);
            const double after = tuned.value("metrics").toObject().value(name).toDouble(-1.0);
            QVERIFY2(std::abs(m.value("before").toDouble() - before) < 1e-6, qPrintable(name));
            QVERIFY2(std::abs(m.value("after").toDouble() - after) < 1e-6, qPrintable(name));
            // The verdict follows the interval, whatever the point estimate says.
            const double low = m.value("low").toDouble(), high = m.value("high").toDouble();
            QVERIFY(low <= high);
            const QString expected = low > 0 ? "Better" : high < 0 ? "Worse" : "No clear change";
            QCOMPARE(m.value("verdict").toString(), expected);
        }
        QCOMPARE(verdict.value("verdict").toString(),
            metrics.value(verdict.value("headline").toString()).toObject().value("verdict").toString());
        qInfo("mrr@10 %.4f -> %.4f, 95 %% interval of the difference [%+.4f, %+.4f]: %s",
            metrics.value("mrr@10").toObject().value("before").toDouble(),
            metrics.value("mrr@10").toObject().value("after").toDouble(),
            metrics.value("mrr@10").toObject().value("low").toDouble(),
            metrics.value("mrr@10").toObject().value("high").toDouble(),
            qPrintable(verdict.value("verdict").toString()));

        // Every listed change is a real move of that pair's positive, gains up and losses down.
        QFile file(m_heldOut);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = file.readAll().split('\n'); // line 0 is the header
        const int depth = verdict.value("depth").toInt();
        QCOMPARE(depth, 100);
        int listed = 0;
        for (const QString &list : { QStringLiteral("gains"), QStringLiteral("losses") }) {
            for (const QJsonValue &value : verdict.value(list).toArray()) {
                const QJsonObject change = value.toObject();
                const int pair = change.value("pair").toInt();
                const QList<QByteArray> columns = lines.value(pair + 1).split('\t');
                QCOMPARE(change.value("query").toString(), QString::fromUtf8(columns.value(0)));
                QCOMPARE(change.value("positive").toString(), QString::fromUtf8(columns.value(1).trimmed()));
                const int before = rankOf(change.value("rank_before"), depth);
                const int after = rankOf(change.value("rank_after"), depth);
                QVERIFY(list == "gains" ? after < before : after > before);
                // A loss is outranked after tuning, and by another text.
                if (list == "losses") {
                    QVERIFY(change.value("outranked_by_after").isString());
                    QVERIFY(
                        change.value("outranked_by_after").toString() != change.value("positive").toString());
                }
                ++listed;
            }
        }
        QVERIFY2(listed > 0, "a fine-tune at lr 3e-4 moves some held-out positives");

        // --ranks: every pair's ranks; the listed changes and mrr@10 follow from them.
        QFile ranksFile(ranksPath());
        QVERIFY(ranksFile.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = ranksFile.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), verdict.value("pairs").toInt() + 1);
        QCOMPARE(rows.front(), QByteArray("pair\trank_before\trank_after"));
        double mrrBefore = 0.0, mrrAfter = 0.0;
        std::vector<std::pair<int, int>> ranks;
        for (int i = 1; i < rows.size(); ++i) {
            const QList<QByteArray> cells = rows[i].split('\t');
            QCOMPARE(cells.size(), 3);
            QCOMPARE(cells[0].toInt(), i - 1);
            const int before = cells[1].isEmpty() ? depth + 1 : cells[1].toInt();
            const int after = cells[2].isEmpty() ? depth + 1 : cells[2].toInt();
            mrrBefore += before <= 10 ? 1.0 / before : 0.0;
            mrrAfter += after <= 10 ? 1.0 / after : 0.0;
            ranks.emplace_back(before, after);
        }
        const QJsonObject mrr = metrics.value("mrr@10").toObject();
        QVERIFY(std::abs(mrrBefore / ranks.size() - mrr.value("before").toDouble()) < 1e-9);
        QVERIFY(std::abs(mrrAfter / ranks.size() - mrr.value("after").toDouble()) < 1e-9);
        for (const QString &list : { QStringLiteral("gains"), QStringLiteral("losses") })
            for (const QJsonValue &value : verdict.value(list).toArray()) {
                const QJsonObject change = value.toObject();
                const auto &[before, after] = ranks.at(change.value("pair").toInt());
                QCOMPARE(before, rankOf(change.value("rank_before"), depth));
                QCOMPARE(after, rankOf(change.value("rank_after"), depth));
            }
    }

    void identicalModelsGiveNoClearChange()
    {
        QString failure;
        const QJsonObject verdict = runJson(
            { "eval", "--compare", "builtin", modelFolder(), "--data", m_heldOut, "--json" }, &failure);
        QVERIFY2(failure.isEmpty(), qPrintable(failure));
        QCOMPARE(verdict.value("verdict").toString(), QStringLiteral("No clear change"));
        for (const QJsonValue &value : verdict.value("metrics").toObject()) {
            QCOMPARE(value.toObject().value("low").toDouble(-1.0), 0.0);
            QCOMPARE(value.toObject().value("high").toDouble(-1.0), 0.0);
        }
        QVERIFY(verdict.value("gains").toArray().isEmpty());
        QVERIFY(verdict.value("losses").toArray().isEmpty());
    }

    void seedFixesTheIntervals()
    {
        const QStringList args { "eval", "--compare", "builtin", m_run + "/model", "--data", m_heldOut,
            "--json", "--resamples", "400" };
        const RunResult first = run(cli(), args + QStringList { "--seed", "7" });
        const RunResult again = run(cli(), args + QStringList { "--seed", "7" });
        const RunResult other = run(cli(), args + QStringList { "--seed", "8" });
        QVERIFY2(first.code == 0, qPrintable(first.describe(cli(), args)));
        QCOMPARE(again.out, first.out);
        QVERIFY(other.out != first.out);
        QCOMPARE(jsonOutput(first).value("resamples").toInt(), 400);
    }

    void tableNamesTheVerdictAndTheMoves()
    {
        const QStringList args { "eval", "--compare", "builtin", m_run + "/model", "--data", m_heldOut,
            "--top", "3" };
        const RunResult table = run(cli(), args);
        QVERIFY2(table.code == 0, qPrintable(table.describe(cli(), args)));
        const QString text = QString::fromUtf8(table.out);
        qInfo("%s", qPrintable(text));
        QVERIFY(text.startsWith("Verdict: "));
        for (const char *expected :
            { "metric", "mrr@10", "ndcg@10", "recall@1", "95 % interval", "Biggest gains", "Biggest losses" })
            QVERIFY2(text.contains(QLatin1String(expected)), expected);

        // The model card's section carries the same numbers as the JSON.
        const RunResult markdown = run(cli(), args + QStringList { "--markdown" });
        QVERIFY2(markdown.code == 0, qPrintable(markdown.describe(cli(), args)));
        const RunResult json = run(cli(), args + QStringList { "--json" });
        QVERIFY2(json.code == 0, qPrintable(json.describe(cli(), args)));
        const QJsonObject mrr = jsonOutput(json).value("metrics").toObject().value("mrr@10").toObject();
        const QString card = QString::fromUtf8(markdown.out);
        QVERIFY(card.startsWith("## Evaluation: did fine-tuning help?"));
        QVERIFY(card.contains("**Verdict: " + jsonOutput(json).value("verdict").toString() + "**"));
        const QString row = QStringLiteral("| mrr@10 | %1 | %2 |")
                                .arg(mrr.value("before").toDouble(), 0, 'f', 4)
                                .arg(mrr.value("after").toDouble(), 0, 'f', 4);
        QVERIFY2(card.contains(row), qPrintable(row + "\n" + card));
    }

    void modelOrCompareIsRequired()
    {
        const RunResult neither = run(cli(), { "eval", "--data", m_heldOut });
        QCOMPARE(neither.code, 2);
        const RunResult both = run(
            cli(), { "eval", "--model", "builtin", "--compare", "builtin", "builtin", "--data", m_heldOut });
        QCOMPARE(both.code, 2);
        const RunResult one = run(cli(), { "eval", "--compare", "builtin", "--data", m_heldOut });
        QCOMPARE(one.code, 2);
    }

private:
    QString ranksPath() const { return m_dir.filePath("ranks.tsv"); }

    QTemporaryDir m_dir;
    QString m_pairs;
    QString m_run;
    QString m_heldOut;
};

QTEST_GUILESS_MAIN(TestEvalCompare)
#include "tst_evalcompare.moc"
