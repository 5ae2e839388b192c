#include "ui/exportformatchoice.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

namespace pairtune::ui {

ExportFormatChoice::ExportFormatChoice(QWidget *parent)
    : QWidget(parent)
{
    auto *folder = new QCheckBox(tr("sentence-transformers folder"), this);
    folder->setChecked(true);
    folder->setEnabled(false);
    folder->setToolTip(tr("Always written: weights, tokenizer, configuration and a model card."));
    m_onnx = new QCheckBox(tr("ONNX"), this);
    m_onnx->setObjectName(QStringLiteral("exportOnnx"));
    m_onnxFloat16 = new QCheckBox(tr("with float16"), this);
    m_onnxFloat16->setObjectName(QStringLiteral("exportOnnxFloat16"));
    m_onnxFloat16->setToolTip(tr("Also onnx/model_fp16.onnx and onnx/sentence_embedding_fp16.onnx: half the "
                                 "size, float16 weights."));
    m_gguf = new QCheckBox(tr("GGUF"), this);
    m_gguf->setObjectName(QStringLiteral("exportGguf"));
    m_ggufType = new QComboBox(this);
    m_ggufType->setObjectName(QStringLiteral("exportGgufType"));
    m_ggufType->addItem(QStringLiteral("f32"), int(GgufType::F32));
    m_ggufType->addItem(QStringLiteral("f16"), int(GgufType::F16));
    m_ggufType->addItem(QStringLiteral("q8_0"), int(GgufType::Q8_0));
    m_ggufType->setToolTip(tr("How the GGUF file stores the weight matrices: f32 (exact), f16 (half the "
                              "size) or q8_0 (8-bit, about a quarter)."));
    m_reason = new QLabel(this);
    m_reason->setObjectName(QStringLiteral("exportFormatReason"));
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);

    connect(m_onnx, &QCheckBox::toggled, this, &ExportFormatChoice::update);
    connect(m_gguf, &QCheckBox::toggled, this, &ExportFormatChoice::update);
    connect(m_ggufType, &QComboBox::currentIndexChanged, this, &ExportFormatChoice::update);

    auto *row = new QHBoxLayout;
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(new QLabel(tr("Formats:"), this));
    row->addWidget(folder);
    row->addSpacing(12);
    row->addWidget(m_onnx);
    row->addWidget(m_onnxFloat16);
    row->addSpacing(12);
    row->addWidget(m_gguf);
    row->addWidget(m_ggufType);
    row->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addLayout(row);
    layout->addWidget(m_reason);
    setChecking();
}

void ExportFormatChoice::setChecking()
{
    m_known = false;
    m_pending = tr("Checking which formats this model can be written in…");
    update();
}

void ExportFormatChoice::setAvailability(const FormatAvailability &availability)
{
    m_availability = availability;
    m_known = true;
    m_pending.clear();
    update();
}

void ExportFormatChoice::setUnavailable(const QString &reason)
{
    m_known = false;
    m_pending = reason;
    update();
}

ExportFormats ExportFormatChoice::formats() const
{
    ExportFormats formats;
    formats.onnx = m_onnx->isEnabledTo(this) && m_onnx->isChecked();
    formats.onnxFloat16 = formats.onnx && m_onnxFloat16->isChecked();
    formats.gguf = m_gguf->isEnabledTo(this) && m_gguf->isChecked();
    formats.ggufType = GgufType(m_ggufType->currentData().toInt());
    return formats;
}

QString ExportFormatChoice::reasonText() const
{
    return m_reason->text();
}

void ExportFormatChoice::update()
{
    const QString onnxReason = m_known ? QString::fromStdString(m_availability.onnx) : m_pending;
    const QString ggufReason = m_known
        ? QString::fromStdString(m_availability.gguf(GgufType(m_ggufType->currentData().toInt())))
        : m_pending;
    // Some GGUF types may be refused while others are fine: the box stays enabled while any type is.
    const bool anyGguf = m_known
        && (m_availability.ggufF32.empty() || m_availability.ggufF16.empty()
            || m_availability.ggufQ8_0.empty());
    m_onnx->setEnabled(onnxReason.isEmpty());
    m_onnx->setToolTip(onnxReason.isEmpty()
            ? tr("onnx/model.onnx (for sentence-transformers' backend=\"onnx\" and Transformers.js) and "
                 "onnx/sentence_embedding.onnx (pooling and normalisation inside, for ONNX Runtime anywhere)")
            : onnxReason);
    m_onnxFloat16->setEnabled(m_onnx->isEnabled() && m_onnx->isChecked());
    m_gguf->setEnabled(anyGguf);
    m_gguf->setToolTip(anyGguf ? tr("gguf/model-<type>.gguf for llama.cpp (llama-server --embedding, Ollama, "
                                    "node-llama-cpp)")
                               : ggufReason);
    m_ggufType->setEnabled(anyGguf && m_gguf->isChecked());

    QStringList lines;
    if (!m_known) {
        lines << m_pending;
    } else {
        if (!onnxReason.isEmpty())
            lines << tr("No ONNX: %1").arg(onnxReason);
        if (!ggufReason.isEmpty() && (!anyGguf || m_gguf->isChecked()))
            lines << tr("No GGUF %1: %2").arg(m_ggufType->currentText(), ggufReason);
    }
    m_reason->setText(lines.join(QLatin1Char('\n')));
    m_reason->setVisible(!lines.isEmpty());
}

} // namespace pairtune::ui
