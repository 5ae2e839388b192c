#include "ui/int8switch.h"

#include <QSignalBlocker>

namespace pairtune::ui {

Int8Switch::Int8Switch(QWidget *parent)
    : QCheckBox(tr("Faster search (int8)"), parent)
{
    setObjectName(QStringLiteral("int8Search"));
    setEnabled(false);
    setToolTip(tr("Available once the models are loaded."));
}

void Int8Switch::setRefusal(const std::string &refusal)
{
    if (!refusal.empty()) {
        const QSignalBlocker blocker(this);
        setChecked(false);
        setEnabled(false);
        setToolTip(tr("Not available for this model: %1. The search runs in float32.")
                       .arg(QString::fromStdString(refusal)));
        return;
    }
    setEnabled(true);
    // The quality figure is tst_int8embedding's bound (measured 0.99977 to 0.99992 over its models).
    setToolTip(
        tr("Embed the held-out texts and your query with the encoder's dense layers in int8, dynamically "
           "quantised (as pairtune-cli embed --int8): faster on this computer's CPU. Measured quality: "
           "the vectors stay within a cosine of 0.999 of float32 on the test texts. It applies to this "
           "search on this computer only: the exported model is the float32 model either way."));
}

} // namespace pairtune::ui
