#include "pkg/dpkg_parse.h"
#include "common/hex.h"

namespace loadlens::pkg {

namespace {

int hexValue(char c) { return hexDigitValue(c); }

bool isBlank(std::string_view line)
{
    for (char c : line)
        if (c != ' ' && c != '\t' && c != '\r')
            return false;
    return true;
}

} // namespace

bool hexToMd5(std::string_view hex, Md5Bytes &out)
{
    if (hex.size() != 32)
        return false;
    for (std::size_t i = 0; i < 16; ++i) {
        const int hi = hexValue(hex[2 * i]);
        const int lo = hexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return true;
}

std::string md5ToHex(const Md5Bytes &md5)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(32, '0');
    for (std::size_t i = 0; i < 16; ++i) {
        hex[2 * i] = digits[md5[i] >> 4];
        hex[2 * i + 1] = digits[md5[i] & 0xf];
    }
    return hex;
}

LineStatus parseListLine(std::string_view line, std::string_view &path)
{
    if (line.empty())
        return LineStatus::Blank;
    // A path containing NUL or CR cannot come from dpkg and would never match a real path.
    if (line.front() != '/' || line.find('\0') != std::string_view::npos || line.back() == '\r')
        return LineStatus::Corrupt;
    path = line;
    return LineStatus::Ok;
}

LineStatus parseMd5sumsLine(std::string_view line, Md5Bytes &md5, std::string_view &relativePath)
{
    if (isBlank(line))
        return LineStatus::Blank;
    if (line.size() < 35 || line[32] != ' ' || (line[33] != ' ' && line[33] != '*'))
        return LineStatus::Corrupt;
    if (!hexToMd5(line.substr(0, 32), md5))
        return LineStatus::Corrupt;
    std::string_view path = line.substr(34);
    while (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    if (path.empty() || path.find('\0') != std::string_view::npos || path.back() == '\r')
        return LineStatus::Corrupt;
    relativePath = path;
    return LineStatus::Ok;
}

DiversionsParse parseDiversions(std::string_view text)
{
    DiversionsParse out;
    std::string_view fields[3];
    std::size_t filled = 0;
    std::size_t firstLine = 0;
    forEachLine(text, [&](std::string_view line, std::size_t number) {
        if (filled == 0)
            firstLine = number;
        fields[filled++] = line;
        if (filled < 3)
            return;
        filled = 0;
        const std::string_view package = fields[2];
        if (fields[0].empty() || fields[0].front() != '/' || fields[1].empty() || fields[1].front() != '/'
            || package.empty() || package.find_first_of(" \t/\r") != std::string_view::npos) {
            out.issues.push_back({firstLine, "malformed diversion record (expected original path, "
                                             "diverted-to path, package or ':')"});
            return;
        }
        DiversionRecord record;
        record.original.assign(fields[0]);
        record.divertedTo.assign(fields[1]);
        if (package != ":")
            record.package.assign(package);
        out.records.push_back(std::move(record));
    });
    if (filled != 0)
        out.issues.push_back({firstLine, "incomplete diversion record at end of file"});
    return out;
}

} // namespace loadlens::pkg
