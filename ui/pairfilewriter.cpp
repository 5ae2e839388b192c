#include "ui/pairfilewriter.h"

#include "core/error.h"
#include "data/pairdataset.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace pairtune::ui {

void writePairsJsonl(const PairDataset &dataset, const std::string &path)
{
    namespace fs = std::filesystem;
    const fs::path target(path);
    std::error_code ec;
    if (target.has_parent_path())
        fs::create_directories(target.parent_path(), ec);
    const fs::path temporary = target.string() + ".partial";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(locate(path, 0, 0, "cannot write the prepared pairs here"), Error::Kind::Io);
        for (const PairRecord &record : dataset.records()) {
            nlohmann::json line = { { "anchor", record.anchor }, { "positive", record.positive } };
            for (std::size_t i = 0; i < record.negatives.size(); ++i)
                line["negative_" + std::to_string(i + 1)] = record.negatives[i];
            if (record.score)
                line["score"] = *record.score;
            out << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::strict) << '\n';
        }
        out.flush();
        if (!out)
            throw Error(
                locate(path, 0, 0, "writing the prepared pairs failed (disk full?)"), Error::Kind::Io);
    }
    fs::rename(temporary, target, ec);
    if (ec)
        throw Error(locate(path, 0, 0, "cannot move the prepared pairs into place: " + ec.message()),
            Error::Kind::Io);
}

} // namespace pairtune::ui
