// dist/gradientreducer.h (through gradientreducerprobe.h) on a real Gloo process group of 2 processes (two
// forks of this one, on 127.0.0.1, no torchrun): the bucketed all-reduce started from the gradient
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

// Runs rank `rank` in a fork and returns its pid; rank 0's outcome comes back through `pipeFds`, rank 1
// reports through its exit status. Both ranks are forks: this process never uses LibTorch, whose thread
// pools a fork does not carry over (LibTorch 2.6's child hung in the second row when the parent had
// trained the first).
pid_t runRank(int rank, int port, qulonglong bucketBytes, int passes, const int pipeFds[2])
{
    const pid_t pid = fork();
    if (pid != 0)
        return pid;
    close(pipeFds[0]);
    const ReducerOutcome o = reduceAsRank(rank, port, bucketBytes, passes);
    if (!o.error.empty())
        std::fprintf(stderr, "rank %d: %s\n", rank, o.error.c_str());
    if (rank == 0) {
        const std::string line = QString("%1 %2 %3 %4 %5")
                                     .arg(o.maxDifference, 0, 'g', 17)
                                     .arg(o.buckets)
                                     .arg(o.startedDuringBackward)
                                     .arg(o.unusedStayedUndefined ? 1 : 0)
                                     .arg(QString::fromStdString(o.error))
                                     .toStdString();
        const bool written = write(pipeFds[1], line.data(), line.size()) == static_cast<ssize_t>(line.size());
        _exit(written ? 0 : 3);
    }
    _exit(!o.error.empty() ? 1 : o.maxDifference < 1e-5 && o.unusedStayedUndefined ? 0 : 2);
}

// Rank 0's outcome as runRank wrote it (error set when nothing or garbage came back).
ReducerOutcome readOutcome(int fd)
{
    QByteArray text;
    char buffer[4096];
    for (ssize_t n; (n = read(fd, buffer, sizeof(buffer))) > 0;)
        text.append(buffer, n);
    const QStringList fields = QString::fromUtf8(text).split(' ');
    ReducerOutcome o;
    if (fields.size() < 5) {
        o.error = "rank 0 reported nothing";
        return o;
    }
    o.maxDifference = fields[0].toDouble();
    o.buckets = fields[1].toULongLong();
    o.startedDuringBackward = fields[2].toULongLong();
    o.unusedStayedUndefined = fields[3] == "1";
    o.error = fields.mid(4).join(' ').toStdString();
    return o;
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
        int pipeFds[2];
        QVERIFY(pipe(pipeFds) == 0);
        const pid_t rank0 = runRank(0, port, bucketBytes, passes, pipeFds);
        const pid_t rank1 = runRank(1, port, bucketBytes, passes, pipeFds);
        close(pipeFds[1]);
        QVERIFY(rank0 > 0 && rank1 > 0);
        const ReducerOutcome outcome = readOutcome(pipeFds[0]);
        close(pipeFds[0]);
        int status0 = 0;
        int status1 = 0;
        waitpid(rank0, &status0, 0);
        waitpid(rank1, &status1, 0);
        QVERIFY2(outcome.error.empty(), outcome.error.c_str());
        QVERIFY2(WIFEXITED(status0) && WEXITSTATUS(status0) == 0, "rank 0 did not report (exit status)");
        QVERIFY2(WIFEXITED(status1) && WEXITSTATUS(status1) == 0, "rank 1 saw other gradients (exit status)");
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
