#pragma once

// Edits that turn a folder from `pairtune-cli create` into a tokenizer variant no committed fixture has:
// added tokens with each flag tokenizers knows, and a tokenizer_config.json that cuts long texts on the
// left, a sentence-transformers config that lower-cases for a cased tokenizer. Header-only, QtCore; used by
// tst_hf_tokenizers.

#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <algorithm>
#include <functional>

namespace hftokenizers {

// Reads the JSON object at path, lets edit change it and writes it back; an empty string or an error.
inline QString editJsonObject(const QString &path, const std::function<void(QJsonObject &)> &edit)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return path + QStringLiteral(": cannot open");
    QJsonParseError error;
    QJsonObject object = QJsonDocument::fromJson(file.readAll(), &error).object();
    file.close();
    if (error.error != QJsonParseError::NoError)
        return path + QStringLiteral(": ") + error.errorString();
    edit(object);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return path + QStringLiteral(": cannot write");
    const QByteArray bytes = QJsonDocument(object).toJson();
    return file.write(bytes) == bytes.size() ? QString() : path + QStringLiteral(": short write");
}

// One added token of each kind the library distinguishes (non-special unnormalized, normalized, special
// with lstrip/rstrip, single_word), with ids after the vocabulary; tricky-strings.jsonl uses them.
inline QString addAddedTokens(const QString &tokenizerJson)
{
    return editJsonObject(tokenizerJson, [](QJsonObject &tokenizer) {
        int next = 0;
        const QJsonObject vocab
            = tokenizer.value(QLatin1String("model")).toObject().value(QLatin1String("vocab")).toObject();
        for (auto it = vocab.begin(); it != vocab.end(); ++it)
            next = std::max(next, it.value().toInt() + 1);
        QJsonArray added = tokenizer.value(QLatin1String("added_tokens")).toArray();
        for (const QJsonValue &token : added)
            next = std::max(next, token.toObject().value(QLatin1String("id")).toInt() + 1);
        const auto token
            = [&next](const char *content, bool special, bool normalized, bool strip, bool singleWord) {
                  return QJsonObject { { QStringLiteral("id"), next++ },
                      { QStringLiteral("content"), QString::fromUtf8(content) },
                      { QStringLiteral("single_word"), singleWord }, { QStringLiteral("lstrip"), strip },
                      { QStringLiteral("rstrip"), strip }, { QStringLiteral("normalized"), normalized },
                      { QStringLiteral("special"), special } };
              };
        added.append(token("<url>", false, false, false, false));
        added.append(token("Hello", false, true, false, false));
        added.append(token("[ENT]", true, false, true, false));
        added.append(token("wor", false, true, false, true));
        tokenizer.insert(QStringLiteral("added_tokens"), added);
    });
}

// transformers reads truncation_side from tokenizer_config.json and cuts long texts at that end.
inline QString truncateOnTheLeft(const QString &tokenizerConfigJson)
{
    return editJsonObject(tokenizerConfigJson, [](QJsonObject &config) {
        config.insert(QStringLiteral("truncation_side"), QStringLiteral("left"));
    });
}

// sentence-transformers lower-cases the text itself (Python's str.lower) before a cased tokenizer sees it
// when sentence_bert_config.json says do_lower_case. The reference lower-cases with JavaScript's
// toLowerCase: the same full Unicode mapping (final sigma included), possibly another Unicode version.
inline QString lowerCaseBeforeTokenizing(const QString &sentenceBertConfigJson)
{
    return editJsonObject(sentenceBertConfigJson,
        [](QJsonObject &config) { config.insert(QStringLiteral("do_lower_case"), true); });
}

} // namespace hftokenizers
