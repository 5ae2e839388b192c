#include "ui/session.h"

#include "core/error.h"
#include "ui/preferences.h"

#include <exception>

namespace pairtune::ui {
namespace {

const Preference<QString> sessionPreference { "session/state", {} };

const char *headerName(ImportOptions::Header header)
{
    switch (header) {
    case ImportOptions::Header::Present:
        return "present";
    case ImportOptions::Header::Absent:
        return "absent";
    case ImportOptions::Header::Auto:
        break;
    }
    return "auto";
}

ImportOptions::Header headerFromName(const std::string &name)
{
    if (name == "present")
        return ImportOptions::Header::Present;
    if (name == "absent")
        return ImportOptions::Header::Absent;
    return ImportOptions::Header::Auto;
}

nlohmann::json toJson(const ImportOptions &options)
{
    nlohmann::json json
        = { { "format", formatName(options.format) }, { "header", headerName(options.header) },
              { "anchor_column", options.anchorColumn }, { "positive_column", options.positiveColumn },
              { "score_column", options.scoreColumn }, { "negative_columns", options.negativeColumns },
              { "max_text_bytes", options.maxTextBytes }, { "sheet", options.sheet } };
    if (options.delimiter)
        json["delimiter"] = std::string(1, *options.delimiter);
    return json;
}

ImportOptions importOptionsFromJson(const nlohmann::json &json)
{
    ImportOptions options;
    options.format = formatFromName(json.value("format", std::string("auto")));
    options.header = headerFromName(json.value("header", std::string("auto")));
    const std::string delimiter = json.value("delimiter", std::string());
    if (delimiter.size() == 1)
        options.delimiter = delimiter.front();
    options.anchorColumn = json.value("anchor_column", std::string());
    options.positiveColumn = json.value("positive_column", std::string());
    options.scoreColumn = json.value("score_column", std::string());
    options.negativeColumns = json.value("negative_columns", std::vector<std::string>());
    options.maxTextBytes = json.value("max_text_bytes", options.maxTextBytes);
    options.sheet = json.value("sheet", std::string());
    return options;
}

QString text(const nlohmann::json &json, const char *key)
{
    return QString::fromStdString(json.value(key, std::string()));
}

// One part of a session read on its own: a part from another version that does not parse is left
// at its default instead of losing the whole session.
template <typename Read> void readPart(const nlohmann::json &json, const char *key, Read read)
{
    if (!json.contains(key))
        return;
    try {
        read(json.at(key));
    } catch (const std::exception &) { }
}

} // namespace

nlohmann::json toJson(const StudioSession &session)
{
    nlohmann::json files = nlohmann::json::array();
    for (const QString &file : session.dataFiles)
        files.push_back(file.toStdString());
    nlohmann::json json = { { "data_files", files }, { "import_options", toJson(session.importOptions) },
        { "fixes",
            { { "drop_duplicates", session.fixes.dropDuplicates }, { "drop_empty", session.fixes.dropEmpty },
                { "drop_identical_sides", session.fixes.dropIdenticalSides } } },
        { "model",
            { { "source", session.modelSource.toStdString() },
                { "folder", session.modelFolder.toStdString() },
                { "hub_repo", session.hubRepo.toStdString() },
                { "hub_revision", session.hubRevision.toStdString() } } },
        { "current_run", session.currentRun.toStdString() }, { "step", session.step } };
    if (session.settings)
        json["settings"] = toJson(*session.settings);
    return json;
}

StudioSession studioSessionFromJson(const nlohmann::json &json)
{
    if (!json.is_object())
        throw Error("the saved session is not a JSON object");
    StudioSession session;
    readPart(json, "data_files", [&](const nlohmann::json &files) {
        for (const nlohmann::json &file : files)
            session.dataFiles << QString::fromStdString(file.get<std::string>());
    });
    readPart(json, "import_options",
        [&](const nlohmann::json &options) { session.importOptions = importOptionsFromJson(options); });
    readPart(json, "fixes", [&](const nlohmann::json &fixes) {
        session.fixes.dropDuplicates = fixes.value("drop_duplicates", false);
        session.fixes.dropEmpty = fixes.value("drop_empty", false);
        session.fixes.dropIdenticalSides = fixes.value("drop_identical_sides", false);
    });
    readPart(json, "model", [&](const nlohmann::json &model) {
        session.modelSource = text(model, "source");
        session.modelFolder = text(model, "folder");
        session.hubRepo = text(model, "hub_repo");
        session.hubRevision = text(model, "hub_revision");
    });
    readPart(json, "settings", [&](const nlohmann::json &settings) {
        session.settings = trainingConfigFromJson(settings, "the saved session");
    });
    readPart(json, "current_run", [&](const nlohmann::json &run) {
        session.currentRun = QString::fromStdString(run.get<std::string>());
    });
    readPart(json, "step", [&](const nlohmann::json &step) { session.step = step.get<int>(); });
    return session;
}

std::optional<StudioSession> loadStudioSession()
{
    const QString saved = sessionPreference.get();
    if (saved.isEmpty())
        return std::nullopt;
    try {
        return studioSessionFromJson(nlohmann::json::parse(saved.toStdString()));
    } catch (const std::exception &) {
        return std::nullopt; // damaged by hand or by another version: start fresh
    }
}

void saveStudioSession(const StudioSession &session)
{
    sessionPreference.set(QString::fromStdString(toJson(session).dump()));
}

void clearStudioSession()
{
    sessionPreference.reset();
}

} // namespace pairtune::ui
