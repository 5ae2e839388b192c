#pragma once

// The formats an export writes besides the sentence-transformers folder (always written): ONNX, with
// an optional float16 variant, and GGUF as f32, f16 or q8_0. A format the chosen model cannot be
// written in is disabled, with the reason in its tooltip and on the line below.

#include "export/modelexport.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;

namespace pairtune::ui {

class ExportFormatChoice : public QWidget
{
    Q_OBJECT

public:
    explicit ExportFormatChoice(QWidget *parent = nullptr);

    // While the model is being checked: ONNX and GGUF wait, disabled.
    void setChecking();
    void setAvailability(const FormatAvailability &availability);
    // The model could not be checked (e.g. it could not be loaded): only the folder.
    void setUnavailable(const QString &reason);

    ExportFormats formats() const;
    QCheckBox *onnxBox() const { return m_onnx; }
    QCheckBox *onnxFloat16Box() const { return m_onnxFloat16; }
    QCheckBox *ggufBox() const { return m_gguf; }
    QComboBox *ggufTypeBox() const { return m_ggufType; }
    QString reasonText() const;

private:
    void update();

    FormatAvailability m_availability;
    bool m_known = false;
    QString m_pending; // "checking" or why the model could not be checked
    QCheckBox *m_onnx = nullptr;
    QCheckBox *m_onnxFloat16 = nullptr;
    QCheckBox *m_gguf = nullptr;
    QComboBox *m_ggufType = nullptr;
    QLabel *m_reason = nullptr;
};

} // namespace pairtune::ui
