#pragma once
// Writes ld.so.cache images in the layouts glibc's ldconfig produces, for tests and fuzz seeds.
#include <cstdint>
#include <string>
#include <vector>

namespace loadlens::elftest {

struct CacheEntrySpec {
    std::string soname;
    std::string path;
    std::uint32_t flags = 0x0303;
    std::uint64_t hwcap = 0;
};

// "glibc-ld.so.cache1.1" alone; string offsets relative to its header.
std::vector<std::uint8_t> buildNewLdCache(const std::vector<CacheEntrySpec> &entries, bool bigEndian = false);
// "ld.so-1.7.0" with its own string table, optionally followed by the new format at the next
// 8-byte boundary (ldconfig's compat layout).
std::vector<std::uint8_t> buildOldLdCache(const std::vector<CacheEntrySpec> &entries, bool embedNew);

} // namespace loadlens::elftest
