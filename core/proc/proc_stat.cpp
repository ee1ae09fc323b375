#include "proc/proc_stat.h"

#include <charconv>

namespace loadlens::proc {

namespace {

template<typename T>
bool toNumber(std::string_view token, T &out)
{
    if (token.empty())
        return false;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), out);
    return ec == std::errc() && ptr == token.data() + token.size();
}

// Next space-separated token of `text`, consumed.
std::string_view nextToken(std::string_view &text)
{
    const std::size_t begin = text.find_first_not_of(' ');
    if (begin == std::string_view::npos) {
        text = {};
        return {};
    }
    text.remove_prefix(begin);
    const std::size_t end = text.find(' ');
    const std::string_view token = text.substr(0, end);
    text.remove_prefix(end == std::string_view::npos ? text.size() : end);
    return token;
}

} // namespace

std::optional<ProcStat> parseProcStat(std::string_view text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0'))
        text.remove_suffix(1);
    const std::size_t open = text.find(" (");
    const std::size_t close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open + 1)
        return std::nullopt;

    ProcStat stat;
    if (!toNumber(text.substr(0, open), stat.pid) || stat.pid <= 0)
        return std::nullopt;
    stat.comm.assign(text.substr(open + 2, close - open - 2));

    std::string_view rest = text.substr(close + 1);
    // Fields 3.. : index 0 is field 3.
    for (int field = 3; field <= 22; ++field) {
        const std::string_view token = nextToken(rest);
        if (token.empty())
            return std::nullopt;
        bool ok = true;
        switch (field) {
        case 3:
            ok = token.size() == 1;
            stat.state = token.front();
            break;
        case 4: ok = toNumber(token, stat.ppid) && stat.ppid >= 0; break;
        case 9: ok = toNumber(token, stat.flags); break;
        case 22: ok = toNumber(token, stat.startTime); break;
        default: break;
        }
        if (!ok)
            return std::nullopt;
    }
    return stat;
}

std::optional<int> parseStatusTgid(std::string_view text)
{
    constexpr std::string_view key = "Tgid:";
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        if (line.substr(0, key.size()) != key)
            continue;
        line.remove_prefix(key.size());
        const std::size_t begin = line.find_first_not_of(" \t");
        if (begin == std::string_view::npos)
            return std::nullopt;
        int tgid = 0;
        if (!toNumber(line.substr(begin), tgid) || tgid <= 0)
            return std::nullopt;
        return tgid;
    }
    return std::nullopt;
}

} // namespace loadlens::proc
