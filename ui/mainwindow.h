#pragma once

#include <QMainWindow>

namespace pairtune::ui {

// The studio's window. It only wires pages, menus and settings together; each page is its own class.
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

private:
    void createMenus();
    void showAbout();
};

} // namespace pairtune::ui
