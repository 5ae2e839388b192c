#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace pairtune {

// One sheet as displayed, before it becomes a RawTable: the .xlsx and .ods parsers fill it, the
// reader turns it into rows of cells. Row numbers are 1-based and ascending, columns 0-based.
struct SheetGrid
{
    struct Cell
    {
        std::size_t column = 0;
        std::string text;
    };
    struct Row
    {
        std::size_t number = 0;
        std::vector<Cell> cells;
        std::size_t textBytes() const
        {
            std::size_t bytes = 0;
            for (const Cell &cell : cells)
                bytes += cell.text.size();
            return bytes;
        }
    };
    std::vector<Row> rows;
    std::size_t cellCount = 0; // kept cells and their bytes, for the limits
    std::size_t textBytes = 0;
};

} // namespace pairtune
