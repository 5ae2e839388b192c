#pragma once

#include "data/spreadsheetreader.h"

#include <cstdint>
#include <string>

struct zip;

namespace pairtune {

// The zip container of an .xlsx or .ods file (libzip), read from memory with the bounds of
// SpreadsheetLimits: a part's declared size, its inflated bytes as they arrive, the sum over all
// parts read and the compression ratio, so a zip bomb ends in an Error before it fills memory.
class SpreadsheetZip
{
public:
    // path names the file in messages; bytes are its contents (they must start with "PK").
    SpreadsheetZip(std::string path, std::string bytes, const SpreadsheetLimits &limits);
    ~SpreadsheetZip();
    SpreadsheetZip(const SpreadsheetZip &) = delete;
    SpreadsheetZip &operator=(const SpreadsheetZip &) = delete;

    bool has(const std::string &name) const;
    // The part's bytes; throws pairtune::Error when it is missing, encrypted, damaged or too large.
    std::string read(const std::string &name);
    // True when any entry uses zip encryption (a password-protected .ods or a zip made by hand).
    bool anyEncrypted() const;
    const std::string &path() const { return m_path; }

private:
    [[noreturn]] void fail(const std::string &message) const;

    std::string m_path;
    std::string m_bytes; // libzip reads from here; it must outlive m_zip
    SpreadsheetLimits m_limits;
    zip *m_zip = nullptr;
    std::uint64_t m_inflated = 0;
};

} // namespace pairtune
