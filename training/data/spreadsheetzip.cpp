#include "data/spreadsheetzip.h"

#include "core/error.h"

#include <memory>
#include <zip.h>

namespace pairtune {

namespace {

const char *const kResave = "; open it in Excel or LibreOffice and save it again as .xlsx";

std::string mib(std::uint64_t bytes)
{
    return std::to_string((bytes + (1 << 20) - 1) >> 20) + " MiB";
}

} // namespace

SpreadsheetZip::SpreadsheetZip(std::string path, std::string bytes, const SpreadsheetLimits &limits)
    : m_path(std::move(path))
    , m_bytes(std::move(bytes))
    , m_limits(limits)
{
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t *source = zip_source_buffer_create(m_bytes.data(), m_bytes.size(), 0, &error);
    if (source)
        m_zip = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (!m_zip) {
        const std::string reason = zip_error_strerror(&error);
        zip_error_fini(&error);
        if (source)
            zip_source_free(source);
        fail("not a readable zip file (" + reason + ")" + kResave);
    }
    zip_error_fini(&error);
}

SpreadsheetZip::~SpreadsheetZip()
{
    if (m_zip)
        zip_discard(m_zip);
}

void SpreadsheetZip::fail(const std::string &message) const
{
    throw Error(locate(m_path, 0, 0, message));
}

bool SpreadsheetZip::has(const std::string &name) const
{
    return zip_name_locate(m_zip, name.c_str(), 0) >= 0;
}

bool SpreadsheetZip::anyEncrypted() const
{
    const zip_int64_t count = zip_get_num_entries(m_zip, 0);
    for (zip_int64_t i = 0; i < count; ++i) {
        zip_stat_t stat;
        if (zip_stat_index(m_zip, zip_uint64_t(i), 0, &stat) == 0 && (stat.valid & ZIP_STAT_ENCRYPTION_METHOD)
            && stat.encryption_method != ZIP_EM_NONE)
            return true;
    }
    return false;
}

std::string SpreadsheetZip::read(const std::string &name)
{
    const zip_int64_t index = zip_name_locate(m_zip, name.c_str(), 0);
    if (index < 0)
        fail("the workbook part " + name + " is missing; the file is damaged" + kResave);
    zip_stat_t stat;
    if (zip_stat_index(m_zip, zip_uint64_t(index), 0, &stat) != 0)
        fail("cannot read " + name + " in the zip" + kResave);
    if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE)
        fail("the file is password-protected; remove the password (in Excel: File > Info > Protect "
             "Workbook; in LibreOffice: File > Properties) and save it again as .xlsx");
    const std::uint64_t declared = (stat.valid & ZIP_STAT_SIZE) ? stat.size : 0;
    const std::uint64_t packed = (stat.valid & ZIP_STAT_COMP_SIZE) ? stat.comp_size : 0;
    const std::string tooLarge = name + " inflates to more than ";
    if (declared > m_limits.maxPartBytes)
        fail(tooLarge + mib(m_limits.maxPartBytes) + " (a zip bomb or a sheet too large to import)");
    // A real sheet compresses 5-20 times; thousands of times is a bomb (small parts are let through).
    const auto ratioExceeded = [&](std::uint64_t inflated) {
        return inflated > (std::uint64_t(1) << 20)
            && inflated / std::max<std::uint64_t>(packed, 1) > m_limits.maxRatio;
    };
    if (ratioExceeded(declared))
        fail(name + " claims a compression ratio over " + std::to_string(m_limits.maxRatio)
            + ":1 (a zip bomb); the file is not imported");

    std::unique_ptr<zip_file_t, int (*)(zip_file_t *)> file(
        zip_fopen_index(m_zip, zip_uint64_t(index), 0), zip_fclose);
    if (!file)
        fail("cannot open " + name + " in the zip (" + zip_strerror(m_zip) + ")" + kResave);
    // Declared sizes can lie: count what really comes out and stop at the first bound crossed.
    std::string content;
    content.reserve(std::size_t(std::min<std::uint64_t>(declared, std::uint64_t(64) << 20)));
    char buffer[1 << 16];
    for (;;) {
        const zip_int64_t got = zip_fread(file.get(), buffer, sizeof buffer);
        if (got < 0)
            fail("the zip entry " + name + " is damaged (" + zip_file_strerror(file.get()) + ")" + kResave);
        if (got == 0)
            break;
        content.append(buffer, std::size_t(got));
        m_inflated += std::uint64_t(got);
        if (content.size() > m_limits.maxPartBytes)
            fail(tooLarge + mib(m_limits.maxPartBytes) + " (a zip bomb or a sheet too large to import)");
        if (ratioExceeded(content.size()))
            fail(name + " inflates more than " + std::to_string(m_limits.maxRatio)
                + " times its compressed size (a zip bomb); the file is not imported");
        if (m_inflated > m_limits.maxTotalBytes)
            fail("the workbook inflates to more than " + mib(m_limits.maxTotalBytes)
                + " (a zip bomb or a workbook too large to import)");
    }
    return content;
}

} // namespace pairtune
