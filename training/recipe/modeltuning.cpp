#include "recipe/modeltuning.h"

#include "core/error.h"
#include "io/jsonfields.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace pairtune {
namespace {

using json = nlohmann::json;

// Where a run goes and what computer it uses are not the model's business.
bool isRecipeKnob(const std::string &key)
{
    for (const auto *notKnobs : { &runInputKeys(), &machineKeys() })
        if (std::find(notKnobs->begin(), notKnobs->end(), key) != notKnobs->end())
            return false;
    return true;
}

std::string valueText(const json &value)
{
    if (value.is_string())
        return value.get<std::string>();
    std::ostringstream out; // shortest readable form: 20, 0.0003, 2e-05
    out << value.get<double>();
    return out.str();
}

std::string flagName(const std::string &key)
{
    std::string flag = "--" + key;
    for (char &c : flag)
        if (c == '_')
            c = '-';
    return flag;
}

// Checks the knobs by running them through TrainingConfig's own reader (unknown keys and wrong types
// throw there) and keeps them as given, sorted by name.
json readKnobs(const json &object, const std::string &source, const char *field)
{
    const std::string where = source + ": \"" + field + "\"";
    if (!object.is_object())
        throw Error(where + " must be an object of training settings, e.g. {\"lr\": 3e-4}");
    for (const auto &[key, value] : object.items()) {
        if (!isRecipeKnob(key))
            throw Error(where + " names \"" + key + "\", which is not a recipe setting; remove it");
        if (!value.is_number() && !value.is_string())
            throw Error(where + ": \"" + key
                + "\" must be a number or a name (on/off switches are not "
                  "supported here)");
    }
    json merged = toJson(TrainingConfig {});
    for (const auto &[key, value] : object.items())
        merged[key] = value;
    trainingConfigFromJson(merged, where); // throws on an unknown key or a value of the wrong type
    return object;
}

// "--lr 0.0003 --epochs 4" (asFlags) or "lr 2e-05, epochs 4".
std::string describe(const json &knobs, bool asFlags)
{
    std::string text;
    for (const auto &[key, value] : knobs.items()) {
        if (!text.empty())
            text += asFlags ? " " : ", ";
        text += (asFlags ? flagName(key) : key) + " " + valueText(value);
    }
    return text;
}

} // namespace

ModelTuning modelTuningFromJson(const json &json, const std::string &source)
{
    if (!json.is_object())
        throw Error(source + ": must be a JSON object (docs/model-tuning.md)");
    for (const auto &[key, value] : json.items())
        if (key != "pairtune_tuning" && key != "settings" && key != "tested" && key != "slow_settings"
            && key != "slow_result")
            throw Error(source + ": unknown key \"" + key + "\" (docs/model-tuning.md lists the keys)");
    const auto version = json.find("pairtune_tuning");
    if (version == json.end() || !version->is_number_integer() || *version != 1)
        throw Error(source + ": \"pairtune_tuning\" must be 1 (the file's format version)");
    ModelTuning tuning;
    tuning.source = source;
    tuning.settings = readKnobs(json.value("settings", json::object()), source, "settings");
    if (tuning.settings.empty())
        throw Error(source + ": \"settings\" is empty; give the tested settings, e.g. {\"lr\": 3e-4}");
    tuning.tested = jsonfields::stringOr(json, "tested", "", source);
    if (json.contains("slow_settings"))
        tuning.slowSettings = readKnobs(json["slow_settings"], source, "slow_settings");
    tuning.slowResult = jsonfields::stringOr(json, "slow_result", "", source);
    return tuning;
}

std::optional<ModelTuning> readModelTuning(const std::string &folder)
{
    const std::filesystem::path path = std::filesystem::path(folder) / kModelTuningFile;
    std::error_code error;
    if (folder.empty() || !std::filesystem::is_regular_file(path, error))
        return std::nullopt;
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(path.string() + ": cannot be read; check its permissions", Error::Kind::Io);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    json parsed;
    try {
        parsed = json::parse(text);
    } catch (const json::parse_error &e) {
        throw Error(path.string() + ": not valid JSON (" + e.what() + "); fix or remove the file");
    }
    return modelTuningFromJson(parsed, path.string());
}

TrainingConfig applyModelTuning(const TrainingConfig &config, const ModelTuning &tuning)
{
    json merged = toJson(config);
    for (const auto &[key, value] : tuning.settings.items())
        merged[key] = value;
    return trainingConfigFromJson(merged, tuning.source);
}

std::string tuningFlags(const ModelTuning &tuning)
{
    return describe(tuning.settings, true);
}

bool usesSlowSettings(const TrainingConfig &config, const ModelTuning &tuning)
{
    if (tuning.slowSettings.empty())
        return false;
    const json current = toJson(config);
    for (const auto &[key, value] : tuning.slowSettings.items())
        if (current.at(key) != value) // numbers compare by value (2e-5 == 2e-05, 20 == 20.0)
            return false;
    return true;
}

std::string slowSettingsWarning(const TrainingConfig &config, const ModelTuning &tuning)
{
    if (!usesSlowSettings(config, tuning))
        return {};
    std::string line = describe(tuning.slowSettings, false) + " barely moves this model";
    if (!tuning.slowResult.empty())
        line += " (" + tuning.slowResult + ")";
    return line + "; its tested settings: " + tuningFlags(tuning) + " (" + kModelTuningFile
        + " in its folder)";
}

} // namespace pairtune
