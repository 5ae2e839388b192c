#include "screenshotkit.h"

#include "studiofixture.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTest>
#include <QWidget>

#include <cstdio>

namespace screenshots {

void fail(const QString &message)
{
    std::fprintf(stderr, "%s: %s\n",
        qPrintable(QFileInfo(QCoreApplication::applicationFilePath()).fileName()), qPrintable(message));
}

std::optional<Options> setUp(QApplication &app)
{
    QApplication::setOrganizationName(QStringLiteral("Pairtune"));
    QApplication::setApplicationName(QStringLiteral("Pairtune screenshots"));
    studiotest::isolateSettings(); // never touch the user's own preferences

    QCommandLineParser parser;
    parser.addHelpOption();
    const QCommandLineOption out(
        QStringLiteral("out"), QStringLiteral("Folder for the PNG files."), QStringLiteral("folder"));
    const QCommandLineOption width(QStringLiteral("width"), QStringLiteral("Window width."),
        QStringLiteral("px"), QStringLiteral("1280"));
    const QCommandLineOption height(QStringLiteral("height"), QStringLiteral("Window height."),
        QStringLiteral("px"), QStringLiteral("860"));
    parser.addOptions({ out, width, height });
    parser.process(app);
    Options options { parser.value(out), parser.value(width).toInt(), parser.value(height).toInt() };
    if (options.out.isEmpty() || !QDir().mkpath(options.out)) {
        fail(QStringLiteral("give a writable --out folder"));
        return std::nullopt;
    }
    return options;
}

bool waitFor(const std::function<bool()> &condition, int ms, const char *what)
{
    if (QTest::qWaitFor(condition, ms))
        return true;
    fail(QStringLiteral("timed out waiting for %1").arg(QString::fromUtf8(what)));
    return false;
}

bool shoot(QWidget *window, const QString &folder, const QString &name)
{
    QTest::qWait(400); // let queued replots and layouts settle
    const QString path = QDir(folder).filePath(name + QStringLiteral(".png"));
    if (!window->grab().save(path)) {
        fail(QStringLiteral("cannot write %1").arg(path));
        return false;
    }
    std::printf("wrote %s\n", qPrintable(path));
    return true;
}

} // namespace screenshots
