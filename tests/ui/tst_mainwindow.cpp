#include "ui/mainwindow.h"

#include <QApplication>
#include <QDir>
#include <QLibrary>
#include <QMenuBar>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void opensWithTitleAndClosesCleanly()
    {
        auto *window = new pairtune::ui::MainWindow;
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QCOMPARE(window->windowTitle(), QStringLiteral("Pairtune"));
        QVERIFY(!window->menuBar()->actions().isEmpty());
        QVERIFY(window->close());
        delete window;
    }

    // The GUI binary links LibTorch (through the engine) next to Qt: it must start and quit without
    // the protobuf crash before main (PITFALLS.md §2).
    void guiBinaryStartsNextToLibTorch()
    {
        const QString binary = QStringLiteral(PAIRTUNE_GUI_PATH);
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("PAIRTUNE_QUIT_AFTER_MS"), QStringLiteral("300"));
        process.setProcessEnvironment(env);
        process.start(binary, {});
        QVERIFY2(process.waitForFinished(60000), "the GUI did not quit by itself");
        QCOMPARE(process.exitStatus(), QProcess::NormalExit);
        QCOMPARE(process.exitCode(), 0);
    }
};

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
