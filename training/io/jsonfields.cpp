#include "io/jsonfields.h"

#include "core/error.h"

#include <cmath>

namespace pairtune::jsonfields {

using nlohmann::json;

namespace {

// The offending value as the message shows it: short values whole, long ones cut.
std::string brief(const json &value)
{
    std::string text = value.dump();
    if (text.size() > 60)
        text = text.substr(0, 57) + "...";
    return text;
}

std::string quotedKey(std::string_view where, std::string_view key)
{
    return "\"" + std::string(where) + std::string(key) + "\"";
}

} // namespace

const json *find(const json &object, std::string_view key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return nullptr;
    return &*it;
}

const json &memberOrNull(const json &object, std::string_view key)
{
    static const json null;
    const json *value = find(object, key);
    return value ? *value : null;
}

std::string typeOf(const json &object)
{
    const json *type = find(object, "type");
    return type && type->is_string() ? type->get<std::string>() : std::string();
}

void wrongType(const std::string &file, std::string_view where, std::string_view key,
    std::string_view expected, const json &got)
{
    throw Error(locate(file, 0, 0,
        quotedKey(where, key) + " must be " + std::string(expected) + ", not " + brief(got)
            + "; fix or remove it"));
}

void missing(const std::string &file, std::string_view where, std::string_view key, std::string_view expected)
{
    throw Error(
        locate(file, 0, 0, quotedKey(where, key) + " is missing; it must be " + std::string(expected)));
}

bool boolOr(
    const json &object, std::string_view key, bool fallback, const std::string &file, std::string_view where)
{
    return optionalBool(object, key, file, where).value_or(fallback);
}

std::optional<bool> optionalBool(
    const json &object, std::string_view key, const std::string &file, std::string_view where)
{
    const json *value = find(object, key);
    if (!value)
        return std::nullopt;
    if (!value->is_boolean())
        wrongType(file, where, key, "true or false", *value);
    return value->get<bool>();
}

int intOr(
    const json &object, std::string_view key, int fallback, const std::string &file, std::string_view where)
{
    const json *value = find(object, key);
    if (!value)
        return fallback;
    if (value->is_number_integer()) {
        const auto v = value->get<std::int64_t>();
        if (v >= INT32_MIN && v <= INT32_MAX)
            return static_cast<int>(v);
    } else if (value->is_number_float()) {
        const double d = value->get<double>();
        if (std::floor(d) == d && std::abs(d) < 2e9)
            return static_cast<int>(d);
    }
    wrongType(file, where, key, "an integer", *value);
}

std::int64_t requiredInt64(
    const json &object, std::string_view key, const std::string &file, std::string_view where)
{
    const json *value = find(object, key);
    if (!value)
        missing(file, where, key, "an integer");
    if (!value->is_number_integer())
        wrongType(file, where, key, "an integer", *value);
    return value->get<std::int64_t>();
}

double doubleOr(const json &object, std::string_view key, double fallback, const std::string &file,
    std::string_view where)
{
    const json *value = find(object, key);
    if (!value)
        return fallback;
    if (!value->is_number())
        wrongType(file, where, key, "a number", *value);
    return value->get<double>();
}

std::string stringOr(const json &object, std::string_view key, const std::string &fallback,
    const std::string &file, std::string_view where)
{
    return optionalString(object, key, file, where).value_or(fallback);
}

std::optional<std::string> optionalString(
    const json &object, std::string_view key, const std::string &file, std::string_view where)
{
    const json *value = find(object, key);
    if (!value)
        return std::nullopt;
    if (!value->is_string())
        wrongType(file, where, key, "a string", *value);
    return value->get<std::string>();
}

std::string requiredString(
    const json &object, std::string_view key, const std::string &file, std::string_view where)
{
    const std::optional<std::string> value = optionalString(object, key, file, where);
    if (!value)
        missing(file, where, key, "a string");
    return *value;
}

const json &requiredArray(
    const json &object, std::string_view key, const std::string &file, std::string_view where)
{
    const json *value = find(object, key);
    if (!value)
        missing(file, where, key, "a list");
    if (!value->is_array())
        wrongType(file, where, key, "a list", *value);
    return *value;
}

const json &requiredObject(
    const json &object, std::string_view key, const std::string &file, std::string_view where)
{
    const json *value = find(object, key);
    if (!value)
        missing(file, where, key, "an object");
    if (!value->is_object())
        wrongType(file, where, key, "an object", *value);
    return *value;
}

void requireObject(const json &value, const std::string &file)
{
    if (!value.is_object())
        throw Error(locate(file, 0, 0, "expected a JSON object"));
}

} // namespace pairtune::jsonfields
