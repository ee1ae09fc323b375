#include "elf/ld_cache.h"

#include "common/log.h"
#include "elf/byte_source.h"
#include "elf/elf_decode.h"

#include <algorithm>
#include <cstring>

namespace loadlens::elf {

namespace {

constexpr std::string_view kOldMagic = "ld.so-1.7.0";
constexpr std::string_view kNewMagic = "glibc-ld.so.cache1.1";
constexpr std::size_t kOldHeaderSize = 16;  // magic[11], padding, uint32 nlibs
constexpr std::size_t kOldEntrySize = 12;   // int32 flags, uint32 key, uint32 value
constexpr std::size_t kNewHeaderSize = 48;
constexpr std::size_t kNewEntrySize = 24;   // + uint32 osversion, uint64 hwcap
constexpr std::size_t kNewAlignment = 8;    // alignof(struct cache_file_new)
constexpr std::size_t kMaxPathLength = 4096;
constexpr std::uint64_t kMaxCacheFile = 64u << 20;
constexpr std::size_t kMaxWarnings = 32;

void warn(LdCache &cache, std::string text)
{
    if (cache.warnings.size() < kMaxWarnings)
        cache.warnings.push_back(std::move(text));
}

bool hasMagic(std::span<const std::uint8_t> data, std::size_t at, std::string_view magic)
{
    return at <= data.size() && data.size() - at >= magic.size() &&
           std::memcmp(data.data() + at, magic.data(), magic.size()) == 0;
}

// A NUL-terminated string at data[at...]; nullopt when it leaves the file or is unterminated.
std::optional<std::string> stringAt(std::span<const std::uint8_t> data, std::uint64_t at)
{
    if (at >= data.size())
        return std::nullopt;
    const auto first = data.begin() + static_cast<std::ptrdiff_t>(at);
    const auto limit = first + static_cast<std::ptrdiff_t>(
                                   std::min<std::uint64_t>(data.size() - at, kMaxPathLength));
    const auto nul = std::find(first, limit, std::uint8_t{0});
    if (nul == limit)
        return std::nullopt;
    return std::string(first, nul);
}

// Number of entries of `entrySize` from `first` that fit in the data, warning when the header
// promises more.
std::uint64_t fittingEntries(std::span<const std::uint8_t> data, std::uint64_t first,
                             std::uint64_t promised, std::size_t entrySize, LdCache &cache)
{
    const std::uint64_t fit = first <= data.size() ? (data.size() - first) / entrySize : 0;
    if (promised > fit) {
        warn(cache, "header names " + std::to_string(promised) + " entries but only " +
                        std::to_string(fit) + " fit in the file");
        return fit;
    }
    return promised;
}

bool addEntry(std::span<const std::uint8_t> data, std::uint64_t stringBase, LdCacheEntry entry,
              std::uint32_t key, std::uint32_t value, std::size_t index, LdCache &cache)
{
    auto soname = stringAt(data, stringBase + key);
    auto path = stringAt(data, stringBase + value);
    if (!soname || !path) {
        warn(cache, "entry " + std::to_string(index) + " skipped: string offset outside the file "
                                                       "or unterminated");
        return false;
    }
    entry.soname = std::move(*soname);
    entry.path = std::move(*path);
    cache.entries.push_back(std::move(entry));
    return true;
}

// The new format: strings are addressed relative to the start of its own header.
Status parseNew(std::span<const std::uint8_t> data, std::size_t base, LdCache &cache)
{
    if (data.size() - base < kNewHeaderSize)
        return Error{EINVAL, "new-format header truncated"};
    const std::uint8_t *h = data.data() + base;
    const std::uint8_t endianFlag = h[28];
    if (endianFlag == 1)
        return Error{EINVAL, "new-format header marks its byte order invalid"};
    const detail::FieldDecoder d(endianFlag == 3 ? Endian::Big : Endian::Little);
    const std::uint32_t promised = d.u32(h + 20);
    const std::uint64_t first = base + kNewHeaderSize;
    const std::uint64_t count = fittingEntries(data, first, promised, kNewEntrySize, cache);
    cache.entries.reserve(static_cast<std::size_t>(count));
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint8_t *e = data.data() + first + i * kNewEntrySize;
        LdCacheEntry entry;
        entry.flags = d.u32(e);
        entry.osVersion = d.u32(e + 12);
        entry.hwcap = d.u64(e + 16);
        addEntry(data, base, std::move(entry), d.u32(e + 4), d.u32(e + 8), static_cast<std::size_t>(i), cache);
    }
    return Ok{};
}

// The old format: strings follow the entry array and are addressed relative to its end.
Status parseOld(std::span<const std::uint8_t> data, LdCache &cache)
{
    if (data.size() < kOldHeaderSize)
        return Error{EINVAL, "old-format header truncated"};
    const detail::FieldDecoder d(Endian::Little);
    const std::uint32_t promised = d.u32(data.data() + 12);
    const std::uint64_t entriesEnd = kOldHeaderSize + std::uint64_t(promised) * kOldEntrySize;
    const std::uint64_t newBase = (entriesEnd + kNewAlignment - 1) & ~std::uint64_t(kNewAlignment - 1);
    if (newBase < data.size() && hasMagic(data, static_cast<std::size_t>(newBase), kNewMagic)) {
        cache.format = LdCacheFormat::OldWithNew;
        return parseNew(data, static_cast<std::size_t>(newBase), cache);
    }
    cache.format = LdCacheFormat::OldOnly;
    const std::uint64_t count = fittingEntries(data, kOldHeaderSize, promised, kOldEntrySize, cache);
    for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint8_t *e = data.data() + kOldHeaderSize + i * kOldEntrySize;
        LdCacheEntry entry;
        entry.flags = d.u32(e);
        addEntry(data, entriesEnd, std::move(entry), d.u32(e + 4), d.u32(e + 8), static_cast<std::size_t>(i), cache);
    }
    return Ok{};
}

} // namespace

std::optional<std::string> LdCache::lookup(std::string_view soname, std::uint32_t requiredFlags) const
{
    const bool anyArch = (requiredFlags & ~kCacheFlagTypeMask) == 0;
    for (const auto &entry : entries) {
        if (entry.soname != soname || entry.hwcap != 0)
            continue;
        if (entry.flags == requiredFlags || (anyArch && entry.flags == kCacheFlagElf))
            return entry.path;
    }
    return std::nullopt;
}

std::vector<const LdCacheEntry *> LdCache::lookupAll(std::string_view soname) const
{
    std::vector<const LdCacheEntry *> found;
    for (const auto &entry : entries)
        if (entry.soname == soname)
            found.push_back(&entry);
    return found;
}

std::string ldCacheFlagsDescription(std::uint32_t flags)
{
    std::string text;
    switch (flags & kCacheFlagTypeMask) {
    case kCacheFlagElf: text = "ELF"; break;
    case kCacheFlagElfLibc5: text = "libc5"; break;
    case kCacheFlagElfLibc6: text = "libc6"; break;
    default: text = "unknown"; break;
    }
    switch (flags & ~kCacheFlagTypeMask) {
    case 0: break;
    case kCacheFlagSparcLib64: text += ",64bit"; break;
    case kCacheFlagIa64Lib64: text += ",IA-64"; break;
    case kCacheFlagX8664Lib64: text += ",x86-64"; break;
    case kCacheFlagS390Lib64: text += ",64bit"; break;
    case kCacheFlagPowerPcLib64: text += ",64bit"; break;
    case kCacheFlagX8664LibX32: text += ",x32"; break;
    case kCacheFlagArmLibHf: text += ",hard-float"; break;
    case kCacheFlagAArch64Lib64: text += ",AArch64"; break;
    case kCacheFlagArmLibSf: text += ",soft-float"; break;
    case kCacheFlagRiscvFloatAbiDouble: text += ",double-float"; break;
    default: text += ",unknown arch"; break;
    }
    return text;
}

Result<LdCache> parseLdCache(std::span<const std::uint8_t> data)
{
    LdCache cache;
    Status status = Ok{};
    if (hasMagic(data, 0, kNewMagic)) {
        cache.format = LdCacheFormat::New;
        status = parseNew(data, 0, cache);
    } else if (hasMagic(data, 0, kOldMagic)) {
        status = parseOld(data, cache);
    } else {
        status = Error{EINVAL, "not an ld.so cache (unknown magic)"};
    }
    if (!status)
        return status.error();
    return cache;
}

Result<LdCache> readLdCache(const std::string &path)
{
    auto logger = log::get("core.elf");
    auto source = FileByteSource::open(path);
    if (!source)
        return source.error();
    if (source->size() > kMaxCacheFile)
        return Error{EFBIG, "cannot read " + path + ": " + std::to_string(source->size()) +
                                " bytes is too large for an ld.so cache"};
    auto bytes = source->read(0, static_cast<std::size_t>(source->size()));
    if (!bytes)
        return bytes.error();
    auto cache = parseLdCache(*bytes);
    if (!cache) {
        logger->debug("{}: {}", path, cache.error().message);
        return Error{cache.error().code, "cannot parse " + path + ": " + cache.error().message};
    }
    for (const auto &w : cache->warnings)
        logger->debug("{}: {}", path, w);
    return cache;
}

} // namespace loadlens::elf
