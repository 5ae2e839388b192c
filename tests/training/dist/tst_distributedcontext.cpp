// torchrun's variables read into DistributedContext (absent: one process, exactly as without torchrun;
// incomplete or malformed: an error naming the variable) and the slices of a global batch.

#include "core/error.h"
#include "dist/distributedcontext.h"
#include "dist/nodeaddress.h"

#include <QtTest/QtTest>

#include <algorithm>
#include <functional>

using pairtune::BatchSlice;
using pairtune::DistributedContext;

namespace {

const char *const kVariables[] = { "RANK", "WORLD_SIZE", "LOCAL_RANK", "LOCAL_WORLD_SIZE", "MASTER_ADDR",
    "MASTER_PORT", "PAIRTUNE_DIST_TIMEOUT", "PAIRTUNE_DIST_JOIN_TIMEOUT", "PAIRTUNE_DIST_BUCKET_MB",
    "PAIRTUNE_DIST_JOIN_ALONE" };

void clearVariables()
{
    for (const char *name : kVariables)
        qunsetenv(name);
}

void setTorchrunVariables(int rank, int worldSize)
{
    qputenv("RANK", QByteArray::number(rank));
    qputenv("WORLD_SIZE", QByteArray::number(worldSize));
    qputenv("LOCAL_RANK", QByteArray::number(rank));
    qputenv("LOCAL_WORLD_SIZE", QByteArray::number(worldSize));
    qputenv("MASTER_ADDR", "127.0.0.1");
    qputenv("MASTER_PORT", "29533");
}

QString errorOf(const std::function<void()> &call)
{
    try {
        call();
    } catch (const pairtune::Error &e) {
        return QString::fromStdString(e.what());
    }
    return {};
}

} // namespace

class TestDistributedContext : public QObject
{
    Q_OBJECT

private slots:
    void init() { clearVariables(); }
    void cleanupTestCase() { clearVariables(); }

    void withoutTorchrunIsOneProcess()
    {
        const DistributedContext context = DistributedContext::fromEnvironment();
        QVERIFY(!context.distributed());
        QVERIFY(context.isMain());
        QCOMPARE(context.rank, 0);
        QCOMPARE(context.worldSize, 1);
    }

    void readsTorchrunVariables()
    {
        setTorchrunVariables(1, 2);
        qputenv("PAIRTUNE_DIST_TIMEOUT", "90");
        const DistributedContext context = DistributedContext::fromEnvironment();
        QVERIFY(context.distributed());
        QVERIFY(!context.isMain());
        QCOMPARE(context.rank, 1);
        QCOMPARE(context.worldSize, 2);
        QCOMPARE(context.localRank, 1);
        QCOMPARE(context.localWorldSize, 2);
        QCOMPARE(QString::fromStdString(context.masterAddr), QStringLiteral("127.0.0.1"));
        QCOMPARE(context.masterPort, 29533);
        QCOMPARE(context.timeoutSeconds, 90);
        QCOMPARE(context.joinTimeoutSeconds, 60); // the default: a missing peer is refused in a minute
        qputenv("PAIRTUNE_DIST_JOIN_TIMEOUT", "7");
        QCOMPARE(DistributedContext::fromEnvironment().joinTimeoutSeconds, 7);
    }

    void timeoutsAreSetOnPurposeNotC10dsHalfHour()
    {
        setTorchrunVariables(0, 2);
        const DistributedContext context = DistributedContext::fromEnvironment();
        QCOMPARE(context.timeoutSeconds, 600);
        QCOMPARE(context.joinTimeoutSeconds, 60);
        qputenv("PAIRTUNE_DIST_JOIN_TIMEOUT", "0");
        QVERIFY(
            errorOf([] { DistributedContext::fromEnvironment(); }).contains("PAIRTUNE_DIST_JOIN_TIMEOUT"));
    }

    void oneProcessUnderTorchrunIsNotDistributed()
    {
        qputenv("WORLD_SIZE", "1");
        QVERIFY(!DistributedContext::fromEnvironment().distributed());
        // Unless asked to join a group of its own (bench/gpu/run.sh: NCCL on a machine with one GPU),
        // which needs torchrun's other variables as any distributed run does.
        setTorchrunVariables(0, 1);
        qputenv("PAIRTUNE_DIST_JOIN_ALONE", "1");
        const DistributedContext alone = DistributedContext::fromEnvironment();
        QVERIFY(alone.distributed());
        QCOMPARE(alone.worldSize, 1);
        QCOMPARE(alone.masterPort, 29533);
        qunsetenv("MASTER_ADDR");
        QVERIFY(errorOf([] { DistributedContext::fromEnvironment(); }).contains("MASTER_ADDR"));
    }

    void gradientBucketsAreDdpsUnlessSet()
    {
        setTorchrunVariables(1, 2);
        QCOMPARE(DistributedContext::fromEnvironment().bucketMegabytes, 25); // DDP's bucket_cap_mb
        qputenv("PAIRTUNE_DIST_BUCKET_MB", "0"); // one flat all-reduce after backward
        QCOMPARE(DistributedContext::fromEnvironment().bucketMegabytes, 0);
        qputenv("PAIRTUNE_DIST_BUCKET_MB", "-1");
        QVERIFY(
            errorOf([] { DistributedContext::fromEnvironment(); }).contains("PAIRTUNE_DIST_BUCKET_MB=-1"));
    }

    void missingOrBadVariablesAreNamed()
    {
        setTorchrunVariables(0, 2);
        qunsetenv("MASTER_PORT");
        QVERIFY(errorOf([] { DistributedContext::fromEnvironment(); }).contains("MASTER_PORT"));
        setTorchrunVariables(2, 2); // rank outside [0, WORLD_SIZE)
        QVERIFY(errorOf([] { DistributedContext::fromEnvironment(); }).contains("RANK=2"));
        setTorchrunVariables(0, 2);
        qputenv("MASTER_PORT", "29x");
        QVERIFY(errorOf([] { DistributedContext::fromEnvironment(); }).contains("MASTER_PORT=29x"));
    }

    // The slices of every rank, concatenated in rank order, are the global batch: contiguous, in order,
    // every row once, sizes differing by at most one (so B×N pairs give B each).
    void slicesTileTheGlobalBatch()
    {
        for (const std::size_t global : { 0, 1, 3, 31, 32, 33, 100 }) {
            for (const int ranks : { 1, 2, 3, 8 }) {
                std::size_t next = 0;
                std::size_t smallest = global, largest = 0;
                for (int r = 0; r < ranks; ++r) {
                    const BatchSlice slice = pairtune::batchSlice(global, r, ranks);
                    QCOMPARE(slice.begin, next);
                    next += slice.count;
                    smallest = std::min(smallest, slice.count);
                    largest = std::max(largest, slice.count);
                }
                QCOMPARE(next, global);
                QVERIFY(largest - smallest <= 1);
            }
        }
        QCOMPARE(pairtune::batchSlice(32, 1, 2).begin, std::size_t { 16 });
        QCOMPARE(pairtune::batchSlice(32, 1, 2).count, std::size_t { 16 });
    }

    // Which address Gloo binds (dist/nodeaddress.h): loopback only for a rendezvous on loopback, and a
    // run across nodes whose MASTER_ADDR is loopback here is named in the join error. The choice on a
    // real network is checked across network namespaces by bench/multinode_netns.sh.
    void loopbackRendezvousStaysOnLoopbackAndAcrossNodesIsNamed()
    {
        for (const char *loopback : { "localhost", "127.0.0.1", "127.0.1.1", "::1" }) {
            QVERIFY2(pairtune::resolvesToLoopback(loopback), loopback);
            QCOMPARE(QString::fromStdString(pairtune::glooBindAddress(loopback)), QString("127.0.0.1"));
        }
        for (const char *remote : { "10.19.0.1", "192.0.2.7" })
            QVERIFY2(!pairtune::resolvesToLoopback(remote), remote);
        QVERIFY(pairtune::masterAddressHint("127.0.0.1", 2, 2).empty()); // one node: loopback is right
        QVERIFY(pairtune::masterAddressHint("192.0.2.7", 4, 2).empty());
        const QString hint = QString::fromStdString(pairtune::masterAddressHint("localhost", 4, 2));
        QVERIFY2(hint.contains("MASTER_ADDR=localhost") && hint.contains("spans nodes"), qPrintable(hint));
    }
};

QTEST_GUILESS_MAIN(TestDistributedContext)
#include "tst_distributedcontext.moc"
