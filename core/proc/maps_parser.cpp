#include "proc/maps_parser.h"
#include "common/hex.h"

#include <algorithm>
#include <cstring>

namespace loadlens::proc {

namespace {

constexpr std::string_view kDeletedSuffix = " (deleted)";

int hexValue(char c) { return hexDigitValue(c); }

// Consumes 1..maxDigits hex digits from the front of `text`.
bool takeHex(std::string_view &text, std::uint64_t &out, std::size_t maxDigits)
{
    std::uint64_t value = 0;
    std::size_t i = 0;
    for (; i < text.size(); ++i) {
        const int digit = hexValue(text[i]);
        if (digit < 0)
            break;
        if (i == maxDigits)
            return false;
        value = (value << 4) | static_cast<std::uint64_t>(digit);
    }
    if (i == 0)
        return false;
    text.remove_prefix(i);
    out = value;
    return true;
}

bool takeDecimal(std::string_view &text, std::uint64_t &out)
{
    std::uint64_t value = 0;
    std::size_t i = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (value > (UINT64_MAX - digit) / 10)
            return false;
        value = value * 10 + digit;
    }
    if (i == 0)
        return false;
    text.remove_prefix(i);
    out = value;
    return true;
}

bool takeChar(std::string_view &text, char c)
{
    if (text.empty() || text.front() != c)
        return false;
    text.remove_prefix(1);
    return true;
}

bool validPerms(std::string_view p)
{
    return p.size() == 4 && (p[0] == 'r' || p[0] == '-') && (p[1] == 'w' || p[1] == '-') &&
           (p[2] == 'x' || p[2] == '-') && (p[3] == 'p' || p[3] == 's');
}

} // namespace

std::string unescapeMapsPath(std::string_view raw)
{
    std::string out;
    out.reserve(raw.size());
    std::size_t i = 0;
    while (i < raw.size()) {
        const std::size_t slash = raw.find("\\012", i);
        if (slash == std::string_view::npos) {
            out.append(raw.substr(i));
            break;
        }
        out.append(raw.substr(i, slash - i));
        out.push_back('\n');
        i = slash + 4;
    }
    return out;
}

std::optional<MapsEntry> parseMapsLine(std::string_view line)
{
    if (!line.empty() && line.back() == '\n')
        line.remove_suffix(1);
    if (line.find('\n') != std::string_view::npos || line.find('\0') != std::string_view::npos)
        return std::nullopt;

    MapsEntry entry;
    std::uint64_t major = 0;
    std::uint64_t minor = 0;
    std::string_view rest = line;
    if (!takeHex(rest, entry.start, 16) || !takeChar(rest, '-') || !takeHex(rest, entry.end, 16) ||
        !takeChar(rest, ' '))
        return std::nullopt;
    if (entry.end <= entry.start || rest.size() < 5 || !validPerms(rest.substr(0, 4)))
        return std::nullopt;
    entry.perms.assign(rest.substr(0, 4));
    rest.remove_prefix(4);
    if (!takeChar(rest, ' ') || !takeHex(rest, entry.offset, 16) || !takeChar(rest, ' ') ||
        !takeHex(rest, major, 8) || !takeChar(rest, ':') || !takeHex(rest, minor, 8) ||
        !takeChar(rest, ' ') || !takeDecimal(rest, entry.inode))
        return std::nullopt;
    if (major > UINT32_MAX || minor > UINT32_MAX)
        return std::nullopt;
    entry.devMajor = static_cast<std::uint32_t>(major);
    entry.devMinor = static_cast<std::uint32_t>(minor);

    // The kernel pads the fixed columns with spaces before the name; anonymous regions end in
    // the padding. Names are absolute paths or bracketed, so no name starts with a space.
    if (!rest.empty() && rest.front() != ' ')
        return std::nullopt;
    const std::size_t nameStart = rest.find_first_not_of(' ');
    if (nameStart == std::string_view::npos)
        return entry;
    std::string_view name = rest.substr(nameStart);
    if (name.size() > kDeletedSuffix.size() &&
        name.substr(name.size() - kDeletedSuffix.size()) == kDeletedSuffix) {
        entry.deletedSuffix = true;
        name.remove_suffix(kDeletedSuffix.size());
    }
    if (name.find('\\') == std::string_view::npos)
        entry.path.assign(name);
    else
        entry.path = unescapeMapsPath(name);
    return entry;
}

ParsedMaps parseMaps(std::string_view buffer)
{
    ParsedMaps out;
    out.entries.reserve(static_cast<std::size_t>(std::count(buffer.begin(), buffer.end(), '\n')) + 1);
    std::size_t pos = 0;
    while (pos < buffer.size()) {
        const void *nl = std::memchr(buffer.data() + pos, '\n', buffer.size() - pos);
        const std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char *>(nl) - buffer.data())
                                   : buffer.size();
        const std::string_view line = buffer.substr(pos, end - pos);
        pos = end + 1;
        if (line.empty())
            continue;
        if (auto entry = parseMapsLine(line))
            out.entries.push_back(std::move(*entry));
        else
            ++out.malformedLines;
    }
    return out;
}

} // namespace loadlens::proc
