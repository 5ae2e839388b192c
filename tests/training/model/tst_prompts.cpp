// Prompts as sentence-transformers applies them (SentenceTransformer.__init__/_load_sbert_model,
// encode, encode_query, encode_document, _get_prompt_length, Pooling include_prompt): which prompt is
// chosen, and that a prompt changes the embedding exactly as prepending its text does. The
// include_prompt=false pooling is checked against the independent Python reference in
// tests/training/interop/tst_prompts_interop.cpp.

#include "core/error.h"
#include "model/modelcard.h"
#include "model/modelconfig.h"
#include "model/prompts.h"
#include "model/sentencemodel.h"
#include "modeltesthelpers.h"
#include "promptfixture.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace pairtune;

namespace {

ModelPrompts promptsOf(const char *configJson)
{
    return ModelPrompts::fromConfig(
        SentenceTransformersConfig::fromJson(nlohmann::ordered_json::parse(configJson), "cfg.json"),
        "cfg.json");
}

std::vector<std::string> prefixed(const std::string &prompt, const std::vector<std::string> &texts)
{
    std::vector<std::string> out;
    for (const std::string &text : texts)
        out.push_back(prompt + text);
    return out;
}

std::string errorOf(const std::function<void()> &action)
{
    try {
        action();
    } catch (const Error &e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestPrompts : public QObject
{
    Q_OBJECT

private slots:
    void loadedPromptsMirrorSentenceTransformers()
    {
        // No prompts in the file: Python still holds {"query": "", "document": ""}.
        const ModelPrompts none = promptsOf(R"({"similarity_fn_name": "cosine"})");
        QCOMPARE(none.knownNames(), std::string("'query', 'document'"));
        QVERIFY(!none.anyNonEmpty());
        QCOMPARE(none.resolve(std::nullopt, std::nullopt), std::string());

        // The file's prompts fill the defaults and follow them in the file's order.
        const ModelPrompts e5 = promptsOf(R"({"prompts": {"passage": "passage: ", "query": "query: "}})");
        QCOMPARE(e5.knownNames(), std::string("'query', 'document', 'passage'"));
        QCOMPARE(e5.resolve(std::string("passage"), std::nullopt), std::string("passage: "));
        QCOMPARE(e5.queryPrompt(), std::string("query: "));
        // encode_document looks for "document" first, and after loading it always exists (empty here).
        QCOMPARE(e5.documentPrompt(), std::string());

        // An explicit prompt wins over a name; an explicit empty prompt means none.
        QCOMPARE(e5.resolve(std::string("query"), std::string("x: ")), std::string("x: "));
        QCOMPARE(e5.resolve(std::nullopt, std::string()), std::string());
    }

    void defaultPromptName()
    {
        const ModelPrompts p = promptsOf(
            R"({"prompts": {"classification": "Classify: "}, "default_prompt_name": "classification"})");
        QCOMPARE(p.resolve(std::nullopt, std::nullopt), std::string("Classify: "));
        QCOMPARE(p.resolve(std::string("query"), std::nullopt), std::string()); // a name overrides it
        // encode_query/encode_document name "query"/"document", which exist (empty): no default prompt.
        QCOMPARE(p.queryPrompt(), std::string());
        QCOMPARE(p.documentPrompt(), std::string());
        // So the pairs get encode()'s choice in every column.
        QVERIFY((columnPrompts(p) == ColumnPrompts { "Classify: ", "Classify: ", "Classify: " }));
    }

    void errorsNameTheKnownPrompts()
    {
        const ModelPrompts p = promptsOf(R"({"prompts": {"query": "q: ", "classification": "c: "}})");
        const std::string message = errorOf([&] { p.resolve(std::string("retrieval"), std::nullopt); });
        QVERIFY2(message.find("\"retrieval\"") != std::string::npos, message.c_str());
        QVERIFY2(message.find("'query', 'document', 'classification'") != std::string::npos, message.c_str());

        // Python's constructor raises when default_prompt_name is not a prompt.
        const std::string bad = errorOf(
            [] { promptsOf(R"({"prompts": {"query": "q: "}, "default_prompt_name": "clustering"})"); });
        QVERIFY2(bad.find("cfg.json") != std::string::npos && bad.find("clustering") != std::string::npos,
            bad.c_str());
    }

    void columnPromptsFollowEncodeQueryAndDocument()
    {
        const ModelPrompts p = promptsOf(
            R"({"prompts": {"query": "query: ", "document": "passage: "}, "default_prompt_name": "query"})");
        QVERIFY((columnPrompts(p) == ColumnPrompts { "query: ", "passage: ", "passage: " }));
        // Only a query prompt: documents get none (encode_document finds the empty "document").
        QVERIFY((columnPrompts(promptsOf(R"({"prompts": {"query": "query: "}})"))
            == ColumnPrompts { "query: ", "", "" }));
        QVERIFY(!columnPrompts(promptsOf("{}")).any());
    }

    void promptNameEqualsPrefixedText()
    {
        const SentenceModel model = SentenceModel::load(prompttest::fixtureFolder());
        const std::vector<std::string> texts = modeltest::sampleTexts();
        for (const char *name : { "query", "document", "classification" }) {
            const std::string prompt = model.prompts().resolve(std::string(name), std::nullopt);
            QVERIFY(!prompt.empty());
            const Embeddings withName = model.encodeWithPrompt(texts, prompt, 7);
            const Embeddings byHand = model.encodeWithPrompt(prefixed(prompt, texts), "", 7);
            QCOMPARE(modeltest::maxAbsDiff(withName, byHand), 0.0f);
            QVERIFY(modeltest::maxAbsDiff(withName, model.encodeWithPrompt(texts, "", 7)) > 1e-3f);
        }
        // No default prompt in the fixture: encode() is the plain text.
        QCOMPARE(modeltest::maxAbsDiff(model.encode(texts), model.encodeWithPrompt(texts, "")), 0.0f);
    }

    void defaultPromptNameAppliesWhenNoneGiven()
    {
        QTemporaryDir dir;
        const std::string folder
            = prompttest::editedCopy(dir.filePath("m").toStdString(), "config_sentence_transformers.json",
                [](nlohmann::ordered_json &j) { j["default_prompt_name"] = "classification"; });
        const SentenceModel model = SentenceModel::load(folder);
        const std::vector<std::string> texts = modeltest::sampleTexts();
        const Embeddings byDefault = model.encode(texts);
        QCOMPARE(modeltest::maxAbsDiff(
                     byDefault, model.encodeWithPrompt(prefixed("Classify this sentence: ", texts), "")),
            0.0f);
        QVERIFY(modeltest::maxAbsDiff(byDefault, model.encodeWithPrompt(texts, "")) > 1e-3f);
    }

    void excludedPromptLeavesOnlyPoolingChanged()
    {
        QTemporaryDir dir;
        const std::string folder = prompttest::editedCopy(dir.filePath("m").toStdString(),
            "1_Pooling/config.json", [](nlohmann::ordered_json &j) { j["include_prompt"] = false; });
        const SentenceModel excluded = SentenceModel::load(folder);
        const SentenceModel included = SentenceModel::load(prompttest::fixtureFolder());
        // _get_prompt_length: [CLS] query : [SEP] less the final special token.
        QCOMPARE(excluded.tokenizer().tokenize("query:").size(), std::size_t(2));
        QCOMPARE(excluded.promptLength("query: "), std::size_t(3));
        QCOMPARE(excluded.promptLength(""), std::size_t(0));
        // Truncated like a text: at most max_seq_length (32) tokens, the final [SEP] not counted.
        std::string longPrompt;
        for (int i = 0; i < 40; ++i)
            longPrompt += "query ";
        QCOMPARE(excluded.promptLength(longPrompt), std::size_t(31));

        const std::vector<std::string> texts = modeltest::sampleTexts();
        const Embeddings a = excluded.encodeWithPrompt(texts, "query: ");
        QVERIFY(modeltest::maxAbsDiff(a, included.encodeWithPrompt(texts, "query: ")) > 1e-3f);
        // Without a prompt nothing is excluded: both folders agree.
        QCOMPARE(
            modeltest::maxAbsDiff(excluded.encodeWithPrompt(texts, ""), included.encodeWithPrompt(texts, "")),
            0.0f);
    }

    void cardStatesPrompts()
    {
        QCOMPARE(trainingPromptsCardLines(ColumnPrompts {}), std::string());
        const std::string lines = trainingPromptsCardLines({ "query: ", "passage: ", "passage: " });
        QVERIFY2(lines.find(R"(anchors "query: ", positives "passage: ", negatives "passage: ")")
                != std::string::npos,
            lines.c_str());
        QVERIFY2(lines.find(R"(model.encode(texts, prompt="query: "))") != std::string::npos, lines.c_str());
    }
};

QTEST_GUILESS_MAIN(TestPrompts)
#include "tst_prompts.moc"
