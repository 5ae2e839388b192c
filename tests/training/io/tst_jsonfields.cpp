// io/jsonfields: the typed member reads every config reader uses. Python's semantics for a missing key
// or null (the default), Python's int() for 1.0, and errors that name the file, the key with its place
// in the file, what the value must be and what it was.

#include "core/error.h"
#include "io/jsonfields.h"

#include <QtTest>

using namespace pairtune;
using nlohmann::json;

namespace {

// The message of the pairtune::Error that read throws, or "" when it throws none.
template <typename Read> QString errorOf(Read &&read)
{
    try {
        read();
    } catch (const Error &e) {
        return QString::fromUtf8(e.what());
    }
    return {};
}

} // namespace

class TestJsonFields : public QObject
{
    Q_OBJECT

private slots:
    void missingAndNullGiveTheDefault()
    {
        const json object = { { "flag", nullptr }, { "name", nullptr } };
        QCOMPARE(jsonfields::boolOr(object, "flag", true, "f.json"), true);
        QCOMPARE(jsonfields::boolOr(object, "absent", false, "f.json"), false);
        QCOMPARE(jsonfields::intOr(object, "absent", 7, "f.json"), 7);
        QCOMPARE(jsonfields::doubleOr(object, "absent", 0.5, "f.json"), 0.5);
        QCOMPARE(jsonfields::stringOr(object, "name", "x", "f.json"), std::string("x"));
        QVERIFY(!jsonfields::optionalString(object, "name", "f.json"));
        QVERIFY(!jsonfields::optionalBool(object, "flag", "f.json"));
        QVERIFY(jsonfields::find(object, "flag") == nullptr);
        QVERIFY(jsonfields::memberOrNull(object, "absent").is_null());
        QVERIFY(jsonfields::find(json::array({ 1 }), "flag") == nullptr); // not an object: nothing found
    }

    void presentValuesAreRead()
    {
        const json object = { { "on", true }, { "n", 12 }, { "f", 3.0 }, { "x", 0.25 }, { "s", "gelu" },
            { "type", "Strip" }, { "list", json::array({ 1, 2 }) }, { "obj", json::object() } };
        QCOMPARE(jsonfields::boolOr(object, "on", false, "f.json"), true);
        QCOMPARE(jsonfields::intOr(object, "n", 0, "f.json"), 12);
        QCOMPARE(jsonfields::intOr(object, "f", 0, "f.json"), 3); // Python's int(3.0)
        QCOMPARE(jsonfields::requiredInt64(object, "n", "f.json"), std::int64_t(12));
        QCOMPARE(jsonfields::doubleOr(object, "n", 0.0, "f.json"), 12.0);
        QCOMPARE(jsonfields::doubleOr(object, "x", 0.0, "f.json"), 0.25);
        QCOMPARE(jsonfields::requiredString(object, "s", "f.json"), std::string("gelu"));
        QCOMPARE(jsonfields::typeOf(object), std::string("Strip"));
        QCOMPARE(jsonfields::typeOf(json::object()), std::string());
        QCOMPARE(jsonfields::requiredArray(object, "list", "f.json").size(), std::size_t(2));
        QVERIFY(jsonfields::requiredObject(object, "obj", "f.json").is_object());
    }

    void wrongTypesNameFileKeyAndValue_data()
    {
        QTest::addColumn<QString>("message");
        QTest::addColumn<QString>("expected");
        const json object = { { "lstrip", "yes" }, { "hidden_size", 7.5 }, { "name", 3 }, { "lr", "fast" },
            { "vocab", "x" }, { "big", 5000000000LL } };
        const std::string file = "/models/m/tokenizer.json";
        QTest::newRow("bool") << errorOf([&] {
            jsonfields::boolOr(object, "lstrip", false, file, "added_tokens.");
        }) << R"(/models/m/tokenizer.json: "added_tokens.lstrip" must be true or false, not "yes"; fix or remove it)";
        QTest::newRow("non-integral float")
            << errorOf([&] { jsonfields::intOr(object, "hidden_size", 768, file); })
            << R"(/models/m/tokenizer.json: "hidden_size" must be an integer, not 7.5; fix or remove it)";
        QTest::newRow("int out of range")
            << errorOf([&] { jsonfields::intOr(object, "big", 0, file); })
            << R"(/models/m/tokenizer.json: "big" must be an integer, not 5000000000; fix or remove it)";
        QTest::newRow("string") << errorOf([&] {
            jsonfields::stringOr(object, "name", "", file, "model.");
        }) << R"(/models/m/tokenizer.json: "model.name" must be a string, not 3; fix or remove it)";
        QTest::newRow("number") << errorOf([&] {
            jsonfields::doubleOr(object, "lr", 0.0, file);
        }) << R"(/models/m/tokenizer.json: "lr" must be a number, not "fast"; fix or remove it)";
        QTest::newRow("array") << errorOf([&] {
            jsonfields::requiredArray(object, "vocab", file, "model.");
        }) << R"(/models/m/tokenizer.json: "model.vocab" must be a list, not "x"; fix or remove it)";
        QTest::newRow("missing") << errorOf([&] {
            jsonfields::requiredString(object, "content", file, "added_tokens.");
        }) << R"(/models/m/tokenizer.json: "added_tokens.content" is missing; it must be a string)";
        QTest::newRow("not an object") << errorOf([&] { jsonfields::requireObject(json::array(), file); })
                                       << R"(/models/m/tokenizer.json: expected a JSON object)";
    }

    void wrongTypesNameFileKeyAndValue()
    {
        QFETCH(QString, message);
        QFETCH(QString, expected);
        QCOMPARE(message, expected);
    }

    void longValuesAreCutInMessages()
    {
        const json object = { { "k", std::string(500, 'a') } };
        const QString message = errorOf([&] { jsonfields::intOr(object, "k", 0, "f.json"); });
        QVERIFY2(message.contains("\"k\" must be an integer, not \"aaa") && message.contains("...;"),
            qPrintable(message));
        QVERIFY2(message.size() < 200, qPrintable(message));
    }
};

QTEST_GUILESS_MAIN(TestJsonFields)
#include "tst_jsonfields.moc"
