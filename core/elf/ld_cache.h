#pragma once
// Reader for /etc/ld.so.cache, the table ldconfig writes and ld.so consults after RUNPATH and
// before the default directories. Both layouts glibc knows are read: the current
// "glibc-ld.so.cache1.1" format and the old "ld.so-1.7.0" format, which newer ldconfig versions
// may still write with the new format embedded after it.
#include "common/result.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::elf {

// Entry flags as ldconfig stores them (glibc sysdeps/generic/ldconfig.h): a type in the low
// byte and an architecture marker in the second byte.
inline constexpr std::uint32_t kCacheFlagElf = 0x0001;
inline constexpr std::uint32_t kCacheFlagElfLibc5 = 0x0002;
inline constexpr std::uint32_t kCacheFlagElfLibc6 = 0x0003;
inline constexpr std::uint32_t kCacheFlagTypeMask = 0x00ff;
inline constexpr std::uint32_t kCacheFlagSparcLib64 = 0x0100;
inline constexpr std::uint32_t kCacheFlagIa64Lib64 = 0x0200;
inline constexpr std::uint32_t kCacheFlagX8664Lib64 = 0x0300;
inline constexpr std::uint32_t kCacheFlagS390Lib64 = 0x0400;
inline constexpr std::uint32_t kCacheFlagPowerPcLib64 = 0x0500;
inline constexpr std::uint32_t kCacheFlagX8664LibX32 = 0x0800;
inline constexpr std::uint32_t kCacheFlagArmLibHf = 0x0900;
inline constexpr std::uint32_t kCacheFlagAArch64Lib64 = 0x0a00;
inline constexpr std::uint32_t kCacheFlagArmLibSf = 0x0b00;
inline constexpr std::uint32_t kCacheFlagRiscvFloatAbiDouble = 0x1000;
// What ld.so on x86-64 accepts from the cache.
inline constexpr std::uint32_t kCacheX8664Libc6 = kCacheFlagElfLibc6 | kCacheFlagX8664Lib64;

enum class LdCacheFormat { New, OldWithNew, OldOnly };

struct LdCacheEntry {
    std::string soname;
    std::string path;
    std::uint32_t flags = 0;
    std::uint32_t osVersion = 0;  // new format only
    std::uint64_t hwcap = 0;      // new format only; non-zero for hwcap-specific variants
};

struct LdCache {
    LdCacheFormat format = LdCacheFormat::New;
    std::vector<LdCacheEntry> entries;  // in file order, which is the order ld.so prefers
    std::vector<std::string> warnings;  // entries skipped, counts clipped

    // The path ld.so takes for `soname`: the first entry with exactly `requiredFlags` (plain
    // FLAG_ELF also qualifies when requiredFlags names no architecture, as on i386) and no hwcap
    // marker. Entries for glibc-hwcaps subdirectories are not chosen because which of them ld.so
    // takes depends on the CPU; lookupAll() shows them.
    std::optional<std::string> lookup(std::string_view soname,
                                      std::uint32_t requiredFlags = kCacheX8664Libc6) const;
    std::vector<const LdCacheEntry *> lookupAll(std::string_view soname) const;
};

// "libc6,x86-64" as ldconfig -p prints it.
std::string ldCacheFlagsDescription(std::uint32_t flags);

Result<LdCache> parseLdCache(std::span<const std::uint8_t> data);
Result<LdCache> readLdCache(const std::string &path = "/etc/ld.so.cache");

} // namespace loadlens::elf
