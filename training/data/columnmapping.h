#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pairtune {

// Which raw column plays which role. Column indices refer to PreviewTable::columnNames (and to the
// reader's columns: header fields, JSON keys in first-seen order, or positions).
struct ColumnMapping
{
    static constexpr std::size_t none = std::size_t(-1);
    std::size_t anchor = none;
    std::size_t positive = none;
    std::size_t score = none;
    std::vector<std::size_t> negatives;
    std::vector<std::size_t> ignored;
};

} // namespace pairtune
