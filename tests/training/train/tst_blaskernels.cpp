// `pairtune-cli train` picks OpenBLAS kernels that match the CPU (selectFastBlasKernels: Debian 12's
// OpenBLAS falls back to SSE3 "Prescott" kernels on CPUs newer than it knows, so the CLI sets
// OPENBLAS_CORETYPE and executes itself again), and leaves a user's own OPENBLAS_CORETYPE alone.
// The run's config.json records the kernels in its compute line.
#include "trainingclihelpers.h"

#include <QFile>
#include <QProcessEnvironment>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace traintest;

class TestBlasKernels : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase();
    void kernelsMatchTheCpu();
    void userChoiceIsKept();

private:
    // Trains one step with `coreType` in the environment (empty: unset); returns the compute line.
    QString computeLineOfRun(const QString &coreType);

    QTemporaryDir m_dir;
    QString m_model;
    QString m_data;
    int m_runs = 0;
};

namespace {

// OpenBLAS 0.3.21's core names whose sgemm kernels use SSE only.
const QStringList kSseCores { "prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai",
    "coppermine", "northwood", "banias", "opteron", "barcelona", "bobcat" };

} // namespace

void TestBlasKernels::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_model = m_dir.filePath("model");
    const CliResult created = createModel(m_model);
    QVERIFY2(created.exitCode == 0, qPrintable(created.describe()));
    m_data = writePairs(m_dir.filePath("data"), "pairs.tsv", 40, 5);
    QVERIFY(!m_data.isEmpty());
}

QString TestBlasKernels::computeLineOfRun(const QString &coreType)
{
    const QString run = m_dir.filePath(QString("run-%1").arg(++m_runs));
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove("OPENBLAS_CORETYPE");
    if (!coreType.isEmpty())
        environment.insert("OPENBLAS_CORETYPE", coreType);
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(cliPath(),
        { "train", "--data", m_data, "--base", m_model, "--out", run, "--max-steps", "1", "--batch-size", "8",
            "--checkpoint-every", "0", "--quiet" });
    const CliResult result = finishCli(process);
    if (result.exitCode != 0) {
        qWarning("%s", qPrintable(result.describe()));
        return {};
    }
    return readJsonObject(run + "/config.json").value("compute").toString();
}

void TestBlasKernels::kernelsMatchTheCpu()
{
    const QString compute = computeLineOfRun(QString());
    QVERIFY2(!compute.isEmpty(), "the run failed or config.json has no compute line");
    if (!compute.contains("OpenBLAS"))
        QSKIP(qPrintable("not OpenBLAS: " + compute));
    const QRegularExpressionMatch kernels = QRegularExpression(R"(, (\w+) kernels)").match(compute);
    QVERIFY2(kernels.hasMatch(), qPrintable(compute));
    const QString core = kernels.captured(1).toLower();
    const QSet<QString> flags = cpuFlags();
    if (!flags.contains("avx2") || !flags.contains("fma"))
        QSKIP("this CPU has no AVX2 + FMA: SSE kernels are right for it");
    QVERIFY2(!kSseCores.contains(core), qPrintable("SSE kernels on an AVX2 CPU: " + compute));
    const bool avx512 = flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl")
        && flags.contains("avx512dq");
    if (avx512) // OpenBLAS's AVX2-only cores would waste half of each vector
        QVERIFY2(core != "haswell" && core != "zen" && core != "sandybridge", qPrintable(compute));
}

void TestBlasKernels::userChoiceIsKept()
{
    const QString compute = computeLineOfRun("Prescott");
    QVERIFY2(!compute.isEmpty(), "the run failed or config.json has no compute line");
    if (!compute.contains("OpenBLAS"))
        QSKIP(qPrintable("not OpenBLAS: " + compute));
    QVERIFY2(compute.contains("Prescott kernels"), qPrintable(compute));
}

QTEST_GUILESS_MAIN(TestBlasKernels)
#include "tst_blaskernels.moc"
