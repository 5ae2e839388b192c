// MainWindow::showClusterCommand: the Settings page's "Run on a cluster…" (the rest is mainwindow.cpp).

#include "data/pairdataset.h"
#include "ui/clustercommanddialog.h"
#include "ui/datapage.h"
#include "ui/mainwindow.h"
#include "ui/miningpage.h"
#include "ui/modelpage.h"
#include "ui/settingspage.h"
#include "ui/trainpage.h"

#include <QFileInfo>

#include <exception>

namespace pairtune::ui {

ClusterCommandDialog *MainWindow::showClusterCommand()
{
    // What a run started here would train (the Train page's config provider), with paths as this computer
    // sees them, absolute: the cluster must see the same ones.
    TrainingConfig config = m_settings->config();
    m_model->describeBase(config);
    for (const QString &file : m_data->files())
        config.dataPaths.push_back(QFileInfo(file).absoluteFilePath().toStdString());
    if (!m_train->runFolder().isEmpty())
        config.outPath = QFileInfo(m_train->runFolder()).absoluteFilePath().toStdString();
    if (config.basePath != "builtin" && !config.basePath.empty())
        config.basePath = QFileInfo(QString::fromStdString(config.basePath)).absoluteFilePath().toStdString();
    // Pairs the files do not hold as they are: the data page's prepared copy, or the reviewed mined pairs.
    std::shared_ptr<const PairDataset> prepared;
    if (m_data->needsPreparedCopy() || m_data->sources().hasPasted())
        prepared = m_data->dataset();
    try {
        if (auto mined = m_mining->pairsForRun(config))
            prepared = std::move(mined);
    } catch (const std::exception &) {
        // Mined under another split: a run would refuse them too; the command trains the data's pairs.
    }
    auto *dialog = new ClusterCommandDialog(config, prepared, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->show();
    return dialog;
}

} // namespace pairtune::ui
