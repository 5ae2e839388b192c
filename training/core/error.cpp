#include "core/error.h"

namespace pairtune {

Error::Error(std::string message, Kind kind)
    : std::runtime_error(message)
    , m_kind(kind)
{ }

std::string locate(const std::string &path, std::size_t line, std::size_t column, const std::string &message)
{
    std::string out = path;
    if (line > 0) {
        out += ':' + std::to_string(line);
        if (column > 0)
            out += ':' + std::to_string(column);
    }
    out += ": ";
    out += message;
    return out;
}

} // namespace pairtune
