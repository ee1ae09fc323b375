#pragma once
// The directories glibc's ld.so tries, in order, for a DT_NEEDED name without a slash
// (elf/dl-load.c, _dl_map_object): DT_RPATH of the requesting object and then of each object
// that loaded it up to the executable (only while the requester has no DT_RUNPATH),
// LD_LIBRARY_PATH, DT_RUNPATH of the requester alone, /etc/ld.so.cache, the default directories.
// Knowing the order shows which earlier, perhaps writable, directory could shadow the real
// library (ATT&CK T1574.006 / T1574.001).
#include "elf/elf_info.h"
#include "elf/ld_cache.h"
#include "elf/token_expansion.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::elf {

enum class SearchSource { Rpath, LdLibraryPath, Runpath, Cache, DefaultDir };
std::string_view searchSourceName(SearchSource source);  // "DT_RPATH", "LD_LIBRARY_PATH", ...

struct LoadingObject {
    std::string path;  // where the object lives; its directory is $ORIGIN
    ElfInfo info;
};

std::vector<std::string> defaultLibraryDirs();  // Debian x86-64 ld.so's built-in list

struct SearchRequest {
    std::string neededName;  // the DT_NEEDED (or dlopen) name being resolved
    LoadingObject requester;
    // The objects that loaded the requester, from its direct loader up to and including the
    // executable. Empty when the requester is the executable.
    std::vector<LoadingObject> loaders;
    std::optional<std::string> ldLibraryPath;
    bool secureExecution = false;  // AT_SECURE: LD_LIBRARY_PATH is ignored, $ORIGIN restricted
    const LdCache *cache = nullptr;  // not owned; nullptr when the cache is not consulted
    std::uint32_t cacheFlags = kCacheX8664Libc6;
    std::vector<std::string> defaultDirs = defaultLibraryDirs();
    TokenContext tokens;  // $LIB and $PLATFORM; origin is taken from each object's path
};

struct SearchStep {
    SearchSource source = SearchSource::DefaultDir;
    std::string directory;   // expanded; for Cache the directory of the path the cache gives
    std::string rawEntry;    // as written in the object, the environment or the cache
    std::string objectPath;  // the object whose DT_RPATH/DT_RUNPATH gave the entry; empty for
                             // LD_LIBRARY_PATH, the cache and the default directories
    bool relative = false;   // depends on the working directory ("" or no leading '/')
};

// The search steps in order. Names containing '/' are not searched (empty result). Entries
// ld.so would drop (unexpandable tokens, untrusted $ORIGIN in secure execution) are left out;
// a directory that repeats within one list appears once, as in ld.so's fillin_rpath.
std::vector<SearchStep> searchOrder(const SearchRequest &request);

// The first step whose directory is `directory`: equal after lexical normalisation, or the
// same directory on disk (so /lib/x86_64-linux-gnu matches /usr/lib/x86_64-linux-gnu where
// /lib is a symlink). Relative steps only match lexically. rootDir: the directories are looked
// up under it (the root of another mount namespace, /proc/PID/root).
std::optional<std::size_t> stepIndexForDirectory(const std::vector<SearchStep> &steps,
                                                 std::string_view directory, std::string_view rootDir = "/");

// "/usr/bin/ls" -> "/usr/bin", "/ls" -> "/", "ls" -> ".".
std::string directoryOf(std::string_view path);

} // namespace loadlens::elf
