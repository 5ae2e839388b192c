#pragma once

// Edits that turn a folder from `pairtune-cli create` into a tokenizer variant no committed fixture has:
// added tokens with each flag tokenizers knows, and a tokenizer_config.json that cuts long texts on the
// left, a sentence-transformers config that lower-cases for a cased tokenizer, the Lowercase normalizer
// sentence-transformers 5.4+ writes into tokenizer.json instead, MPNet's WordPiece with
// <s> </s> and RobertaProcessing; and the tokenizer files of a tokenizer-only fixture put into such a
// folder. Header-only, QtCore; used by tst_hf_tokenizers.

#include <QtCore/QDir>
#include <QtCore/QFile>
#include <QtCore/QJsonArray>
#include <QtCore/QJsonDocument>
#include <QtCore/QJsonObject>
#include <QtCore/QString>

#include <algorithm>
#include <functional>
#include <utility>
#include <vector>

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

// sentence-transformers 5.4+ saves do_lower_case=True into tokenizer.json as a Lowercase normalizer
// before the tokenizer's own: Sequence[Lowercase, BertNormalizer]. bertLowercase sets the BertNormalizer's
// own lowercase flag; lowercaseFirst=false puts the Lowercase after it instead.
inline QString lowercaseNormalizerSequence(
    const QString &tokenizerJson, bool bertLowercase, bool lowercaseFirst)
{
    return editJsonObject(tokenizerJson, [&](QJsonObject &tokenizer) {
        QJsonObject bert = tokenizer.value(QLatin1String("normalizer")).toObject();
        bert.insert(QStringLiteral("lowercase"), bertLowercase);
        const QJsonObject lowercase { { QStringLiteral("type"), QStringLiteral("Lowercase") } };
        const QJsonArray steps
            = lowercaseFirst ? QJsonArray { lowercase, bert } : QJsonArray { bert, lowercase };
        tokenizer.insert(QStringLiteral("normalizer"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("Sequence") },
                { QStringLiteral("normalizers"), steps } });
    });
}

// MPNet's tokenizer.json: the BERT WordPiece vocabulary with its special tokens named <s> </s> <pad> <unk>
// <mask> (the mask swallowing the space before it) and RobertaProcessing "<s> $A </s>" in place of BERT's
// template; tokenizer_config.json names the same tokens.
inline QString mpnetStyle(const QString &folder)
{
    const std::vector<std::pair<QString, QString>> renames = { { "[CLS]", "<s>" }, { "[SEP]", "</s>" },
        { "[PAD]", "<pad>" }, { "[UNK]", "<unk>" }, { "[MASK]", "<mask>" } };
    const auto renamed = [&](const QString &token) {
        for (const auto &[from, to] : renames)
            if (token == from)
                return to;
        return token;
    };
    QString error = editJsonObject(folder + QStringLiteral("/tokenizer.json"), [&](QJsonObject &tokenizer) {
        QJsonObject model = tokenizer.value(QLatin1String("model")).toObject();
        QJsonObject vocab = model.value(QLatin1String("vocab")).toObject();
        int clsId = -1, sepId = -1;
        for (const auto &[from, to] : renames) {
            const int id = vocab.value(from).toInt();
            vocab.remove(from);
            vocab.insert(to, id);
            if (to == QLatin1String("<s>"))
                clsId = id;
            if (to == QLatin1String("</s>"))
                sepId = id;
        }
        model.insert(QStringLiteral("vocab"), vocab);
        model.insert(QStringLiteral("unk_token"), QStringLiteral("<unk>"));
        tokenizer.insert(QStringLiteral("model"), model);
        QJsonArray added = tokenizer.value(QLatin1String("added_tokens")).toArray();
        for (qsizetype i = 0; i < added.size(); ++i) {
            QJsonObject token = added[i].toObject();
            const QString content = renamed(token.value(QLatin1String("content")).toString());
            token.insert(QStringLiteral("content"), content);
            token.insert(QStringLiteral("lstrip"), content == QLatin1String("<mask>"));
            added[i] = token;
        }
        tokenizer.insert(QStringLiteral("added_tokens"), added);
        tokenizer.insert(QStringLiteral("post_processor"),
            QJsonObject { { QStringLiteral("type"), QStringLiteral("RobertaProcessing") },
                { QStringLiteral("sep"), QJsonArray { QStringLiteral("</s>"), sepId } },
                { QStringLiteral("cls"), QJsonArray { QStringLiteral("<s>"), clsId } },
                { QStringLiteral("trim_offsets"), true }, { QStringLiteral("add_prefix_space"), false } });
    });
    if (!error.isEmpty())
        return error;
    return editJsonObject(folder + QStringLiteral("/tokenizer_config.json"), [&](QJsonObject &config) {
        for (const char *key : { "cls_token", "sep_token", "pad_token", "unk_token", "mask_token" })
            config.insert(QLatin1String(key), renamed(config.value(QLatin1String(key)).toString()));
        QJsonObject decoder = config.value(QLatin1String("added_tokens_decoder")).toObject();
        for (auto it = decoder.begin(); it != decoder.end(); ++it) {
            QJsonObject token = it.value().toObject();
            token.insert(
                QStringLiteral("content"), renamed(token.value(QLatin1String("content")).toString()));
            it.value() = token;
        }
        config.insert(QStringLiteral("added_tokens_decoder"), decoder);
    });
}

// A committed tokenizer without a model around it (tests/data/text_bpe/*): its files replace the tokenizer
// of a model folder from `pairtune-cli create`, so that `pairtune-cli tokenize` has a model to load.
inline QString useTokenizerFilesOf(const QString &modelFolder, const QString &tokenizerFolder)
{
    for (const char *name :
        { "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.txt" })
        QFile::remove(modelFolder + QLatin1Char('/') + QLatin1String(name));
    const QDir source(tokenizerFolder);
    for (const QString &name : source.entryList(QDir::Files))
        if (!QFile::copy(source.filePath(name), modelFolder + QLatin1Char('/') + name))
            return source.filePath(name) + QStringLiteral(": cannot copy into ") + modelFolder;
    return {};
}

} // namespace hftokenizers
