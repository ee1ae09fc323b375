#pragma once
// Splitting of RPATH/RUNPATH/LD_LIBRARY_PATH lists and expansion of the dynamic string tokens
// $ORIGIN, $LIB and $PLATFORM the way glibc's ld.so does it (elf/dl-load.c, fillin_rpath and
// _dl_dst_substitute).
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::elf {

struct TokenContext {
    std::string origin;              // directory of the object whose entry is expanded
    std::string lib = "lib/x86_64-linux-gnu";  // $LIB as Debian's x86_64 ld.so defines it
    std::string platform = "x86_64";           // $PLATFORM (AT_PLATFORM of the process)
    // Secure execution (AT_SECURE: setuid/setgid/capabilities): ld.so then drops $ORIGIN unless
    // it starts the entry, and for the executable's own entries requires the result to lie in a
    // trusted directory.
    bool secureExecution = false;
    bool objectIsExecutable = false;
    std::vector<std::string> trustedDirs;  // checked only in secure execution
};

// Splits a ':'-separated list. An empty element means the current directory and is kept as ""
// so callers can flag it as relative. `separators` is ":" for RPATH/RUNPATH; ld.so also accepts
// ';' in LD_LIBRARY_PATH.
std::vector<std::string> splitSearchPath(std::string_view list, std::string_view separators = ":");

struct ExpandedEntry {
    std::string path;        // expanded, trailing slashes removed ("/" stays "/")
    bool relative = false;   // resolved against the process's working directory, not a fixed place
    bool discarded = false;  // ld.so drops this entry (unusable token, or untrusted in secure mode)
    std::string reason;      // why it was discarded
};

// Expands $ORIGIN/${ORIGIN}, $LIB/${LIB}, $PLATFORM/${PLATFORM}. An unknown "$NAME" stays as
// written. An empty entry stays "" and is relative.
ExpandedEntry expandEntry(std::string_view entry, const TokenContext &context);

// The expanded text only (discarded entries give "").
std::string expandTokens(std::string_view entry, const TokenContext &context);

bool isRelativePath(std::string_view path);

} // namespace loadlens::elf
