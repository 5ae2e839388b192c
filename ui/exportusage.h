#pragma once

// The exact lines that use an exported model, one block per way of running it: Python with
// sentence-transformers (the folder; backend="onnx" for onnx/), ONNX Runtime in JavaScript
// (onnx/sentence_embedding.onnx, pooling inside the graph) and llama.cpp's server (gguf/). Qt only.

#include "export/modelexport.h"
#include "model/prompts.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace pairtune::ui {

struct ExportUsage
{
    QString title; // the tab: "Python", "Python · ONNX", "JavaScript · ONNX Runtime", "llama.cpp"
    QString text;
};

// Python lines that load folder (with backend="onnx" when onnx), using the prompts it was trained with.
QString pythonUsage(const QString &folder, const ColumnPrompts &prompts, bool onnx = false);

// One block for each way the export can run: Python always, then one per format written. files are
// the format files relative to folder (ExportedModel::files); hints come from formatAvailability.
QList<ExportUsage> exportUsages(const QString &folder, const QStringList &files, const ColumnPrompts &prompts,
    const FormatAvailability &hints);

} // namespace pairtune::ui
