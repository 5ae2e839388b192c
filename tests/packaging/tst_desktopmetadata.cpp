// The files a desktop uses to list, launch and show Pairtune: packaging/<id>.desktop,
// packaging/<id>.metainfo.xml and resources/icons/<icon>.svg. They must pass the validators that
// distributions run (desktop-file-validate, appstreamcli validate) and agree with each other and with
// the program: a wrong id or icon name validates fine but leaves the studio without an icon or menu entry.

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QStandardPaths>
#include <QTest>
#include <QXmlStreamReader>

namespace {

const QString kAppId = QStringLiteral("org.pairtune.Pairtune");

QString sourcePath(const QString &relative)
{
    return QDir(QStringLiteral(PAIRTUNE_SOURCE_DIR)).filePath(relative);
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

// Key=value pairs of the [Desktop Entry] group.
QMap<QString, QString> desktopEntry(const QString &path)
{
    QMap<QString, QString> entries;
    bool inGroup = false;
    for (const QByteArray &rawLine : readAll(path).split('\n')) {
        const QString line = QString::fromUtf8(rawLine).trimmed();
        if (line.startsWith(QLatin1Char('[')))
            inGroup = line == QStringLiteral("[Desktop Entry]");
        else if (inGroup && line.contains(QLatin1Char('=')) && !line.startsWith(QLatin1Char('#')))
            entries.insert(line.section(QLatin1Char('='), 0, 0), line.section(QLatin1Char('='), 1));
    }
    return entries;
}

struct ToolResult
{
    int exitCode = -1;
    QString output;
};

ToolResult runTool(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(program, arguments);
    ToolResult result;
    if (!process.waitForFinished(30000)) {
        result.output = QStringLiteral("did not finish: ") + process.errorString();
        return result;
    }
    result.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    result.output = QString::fromUtf8(process.readAll());
    return result;
}

} // namespace

class TestDesktopMetadata : public QObject
{
    Q_OBJECT

private slots:
    void desktopFileValidates()
    {
        const QString tool = QStandardPaths::findExecutable(QStringLiteral("desktop-file-validate"));
        if (tool.isEmpty())
            QSKIP("desktop-file-validate is not installed (Debian package desktop-file-utils; "
                  "scripts/setup.sh)");
        const ToolResult result
            = runTool(tool, { sourcePath(QStringLiteral("packaging/") + kAppId + ".desktop") });
        QVERIFY2(result.exitCode == 0, qPrintable(result.output));
        // Warnings do not change the exit code but point at real problems (deprecated or misspelt keys).
        QVERIFY2(!result.output.contains(QStringLiteral("error:"))
                && !result.output.contains(QStringLiteral("warning:")),
            qPrintable(result.output));
    }

    void metainfoValidates()
    {
        const QString tool = QStandardPaths::findExecutable(QStringLiteral("appstreamcli"));
        if (tool.isEmpty())
            QSKIP("appstreamcli is not installed (Debian package appstream; scripts/setup.sh)");
        // --no-net: the check must not depend on a network (CI and the test machines have none).
        const ToolResult result = runTool(tool,
            { QStringLiteral("validate"), QStringLiteral("--no-net"),
                sourcePath(QStringLiteral("packaging/") + kAppId + ".metainfo.xml") });
        QVERIFY2(result.exitCode == 0, qPrintable(result.output));
    }

    void filesAgree()
    {
        const QMap<QString, QString> entry
            = desktopEntry(sourcePath(QStringLiteral("packaging/") + kAppId + ".desktop"));
        QVERIFY2(
            !entry.isEmpty(), "packaging/org.pairtune.Pairtune.desktop is missing or has no [Desktop Entry]");
        QCOMPARE(
            entry.value(QStringLiteral("Exec")).section(QLatin1Char(' '), 0, 0), QStringLiteral("pairtune"));

        // The icon the entry names is the SVG that packaging/CMakeLists.txt installs, and it is an SVG.
        const QString iconPath
            = sourcePath(QStringLiteral("resources/icons/") + entry.value(QStringLiteral("Icon")) + ".svg");
        QVERIFY2(QFile::exists(iconPath), qPrintable("Icon= names no file: " + iconPath));
        QXmlStreamReader svg(readAll(iconPath));
        while (!svg.atEnd() && !svg.isStartElement())
            svg.readNext();
        QCOMPARE(svg.name().toString(), QStringLiteral("svg"));
        QVERIFY(svg.attributes().hasAttribute(QStringLiteral("viewBox")));

        // The metainfo's id and launchable name the desktop file; its newest release is this version.
        QXmlStreamReader xml(readAll(sourcePath(QStringLiteral("packaging/") + kAppId + ".metainfo.xml")));
        QString id, launchable, firstRelease;
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (xml.name() == QStringLiteral("id"))
                id = xml.readElementText();
            else if (xml.name() == QStringLiteral("launchable"))
                launchable = xml.readElementText();
            else if (xml.name() == QStringLiteral("release") && firstRelease.isEmpty())
                firstRelease = xml.attributes().value(QStringLiteral("version")).toString();
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(id, kAppId);
        QCOMPARE(launchable, kAppId + ".desktop");
        QCOMPARE(firstRelease, QStringLiteral(PAIRTUNE_PROJECT_VERSION));

        // Wayland compositors match the running window to its entry (and icon) by this name.
        const QString mainSource = QString::fromUtf8(readAll(sourcePath(QStringLiteral("app/gui/main.cpp"))));
        const QString expected = QStringLiteral("setDesktopFileName(QStringLiteral(\"%1\"))").arg(kAppId);
        QVERIFY2(mainSource.contains(expected), qPrintable("app/gui/main.cpp does not call " + expected));
    }
};

QTEST_GUILESS_MAIN(TestDesktopMetadata)
#include "tst_desktopmetadata.moc"
