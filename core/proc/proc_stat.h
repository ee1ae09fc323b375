#pragma once
// Parsers for /proc/PID/stat and the Tgid line of /proc/PID/status. comm is chosen by the
// process (up to 15 bytes, may hold spaces and ')'), so the fields start after the LAST ')'.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadlens::proc {

inline constexpr std::uint32_t kPfKthread = 0x00200000;  // PF_KTHREAD in stat field 9

struct ProcStat {
    int pid = 0;                  // field 1
    std::string comm;             // field 2, without the parentheses
    char state = '?';             // field 3
    int ppid = 0;                 // field 4
    std::uint32_t flags = 0;      // field 9
    std::uint64_t startTime = 0;  // field 22, clock ticks since boot

    bool kernelThread() const { return (flags & kPfKthread) != 0; }
};

std::optional<ProcStat> parseProcStat(std::string_view text);

// The Tgid of a /proc/PID/status text; nullopt when absent or malformed.
std::optional<int> parseStatusTgid(std::string_view text);

} // namespace loadlens::proc
