// dist/gradientreducer.h (through gradientreducerprobe.h) on a real Gloo process group of 2 processes (this
// one and a fork of it, on 127.0.0.1, no torchrun): the bucketed all-reduce started from the gradient
// accumulators' hooks gives each rank the mean over the ranks of the gradients both ranks computed (checked
// against the gradients of both ranks' losses computed here), for DDP's bucket sizes, small buckets and one
// flat bucket, with backward run once or, as grad cache's second pass does, several times per step; buckets
// start during backward (the overlap) except where a parameter backward never reaches holds one back;
// a parameter no rank uses keeps no gradient.

#include "gradientreducerprobe.h"

#include <QtTest/QtTest>

#include <arpa/inet.h>
#include <cstdio>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace pairtune::testprobe;

namespace {

int freePort()
{
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address {};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof(address);
    const bool ok = bind(s, reinterpret_cast<sockaddr *>(&address), sizeof(address)) == 0
        && getsockname(s, reinterpret_cast<sockaddr *>(&address), &length) == 0;
    close(s);
    return ok ? ntohs(address.sin_port) : 0;
}

} // namespace

class TestGradientReducer : public QObject
{
    Q_OBJECT

private slots:
    void meanOfBothRanksGradients_data()
    {
        QTest::addColumn<qulonglong>("bucketBytes");
        QTest::addColumn<int>("passes");
        QTest::addColumn<int>("buckets");
        QTest::addColumn<int>("startedDuringBackward");
        QTest::newRow("DDP's 25 MiB: one bucket")
            << qulonglong(25u << 20) /* GradientReducer::kDefaultBucketBytes */ << 1 << 1 << 1;
        // Reverse order: [1.2 KB, 360 KB] then [0.4 KB (unused), 77 KB].
        QTest::newRow("4 KiB buckets") << qulonglong(4096) << 1 << 2 << 2;
        // Without the loss to trace, the unused parameter's bucket waits for finish().
        QTest::newRow("4 KiB buckets, 3 backward passes (grad cache)") << qulonglong(4096) << 3 << 2 << 1;
        QTest::newRow("0: one flat all-reduce after backward") << qulonglong(0) << 1 << 1 << 0;
    }

    void meanOfBothRanksGradients()
    {
        QFETCH(qulonglong, bucketBytes);
        QFETCH(int, passes);
        const int port = freePort();
        QVERIFY(port > 0);
        // The peer is a fork made before this process uses LibTorch (its thread pools do not survive
        // a fork); it reports through its exit status.
        const pid_t peer = fork();
        QVERIFY(peer >= 0);
        if (peer == 0) {
            const ReducerOutcome o = reduceAsRank(1, port, bucketBytes, passes);
            if (!o.error.empty())
                std::fprintf(stderr, "rank 1: %s\n", o.error.c_str());
            _exit(!o.error.empty() ? 1 : o.maxDifference < 1e-5 && o.unusedStayedUndefined ? 0 : 2);
        }
        const ReducerOutcome outcome = reduceAsRank(0, port, bucketBytes, passes);
        int status = 0;
        waitpid(peer, &status, 0);
        QVERIFY2(outcome.error.empty(), outcome.error.c_str());
        QVERIFY2(WIFEXITED(status) && WEXITSTATUS(status) == 0, "rank 1 saw other gradients (exit status)");
        qInfo("max |difference| %.3g, %zu buckets, %zu started during backward", outcome.maxDifference,
            outcome.buckets, outcome.startedDuringBackward);
        // Float rounding only (relative): the ranks' sums are taken in another order than here.
        QVERIFY2(outcome.maxDifference < 1e-5, qPrintable(QString::number(outcome.maxDifference)));
        QVERIFY(outcome.unusedStayedUndefined);
        QTEST(static_cast<int>(outcome.buckets), "buckets");
        QTEST(static_cast<int>(outcome.startedDuringBackward), "startedDuringBackward");
    }
};

QTEST_GUILESS_MAIN(TestGradientReducer)
#include "tst_gradientreducer.moc"
