// Cached MNRL under Debian's torchrun (2 processes on 127.0.0.1, training/train/gradcache.h): each process
// splits its slice of the global batch into mini-batches and the leaf embeddings are all-gathered as in
// the plain step, so 2 processes × 6 pairs with --grad-cache --mini-batch-size 4 end where one process
// with a plain batch of 12 ends (dropout off, 3 steps at lr 1e-3). Skips without python3-torch.

#include "../dist/torchruntest.h"
#include "trainingclihelpers.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace traintest;

class TestGradCacheDist : public QObject
{
    Q_OBJECT

private slots:
    void twoProcessesMatchOneProcess();
};

void TestGradCacheDist::twoProcessesMatchOneProcess()
{
    const QString missing = pairtune::testrun::torchrunMissing();
    if (!missing.isEmpty())
        QSKIP(qPrintable(missing));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString model = dir.filePath("model");
    const CliResult created = createModel(model);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    const QString data = pairtune::testrun::writePairs(dir.filePath("pairs.tsv"), 48);
    QVERIFY(!data.isEmpty());
    const QStringList recipe { "train", "--data", data, "--base", model, "--max-steps", "3", "--no-dropout",
        "--fp32", "--threads", "1", "--lr", "1e-3", "--warmup-steps", "0", "--eval-sample", "1", "--quiet" };

    const CliResult one = runCli(recipe + QStringList { "--out", dir.filePath("one"), "--batch-size", "12" });
    QVERIFY2(one.exitCode == 0, qPrintable(one.describe()));
    const pairtune::testrun::RunResult two = pairtune::testrun::torchrun(cliPath(),
        recipe
            + QStringList { "--out", dir.filePath("two"), "--batch-size", "6", "--grad-cache",
                "--mini-batch-size", "4" });
    QVERIFY2(two.code == 0, qPrintable(QString::fromUtf8(two.err.right(3000))));

    const double moved
        = maxWeightDifference(model + "/model.safetensors", dir.filePath("one/model/model.safetensors"));
    QVERIFY2(moved > 1e-4, qPrintable(QString("the weights barely moved: %1").arg(moved)));
    const double difference = maxWeightDifference(
        dir.filePath("one/model/model.safetensors"), dir.filePath("two/model/model.safetensors"));
    QVERIFY2(difference <= 2e-5,
        qPrintable(QString("2 processes with grad cache vs 1 plain: %1").arg(difference)));
}

QTEST_GUILESS_MAIN(TestGradCacheDist)
#include "tst_gradcache_dist.moc"
