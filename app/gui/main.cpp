// pairtune: the desktop studio. Application identity, settings format and the main window.

#include "ui/mainwindow.h"

#include "pairtune/version.h"

#include <QApplication>
#include <QSettings>
#include <QTimer>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Pairtune"));
    QApplication::setApplicationName(QStringLiteral("Pairtune"));
    QApplication::setApplicationVersion(QString::fromLatin1(pairtune::kVersion));
    QApplication::setDesktopFileName(QStringLiteral("pairtune"));
    QSettings::setDefaultFormat(QSettings::IniFormat);

    pairtune::ui::MainWindow window;
    window.show();

    // For smoke tests and screenshot scripts: quit by itself after the given time.
    bool timed = false;
    const int quitAfterMs = qEnvironmentVariableIntValue("PAIRTUNE_QUIT_AFTER_MS", &timed);
    if (timed)
        QTimer::singleShot(quitAfterMs, &app, &QCoreApplication::quit);
    return QApplication::exec();
}
