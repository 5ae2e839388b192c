#pragma once

// The prompts fixture (tests/data/prompts/tiny-bert-prompts: prompts query "query: ", document
// "passage: ", classification "Classify this sentence: ") and copies of it with edited configs.

#include "io/fileutil.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <string>

namespace prompttest {

inline std::string fixtureFolder()
{
    return std::string(PAIRTUNE_TEST_DATA_DIR) + "/prompts/tiny-bert-prompts";
}

// Copies the fixture to folder and lets edit change one of its JSON files (key order kept, as Python
// keeps it).
inline std::string editedCopy(const std::string &folder, const std::string &file,
    const std::function<void(nlohmann::ordered_json &)> &edit)
{
    namespace fs = std::filesystem;
    fs::remove_all(folder);
    fs::copy(fixtureFolder(), folder, fs::copy_options::recursive);
    const std::string path = folder + "/" + file;
    nlohmann::ordered_json json = nlohmann::ordered_json::parse(pairtune::readFileBytes(path));
    edit(json);
    pairtune::writeFileAtomic(path, json.dump(2));
    return folder;
}

} // namespace prompttest
