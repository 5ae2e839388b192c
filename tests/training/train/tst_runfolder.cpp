// RunFolder's checkpoint bookkeeping: pruning and crash recovery never leave a folder that a resume
// would take for a complete checkpoint.
#include "train/runfolder.h"

#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using pairtune::RunFolder;

class TestRunFolder : public QObject
{
    Q_OBJECT

private slots:
    void pruneKeepsTheNewest();
    void halfDeletedCheckpointIsIgnoredAndCleared();
    void pruneLeavesNoHiddenLeftovers();

private:
    static void writeCheckpoint(const RunFolder &run, std::int64_t step);
    static std::vector<std::string> hiddenEntries(const std::string &dir);
};

void TestRunFolder::writeCheckpoint(const RunFolder &run, std::int64_t step)
{
    const fs::path dir = run.checkpointPath(step);
    fs::create_directories(dir / "model");
    std::ofstream(dir / "optimizer.safetensors") << "weights";
    std::ofstream(dir / "model" / "modules.json") << "[]";
    std::ofstream(dir / "trainer_state.json") << "{\"step\":" << step << "}";
}

std::vector<std::string> TestRunFolder::hiddenEntries(const std::string &dir)
{
    std::vector<std::string> names;
    for (const auto &entry : fs::directory_iterator(dir))
        if (entry.path().filename().string().front() == '.')
            names.push_back(entry.path().filename().string());
    return names;
}

void TestRunFolder::pruneKeepsTheNewest()
{
    QTemporaryDir tmp;
    const RunFolder run = RunFolder::create(tmp.filePath("run").toStdString());
    for (const std::int64_t step : { 3, 6, 9, 12 })
        writeCheckpoint(run, step);
    run.pruneCheckpoints(2);
    QCOMPARE(run.checkpointSteps(), (std::vector<std::int64_t> { 9, 12 }));
    QVERIFY(!fs::exists(run.checkpointPath(3)));
    QVERIFY(!fs::exists(run.checkpointPath(6)));
    QVERIFY(fs::exists(fs::path(run.checkpointPath(12)) / "optimizer.safetensors"));
    run.pruneCheckpoints(0); // 0 keeps everything
    QCOMPARE(run.checkpointSteps().size(), std::size_t(2));
}

// What a kill in the middle of pruning leaves: the checkpoint already moved to its hidden name and
// partly deleted, trainer_state.json still there. It must not count as a checkpoint, and a resume's
// recovery removes it.
void TestRunFolder::halfDeletedCheckpointIsIgnoredAndCleared()
{
    QTemporaryDir tmp;
    const RunFolder run = RunFolder::create(tmp.filePath("run").toStdString());
    writeCheckpoint(run, 3);
    const fs::path halfDeleted = fs::path(run.checkpointsPath()) / ".step-6.deleting-0123456789ab";
    fs::create_directories(halfDeleted);
    std::ofstream(halfDeleted / "trainer_state.json") << "{\"step\":6}";
    QCOMPARE(run.checkpointSteps(), (std::vector<std::int64_t> { 3 }));
    QCOMPARE(run.latestCheckpoint().value_or(-1), std::int64_t(3));
    run.recoverAfterCrash();
    QVERIFY(!fs::exists(halfDeleted));
    QVERIFY(fs::exists(fs::path(run.checkpointPath(3)) / "trainer_state.json"));
}

void TestRunFolder::pruneLeavesNoHiddenLeftovers()
{
    QTemporaryDir tmp;
    const RunFolder run = RunFolder::create(tmp.filePath("run").toStdString());
    for (const std::int64_t step : { 1, 2, 3 })
        writeCheckpoint(run, step);
    run.pruneCheckpoints(1);
    QCOMPARE(run.checkpointSteps(), (std::vector<std::int64_t> { 3 }));
    QVERIFY(hiddenEntries(run.checkpointsPath()).empty());
}

QTEST_APPLESS_MAIN(TestRunFolder)
#include "tst_runfolder.moc"
