#include "ui/mainwindow.h"

#include "pairtune/version.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>

namespace pairtune::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    setWindowTitle(QStringLiteral("Pairtune"));
    auto *placeholder = new QLabel(tr("Drop pair files here to start."), this);
    placeholder->setAlignment(Qt::AlignCenter);
    setCentralWidget(placeholder);
    createMenus();
    resize(1100, 760);
}

MainWindow::~MainWindow() = default;

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About Pairtune"), this, &MainWindow::showAbout);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Pairtune"),
                       tr("<b>Pairtune %1</b><p>Fine-tune sentence-embedding models on pairs of texts.</p>"
                          "<p>Qt %2</p>")
                           .arg(QString::fromLatin1(pairtune::kVersion), QString::fromLatin1(qVersion())));
}

} // namespace pairtune::ui
