// Issue 5's acceptance check, as the README's first command runs it: fine-tuning the built-in model on
// the demo pairs (synsets it never saw) improves held-out MRR@10 by at least 20 % relative, and the run
// exports a model folder. Trains for a minute or two: label slow.

#include "builtinpaths.h"

#include <QtCore/QFileInfo>
#include <QtCore/QTemporaryDir>
#include <QtTest/QtTest>

using namespace builtin;

class TestBuiltinFinetune : public QObject
{
    Q_OBJECT

private slots:
    void demoFineTuneImprovesHeldOutMrr()
    {
        QVERIFY(QFileInfo(modelFolder()).isDir());
        QTemporaryDir scratch;
        QVERIFY(scratch.isValid());
        const QString runFolder = scratch.filePath("run");
        // The demo settings of scripts/build_builtin_model.sh (DEMO_FLAGS) and the README.
        const QStringList args = QStringList {
            "train", "--data", demoData(), "--base", "builtin", "--out", runFolder, "--quiet", "--json"
        } + demoFlags().split(QLatin1Char(' '), Qt::SkipEmptyParts);
        const RunResult train = run(cli(), args, 1800000);
        QVERIFY2(train.code == 0, qPrintable(train.describe(cli(), args)));
        const QJsonObject summary = jsonOutput(train);
        const double before = summary.value("eval_before").toObject().value("mrr@10").toDouble();
        const double after = summary.value("eval_after").toObject().value("mrr@10").toDouble();
        qInfo("held-out MRR@10 %.4f -> %.4f (%+.1f %%) in %.0f s of training", before, after,
            100.0 * (after / before - 1.0), summary.value("train_seconds").toDouble());
        QVERIFY(before > 0.0);
        QVERIFY2(after >= 1.2 * before, qPrintable(QStringLiteral("MRR@10 %1 -> %2").arg(before).arg(after)));
        QVERIFY(QFileInfo::exists(runFolder + "/model/modules.json"));
    }

private:
    static QString demoFlags() { return QStringLiteral(BUILTIN_DEMO_FLAGS); }
};

QTEST_GUILESS_MAIN(TestBuiltinFinetune)
#include "tst_builtin_finetune.moc"
