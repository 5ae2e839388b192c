// pairtune: the desktop studio. Application identity, settings format, command line and the window.

#include "model/runtime.h"
#include "pairtune/version.h"
#include "ui/datapage.h"
#include "ui/mainwindow.h"
#include "ui/modelpage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QTimer>

int main(int argc, char **argv)
{
    pairtune::selectFastBlasKernels(argv); // may execute itself again with OPENBLAS_CORETYPE set
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Pairtune"));
    QApplication::setApplicationName(QStringLiteral("Pairtune"));
    QApplication::setApplicationVersion(QString::fromLatin1(pairtune::kVersion));
    QApplication::setDesktopFileName(QStringLiteral("org.pairtune.Pairtune"));
    QSettings::setDefaultFormat(QSettings::IniFormat);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Fine-tune sentence-embedding models on pairs of texts."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(
        QStringLiteral("files"), QStringLiteral("Pair files to start with."), QStringLiteral("[files...]"));
    const QCommandLineOption model(QStringLiteral("model"),
        QStringLiteral("A sentence-transformers folder to start from."), QStringLiteral("folder"));
    parser.addOption(model);
    parser.process(app);

    pairtune::ui::MainWindow window;
    if (!parser.positionalArguments().isEmpty())
        window.dataPage()->addFiles(parser.positionalArguments());
    if (parser.isSet(model))
        window.modelPage()->chooseFolder(parser.value(model));
    window.show();

    // For smoke tests and screenshot scripts: quit by itself after the given time.
    bool timed = false;
    const int quitAfterMs = qEnvironmentVariableIntValue("PAIRTUNE_QUIT_AFTER_MS", &timed);
    if (timed)
        QTimer::singleShot(quitAfterMs, &app, &QCoreApplication::quit);
    return QApplication::exec();
}
