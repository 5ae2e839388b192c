// The window itself: opening and closing, menus with shortcuts, the About text, remembered geometry,
// and the real GUI binary starting next to LibTorch.

#include "pairtune/version.h"
#include "studiofixture.h"
#include "ui/mainwindow.h"
#include "ui/preferences.h"

#include <QAction>
#include <QApplication>
#include <QMenu>
#include <QMenuBar>
#include <QProcess>
#include <QTest>

#include <cstdlib>

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { studiotest::isolateSettings(); }

    void opensWithTitleAndClosesCleanly()
    {
        auto *window = new pairtune::ui::MainWindow;
        window->show();
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QCOMPARE(window->windowTitle(), QStringLiteral("Pairtune"));
        QVERIFY(!window->windowIcon().isNull());
        QVERIFY(window->close());
        delete window;
    }

    void menusHaveShortcuts()
    {
        pairtune::ui::MainWindow window;
        QStringList titles;
        QList<QKeySequence> shortcuts;
        for (QAction *menu : window.menuBar()->actions()) {
            titles << menu->text();
            for (QAction *action : menu->menu()->actions())
                if (!action->shortcut().isEmpty())
                    shortcuts << action->shortcut();
        }
        QCOMPARE(titles,
            (QStringList { QStringLiteral("&File"), QStringLiteral("&Go"), QStringLiteral("&Training"),
                QStringLiteral("&Help") }));
        for (const QKeySequence &expected :
            { QKeySequence(Qt::CTRL | Qt::Key_O), QKeySequence(Qt::CTRL | Qt::Key_Q),
                QKeySequence(Qt::CTRL | Qt::Key_R), QKeySequence(Qt::CTRL | Qt::Key_1) })
            QVERIFY2(shortcuts.contains(expected), qPrintable(expected.toString()));
    }

    void aboutNamesTheVersions()
    {
        pairtune::ui::MainWindow window;
        const QString text = window.aboutText();
        QVERIFY(text.contains(QString::fromLatin1(pairtune::kVersion)));
        QVERIFY(text.contains(QString::fromLatin1(qVersion())));
        QVERIFY(text.contains(QStringLiteral("QCustomPlot")));
        QVERIFY(text.contains(QStringLiteral("Compute")));
    }

    void geometryIsRemembered()
    {
        {
            pairtune::ui::MainWindow window;
            window.show();
            QVERIFY(QTest::qWaitForWindowExposed(&window));
            window.resize(1010, 790);
            QTRY_COMPARE(window.size(), QSize(1010, 790));
            QVERIFY(window.close());
        }
        QVERIFY(!pairtune::ui::prefs::windowGeometry.get().isEmpty());
        pairtune::ui::MainWindow again;
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        // Within a few pixels: restoring adds the platform's frame arithmetic.
        QVERIFY2(std::abs(again.width() - 1010) <= 10 && std::abs(again.height() - 790) <= 10,
            qPrintable(QStringLiteral("%1x%2").arg(again.width()).arg(again.height())));
    }

    // The GUI binary links LibTorch (through the engine) next to Qt: it must start and quit without
    // the protobuf crash before main (docs/pitfalls.md §2).
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
