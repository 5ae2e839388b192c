#pragma once

// Shared by the built-in model suites: where the shipped resources are, and running pairtune-cli (or
// another program) the way a user would.

#include "processrun.h"

#include <QtCore/QByteArray>
#include <QtCore/QDir>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QString>
#include <QtCore/QStringList>

namespace builtin {

inline QString cli()
{
    return QStringLiteral(PAIRTUNE_CLI_PATH);
}
inline QString repoRoot()
{
    return QDir::cleanPath(QStringLiteral(PAIRTUNE_TEST_DATA_DIR "/../.."));
}
inline QString resources()
{
    return repoRoot() + QStringLiteral("/resources");
}
inline QString modelFolder()
{
    return resources() + QStringLiteral("/models/builtin");
}
inline QString demoData()
{
    return resources() + QStringLiteral("/data/wordnet-demo-pairs.tsv");
}
inline QString generalCheckData()
{
    return resources() + QStringLiteral("/data/general-check-pairs.tsv");
}

// What docs/builtin-model.md promises about the shipped model.
constexpr int kEmbeddingDimension = 128;
constexpr int kMaxSeqLength = 128;
constexpr qint64 kMaxModelBytes = 10 * 1000 * 1000;

using pairtune::testrun::run;
using pairtune::testrun::RunResult;

// The last JSON object a command printed on stdout (commands print exactly one with --json).
inline QJsonObject jsonOutput(const RunResult &result)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(result.out.trimmed(), &error);
    return error.error == QJsonParseError::NoError ? document.object() : QJsonObject();
}

} // namespace builtin

// Runs a command, fails the current test function unless it exits with 0, and leaves its RunResult in
// `var`.
#define BUILTIN_RUN_OK(var, program, args)                                                                   \
    const QStringList var##Args_ = (args);                                                                   \
    const builtin::RunResult var = builtin::run((program), var##Args_);                                      \
    QVERIFY2(var.code == 0, qPrintable(var.describe((program), var##Args_)))
