#pragma once

// What the screenshot tools (pairtune-screenshots, pairtune-hub-screenshots) share: the application
// set-up with isolated preferences, the --out/--width/--height options, waiting for a state and
// saving a window as a PNG. Each reports a failure on stderr, named by the tool.

#include <QString>

#include <functional>
#include <optional>

class QApplication;
class QWidget;

namespace screenshots {

struct Options
{
    QString out; // the folder for the PNG files (created)
    int width = 1280;
    int height = 860;
};

// Names the application, isolates its preferences (never the user's own) and reads the options;
// nullopt (after a message) when --out is missing or cannot be created.
std::optional<Options> setUp(QApplication &app);
bool waitFor(const std::function<bool()> &condition, int ms, const char *what);
// Saves window as folder/name.png after letting queued layouts and replots settle.
bool shoot(QWidget *window, const QString &folder, const QString &name);
// Prints "TOOL: message" on stderr.
void fail(const QString &message);

} // namespace screenshots
