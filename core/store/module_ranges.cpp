#include "store/module_ranges.h"

#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <sqlite3.h>

namespace loadlens::store {

namespace {

bool parseHex(std::string_view text, std::uint64_t &out)
{
    const auto *end = text.data() + text.size();
    auto [p, ec] = std::from_chars(text.data(), end, out, 16);
    return ec == std::errc() && p == end;
}

// f(start, text): the text re-based by -start (relative) or +start (absolute).
template<bool Relative>
void rebase(sqlite3_context *context, int, sqlite3_value **argv)
{
    const auto base = static_cast<std::uint64_t>(sqlite3_value_int64(argv[0]));
    const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(argv[1]));
    const std::string_view view(text ? text : "", text ? std::size_t(sqlite3_value_bytes(argv[1])) : 0);
    std::vector<MappedRange> ranges = rangesFromText(view, Relative ? 0 : base);
    const std::string out = rangesText(ranges, Relative ? base : 0);
    sqlite3_result_text64(context, out.data(), out.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

} // namespace

std::string rangesText(const std::vector<MappedRange> &ranges, std::uint64_t base)
{
    std::string out;
    char buffer[96];
    for (const auto &r : ranges) {
        std::snprintf(buffer, sizeof buffer, "%s%" PRIx64 "-%" PRIx64 " ", out.empty() ? "" : ";", r.start - base,
                      r.end - base);
        out += buffer;
        out += r.perms;
        std::snprintf(buffer, sizeof buffer, " %" PRIx64, r.offset);
        out += buffer;
    }
    return out;
}

std::vector<MappedRange> rangesFromText(std::string_view text, std::uint64_t base)
{
    std::vector<MappedRange> out;
    while (!text.empty()) {
        const auto semicolon = text.find(';');
        std::string_view item = text.substr(0, semicolon);
        text = semicolon == std::string_view::npos ? std::string_view{} : text.substr(semicolon + 1);
        const auto dash = item.find('-');
        const auto space = item.find(' ');
        const auto space2 = space == std::string_view::npos ? space : item.find(' ', space + 1);
        if (dash == std::string_view::npos || space2 == std::string_view::npos || dash > space)
            continue;
        MappedRange r;
        if (!parseHex(item.substr(0, dash), r.start) || !parseHex(item.substr(dash + 1, space - dash - 1), r.end) ||
            !parseHex(item.substr(space2 + 1), r.offset))
            continue;
        r.start += base;
        r.end += base;
        r.perms = std::string(item.substr(space + 1, space2 - space - 1));
        out.push_back(std::move(r));
    }
    return out;
}

int registerRangeFunctions(sqlite3 *db)
{
    const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY;
    int rc = sqlite3_create_function_v2(db, "loadlens_relative_ranges", 2, flags, nullptr, rebase<true>, nullptr,
                                        nullptr, nullptr);
    if (rc == SQLITE_OK)
        rc = sqlite3_create_function_v2(db, "loadlens_absolute_ranges", 2, flags, nullptr, rebase<false>, nullptr,
                                        nullptr, nullptr);
    return rc;
}

} // namespace loadlens::store
