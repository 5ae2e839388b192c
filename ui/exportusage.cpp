#include "ui/exportusage.h"

#include <QDir>
#include <QRegularExpression>

namespace pairtune::ui {
namespace {

// A Python (or JavaScript) string literal for a path: backslashes of Windows paths doubled, quotes
// escaped.
QString quoted(const QString &text)
{
    QString escaped = text;
    escaped.replace(QLatin1Char('\\'), QStringLiteral("\\\\"))
        .replace(QLatin1Char('"'), QStringLiteral("\\\""))
        .replace(QLatin1Char('\n'), QStringLiteral("\\n"));
    return QLatin1Char('"') + escaped + QLatin1Char('"');
}

// A shell word: as is when it needs no quoting, else in single quotes.
QString shellWord(const QString &text)
{
    static const QRegularExpression plain(QStringLiteral("^[A-Za-z0-9_./:=@%+-]+$"));
    if (plain.match(text).hasMatch())
        return text;
    QString escaped = text;
    escaped.replace(QLatin1Char('\''), QStringLiteral("'\\''"));
    return QLatin1Char('\'') + escaped + QLatin1Char('\'');
}

QString nativeFile(const QString &folder, const QString &relative)
{
    return QDir::toNativeSeparators(QDir(folder).filePath(relative));
}

QString javascriptUsage(const QString &folder, const FormatAvailability &hints)
{
    QStringList ids;
    for (const long long id : hints.exampleIds)
        ids << QString::number(id);
    QString feeds = QStringLiteral("  input_ids: int64(ids),\n  attention_mask: int64(ids.map(() => 1)),\n");
    if (hints.takesTokenTypes)
        feeds += QStringLiteral("  token_type_ids: int64(ids.map(() => 0)),\n");
    return QStringLiteral(
        "// embed.mjs: npm i onnxruntime-node, then node embed.mjs\n"
        "import * as ort from \"onnxruntime-node\";\n\n"
        "const session = await ort.InferenceSession.create(%1);\n"
        "// \"first text\" as this model tokenizes it (pairtune-cli tokenize --model FOLDER prints the ids\n"
        "// of any text; tokenizer.json in the folder is the tokenizer)\n"
        "const ids = [%2];\n"
        "const int64 = (values) => new ort.Tensor(\"int64\", BigInt64Array.from(values, BigInt), [1, "
        "values.length]);\n"
        "const output = await session.run({\n%3});\n"
        "// pooling, any Dense and Normalize are inside the graph\n"
        "console.log(output.sentence_embedding.data);\n")
        .arg(quoted(nativeFile(folder, QStringLiteral("onnx/sentence_embedding.onnx"))),
            ids.join(QStringLiteral(", ")), feeds);
}

// llama-server's --pooling for sentence-transformers' pooling mode; "" where it has none.
QString llamaPooling(const std::string &pooling)
{
    if (pooling == "mean")
        return QStringLiteral("mean");
    if (pooling == "cls")
        return QStringLiteral("cls");
    if (pooling == "lasttoken")
        return QStringLiteral("last");
    return {};
}

QString llamaUsage(const QString &folder, const QString &gguf, const FormatAvailability &hints)
{
    const QString pooling = llamaPooling(hints.pooling);
    return QStringLiteral(
        "llama-server -m %1 --embedding%2\n"
        "# then, from another shell (the vectors come back normalized):\n"
        "curl http://127.0.0.1:8080/v1/embeddings -H \"Content-Type: application/json\" \\\n"
        "  -d '{\"input\": [\"first text\", \"second text\"]}'\n")
        .arg(shellWord(nativeFile(folder, gguf)),
            pooling.isEmpty() ? QString() : QStringLiteral(" --pooling ") + pooling);
}

} // namespace

QString pythonUsage(const QString &folder, const ColumnPrompts &prompts, bool onnx)
{
    const QString load = QStringLiteral("from sentence_transformers import SentenceTransformer, util\n\n"
                                        "model = SentenceTransformer(%1%2)\n")
                             .arg(quoted(QDir::toNativeSeparators(folder)),
                                 onnx ? QStringLiteral(", backend=\"onnx\"") : QString());
    if (prompts.any() && prompts.anchor != prompts.positive)
        return load
            + QStringLiteral("# with the prompts it was trained with (its README.md says which)\n"
                             "queries = model.encode([\"first query\"], prompt=%1)\n"
                             "documents = model.encode([\"first document\"], prompt=%2)\n"
                             "print(util.cos_sim(queries[0], documents[0]))\n")
                  .arg(quoted(QString::fromStdString(prompts.anchor)),
                      quoted(QString::fromStdString(prompts.positive)));
    return load
        + QStringLiteral("embeddings = model.encode([\"first text\", \"second text\"])\n"
                         "print(util.cos_sim(embeddings[0], embeddings[1]))\n");
}

QList<ExportUsage> exportUsages(const QString &folder, const QStringList &files, const ColumnPrompts &prompts,
    const FormatAvailability &hints)
{
    QList<ExportUsage> usages { { QStringLiteral("Python"), pythonUsage(folder, prompts) } };
    if (files.contains(QStringLiteral("onnx/model.onnx")))
        usages.append({ QStringLiteral("Python · ONNX"), pythonUsage(folder, prompts, true) });
    if (files.contains(QStringLiteral("onnx/sentence_embedding.onnx")))
        usages.append({ QStringLiteral("JavaScript · ONNX Runtime"), javascriptUsage(folder, hints) });
    for (const QString &file : files) {
        if (file.startsWith(QStringLiteral("gguf/")) && file.endsWith(QStringLiteral(".gguf")))
            usages.append({ QStringLiteral("llama.cpp"), llamaUsage(folder, file, hints) });
    }
    return usages;
}

} // namespace pairtune::ui
