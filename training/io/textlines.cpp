#include "io/textlines.h"

#include "core/error.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>

namespace pairtune {

std::vector<std::string> readLines(const std::string &path)
{
    std::ifstream file;
    std::istream *in = &std::cin;
    if (path != "-") {
        file.open(path, std::ios::binary);
        if (!file)
            throw Error(
                locate(path, 0, 0, std::string("cannot open: ") + std::strerror(errno)), Error::Kind::Io);
        in = &file;
    }
    std::vector<std::string> lines;
    std::string line;
    while (std::getline(*in, line)) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back();
        if (lines.empty() && line.rfind("\xEF\xBB\xBF", 0) == 0)
            line.erase(0, 3); // UTF-8 byte order mark
        lines.push_back(std::move(line));
    }
    return lines;
}

} // namespace pairtune
