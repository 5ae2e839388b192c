#pragma once

#include <QObject>
#include <QString>

namespace pairtune::ui {

// Brings the engine's log (pairtune::logInfo / logWarning, called on any thread) to the GUI thread
// as a signal. Installs itself as the process-wide log sink while it exists; warnings still go to
// stderr as well, for people who start the studio from a terminal.
class EngineLog : public QObject
{
    Q_OBJECT

public:
    explicit EngineLog(QObject *parent = nullptr);
    ~EngineLog() override;

Q_SIGNALS:
    void message(bool warning, const QString &text);
};

} // namespace pairtune::ui
