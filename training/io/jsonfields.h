#pragma once

// Typed reads of one member of a JSON object (config.json, tokenizer.json, modules.json, recipes), with
// one wording for every file: a missing key or null gives the caller's default, as Python's config
// classes treat None; a value of the wrong type throws pairtune::Error naming the file, the key (with
// the caller's `where`, e.g. "model." or "added token \"<mask>\": ") and what the value must be.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pairtune::jsonfields {

// object[key], or nullptr when object is no object, the key is missing or its value is null.
const nlohmann::json *find(const nlohmann::json &object, std::string_view key);

// object[key] without copying, or a null value when find() gives nullptr (tokenizer.json's members are
// large: the vocabulary).
const nlohmann::json &memberOrNull(const nlohmann::json &object, std::string_view key);

// object["type"] when it is a string, else "" (tokenizer.json's normalizers, models, processors).
std::string typeOf(const nlohmann::json &object);

// `file: "<where><key>" must be <expected>, not <got>; fix or remove it`.
[[noreturn]] void wrongType(const std::string &file, std::string_view where, std::string_view key,
    std::string_view expected, const nlohmann::json &got);
// `file: "<where><key>" is missing; it must be <expected>`.
[[noreturn]] void missing(
    const std::string &file, std::string_view where, std::string_view key, std::string_view expected);

bool boolOr(const nlohmann::json &object, std::string_view key, bool fallback, const std::string &file,
    std::string_view where = {});
std::optional<bool> optionalBool(
    const nlohmann::json &object, std::string_view key, const std::string &file, std::string_view where = {});

// An integer; a float with an integral value (1.0) is accepted, as Python's int() would.
int intOr(const nlohmann::json &object, std::string_view key, int fallback, const std::string &file,
    std::string_view where = {});
std::int64_t requiredInt64(
    const nlohmann::json &object, std::string_view key, const std::string &file, std::string_view where = {});

double doubleOr(const nlohmann::json &object, std::string_view key, double fallback, const std::string &file,
    std::string_view where = {});

std::string stringOr(const nlohmann::json &object, std::string_view key, const std::string &fallback,
    const std::string &file, std::string_view where = {});
std::optional<std::string> optionalString(
    const nlohmann::json &object, std::string_view key, const std::string &file, std::string_view where = {});
std::string requiredString(
    const nlohmann::json &object, std::string_view key, const std::string &file, std::string_view where = {});

// An array or an object member; missing or null throws.
const nlohmann::json &requiredArray(
    const nlohmann::json &object, std::string_view key, const std::string &file, std::string_view where = {});
const nlohmann::json &requiredObject(
    const nlohmann::json &object, std::string_view key, const std::string &file, std::string_view where = {});

// Throws `file: expected a JSON object` unless value is one.
void requireObject(const nlohmann::json &value, const std::string &file);

} // namespace pairtune::jsonfields
