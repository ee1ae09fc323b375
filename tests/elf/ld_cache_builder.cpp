#include "ld_cache_builder.h"

#include <cstring>

namespace loadlens::elftest {

namespace {

void put(std::vector<std::uint8_t> &b, std::size_t at, std::uint64_t v, int width, bool big)
{
    for (int i = 0; i < width; ++i)
        b.at(at + std::size_t(i)) = static_cast<std::uint8_t>(v >> (big ? 8 * (width - 1 - i) : 8 * i));
}

// Appends the new-format block at the end of `out`; returns nothing, offsets are relative to
// the block start. `stringOffsets` receives (key, value) per entry relative to that start.
void appendNew(std::vector<std::uint8_t> &out, const std::vector<CacheEntrySpec> &entries, bool big,
               std::vector<std::pair<std::uint32_t, std::uint32_t>> *stringOffsets = nullptr)
{
    const std::size_t base = out.size();
    const std::size_t stringsStart = 48 + entries.size() * 24;
    std::string strings;
    std::vector<std::pair<std::uint32_t, std::uint32_t>> offsets;
    for (const auto &e : entries) {
        const auto key = std::uint32_t(stringsStart + strings.size());
        strings += e.soname;
        strings.push_back('\0');
        const auto value = std::uint32_t(stringsStart + strings.size());
        strings += e.path;
        strings.push_back('\0');
        offsets.emplace_back(key, value);
    }
    out.resize(base + stringsStart + strings.size(), 0);
    std::memcpy(out.data() + base, "glibc-ld.so.cache1.1", 20);
    put(out, base + 20, entries.size(), 4, big);
    put(out, base + 24, strings.size(), 4, big);
    out[base + 28] = big ? 3 : 2;
    for (std::size_t i = 0; i < entries.size(); ++i) {
        const std::size_t e = base + 48 + i * 24;
        put(out, e, entries[i].flags, 4, big);
        put(out, e + 4, offsets[i].first, 4, big);
        put(out, e + 8, offsets[i].second, 4, big);
        put(out, e + 16, entries[i].hwcap, 8, big);
    }
    std::memcpy(out.data() + base + stringsStart, strings.data(), strings.size());
    if (stringOffsets)
        *stringOffsets = offsets;
}

} // namespace

std::vector<std::uint8_t> buildNewLdCache(const std::vector<CacheEntrySpec> &entries, bool bigEndian)
{
    std::vector<std::uint8_t> out;
    appendNew(out, entries, bigEndian);
    return out;
}

std::vector<std::uint8_t> buildOldLdCache(const std::vector<CacheEntrySpec> &entries, bool embedNew)
{
    const std::size_t entriesEnd = 16 + entries.size() * 12;
    std::vector<std::uint8_t> out(entriesEnd, 0);
    std::memcpy(out.data(), "ld.so-1.7.0", 11);
    put(out, 12, entries.size(), 4, false);
    std::vector<std::pair<std::uint32_t, std::uint32_t>> offsets;
    if (embedNew) {
        // Old entries share the new block's strings, addressed from the end of the old entries.
        out.resize((entriesEnd + 7) & ~std::size_t(7), 0);
        const std::size_t newBase = out.size();
        appendNew(out, entries, false, &offsets);
        for (auto &o : offsets) {
            o.first += std::uint32_t(newBase - entriesEnd);
            o.second += std::uint32_t(newBase - entriesEnd);
        }
    } else {
        std::string strings;
        for (const auto &e : entries) {
            const auto key = std::uint32_t(strings.size());
            strings += e.soname;
            strings.push_back('\0');
            offsets.emplace_back(key, std::uint32_t(strings.size()));
            strings += e.path;
            strings.push_back('\0');
        }
        out.insert(out.end(), strings.begin(), strings.end());
    }
    for (std::size_t i = 0; i < entries.size(); ++i) {
        put(out, 16 + i * 12, entries[i].flags, 4, false);
        put(out, 16 + i * 12 + 4, offsets[i].first, 4, false);
        put(out, 16 + i * 12 + 8, offsets[i].second, 4, false);
    }
    return out;
}

} // namespace loadlens::elftest
