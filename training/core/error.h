#pragma once

#include <stdexcept>
#include <string>

namespace pairtune {

// The one exception type the engine throws for problems a person can act on: bad input files,
// unsupported model folders, invalid settings, I/O failures. The message is complete and meant
// to be shown as is ("FILE:LINE:COLUMN: what is wrong, what to do").
// Anything else escaping the engine (std::bad_alloc, c10::Error) is a bug or a resource problem;
// callers catch those at the thread boundary too, but with a generic prefix.
class Error : public std::runtime_error
{
public:
    enum class Kind {
        InvalidInput, // a data file, model folder or argument is malformed or unsupported
        Io, // reading or writing a file failed
        Cancelled, // the user asked to stop
        Numeric, // training diverged (non-finite loss)
    };

    explicit Error(std::string message, Kind kind = Kind::InvalidInput);

    Kind kind() const noexcept { return m_kind; }

private:
    Kind m_kind;
};

// Builds "path: message" or "path:line:column: message" (line/column omitted when zero).
std::string locate(const std::string &path, std::size_t line, std::size_t column, const std::string &message);

} // namespace pairtune
