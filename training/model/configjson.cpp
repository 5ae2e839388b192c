#include "model/configjson.h"

#include "core/error.h"

#include <cmath>

namespace pairtune::configjson {

using nlohmann::json;

const json *findValue(const json &object, const char *key)
{
    const auto it = object.find(key);
    if (it == object.end() || it->is_null())
        return nullptr;
    return &*it;
}

[[noreturn]] void wrongType(const std::string &path, const char *key, const char *expected)
{
    throw Error(locate(path, 0, 0, std::string("\"") + key + "\" must be " + expected));
}

int intValue(const json &object, const char *key, int fallback, const std::string &path)
{
    const json *value = findValue(object, key);
    if (!value)
        return fallback;
    if (value->is_number_integer())
        return value->get<int>();
    if (value->is_number_float()) {
        const double d = value->get<double>();
        if (std::floor(d) == d && std::abs(d) < 2e9)
            return static_cast<int>(d);
    }
    wrongType(path, key, "an integer");
}

double doubleValue(const json &object, const char *key, double fallback, const std::string &path)
{
    const json *value = findValue(object, key);
    if (!value)
        return fallback;
    if (!value->is_number())
        wrongType(path, key, "a number");
    return value->get<double>();
}

bool boolValue(const json &object, const char *key, bool fallback, const std::string &path)
{
    const json *value = findValue(object, key);
    if (!value)
        return fallback;
    if (!value->is_boolean())
        wrongType(path, key, "true or false");
    return value->get<bool>();
}

std::string stringValue(
    const json &object, const char *key, const std::string &fallback, const std::string &path)
{
    const json *value = findValue(object, key);
    if (!value)
        return fallback;
    if (!value->is_string())
        wrongType(path, key, "a string");
    return value->get<std::string>();
}

void requireObject(const json &value, const std::string &path)
{
    if (!value.is_object())
        throw Error(locate(path, 0, 0, "expected a JSON object"));
}

} // namespace pairtune::configjson
