#pragma once

// Typed look-ups in the JSON objects Python writes, with Python's behaviour for a missing key (the
// default) and a clear pairtune::Error naming path for a value of the wrong type. null counts as
// missing, as Python's config classes treat None.

#include <nlohmann/json.hpp>

#include <string>

namespace pairtune::configjson {

const nlohmann::json *findValue(const nlohmann::json &object, const char *key);
[[noreturn]] void wrongType(const std::string &path, const char *key, const char *expected);
// An integer; a float with an integral value (1.0) is accepted, as Python's int() would.
int intValue(const nlohmann::json &object, const char *key, int fallback, const std::string &path);
double doubleValue(const nlohmann::json &object, const char *key, double fallback, const std::string &path);
bool boolValue(const nlohmann::json &object, const char *key, bool fallback, const std::string &path);
std::string stringValue(
    const nlohmann::json &object, const char *key, const std::string &fallback, const std::string &path);
void requireObject(const nlohmann::json &value, const std::string &path);

} // namespace pairtune::configjson
