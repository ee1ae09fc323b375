#pragma once
// Parser for /proc/PID/maps. The text comes from a process we do not trust (it chooses its
// file names), so every field is checked and a malformed line yields nullopt, never a crash.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::proc {

struct MapsEntry {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::uint64_t offset = 0;
    std::string perms;  // "r-xp"
    std::uint32_t devMajor = 0;
    std::uint32_t devMinor = 0;
    std::uint64_t inode = 0;
    // Unescaped ("\012" becomes a newline), without the " (deleted)" suffix; empty for an
    // anonymous region; "[heap]", "[stack]", "[vdso]", "[anon:NAME]" as the kernel names them.
    std::string path;
    // The kernel appended " (deleted)". Only a hint: a file may be named "x (deleted)".
    bool deletedSuffix = false;

    bool executable() const { return perms.size() == 4 && perms[2] == 'x'; }
};

// One line, with or without its trailing newline.
std::optional<MapsEntry> parseMapsLine(std::string_view line);

struct ParsedMaps {
    std::vector<MapsEntry> entries;
    std::size_t malformedLines = 0;  // lines that were skipped because they did not parse
};

// A whole maps file. Empty lines are ignored; malformed ones are counted and skipped.
ParsedMaps parseMaps(std::string_view buffer);

// Undoes the kernel's escaping of newlines in paths ("\012"). Other backslashes are kept:
// the kernel escapes nothing else, so they are part of the name.
std::string unescapeMapsPath(std::string_view raw);

} // namespace loadlens::proc
