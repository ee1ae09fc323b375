#pragma once
// Enumerates processes with the raw getdents64 system call and cross-checks the listing by
// probing pids with kill(pid, 0). Both go straight to the kernel: an LD_PRELOAD rootkit that
// hooks readdir() or kill() in libc cannot filter them; a kernel rootkit that filters the
// /proc listing still answers the probe, which is what the cross-check looks for.
#include "common/cancel.h"
#include "common/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::proc {

// Names of the numeric entries of the directory open at `dirFd` (a /proc or /proc/PID/task),
// sorted ascending. The fd is read from its current position, so pass a freshly opened one
// or let the function rewind it (it does).
Result<std::vector<int>> listPids(int dirFd);

// The last pid the kernel allocated: the 5th field of /proc/loadavg ("0.00 0.01 0.05 1/86 5567").
std::optional<int> parseLastPid(std::string_view loadavg);
std::optional<int> readLastPid(const std::string &procRoot);
// /proc/sys/kernel/pid_max.
std::optional<int> readPidMax(const std::string &procRoot);

// Pids in [1, maxPid] that answer kill(pid, 0) (ESRCH means none; EPERM means one exists that
// we may not signal) and are not in `listed` (sorted). Thread ids answer too: filter them with
// classifyProbeHit. `cancel` is polled every few thousand probes.
std::vector<int> probeUnlistedPids(const std::vector<int> &listed, int maxPid,
                                   const CancelToken &cancel = CancelToken());

enum class ProbeHit {
    Hidden,          // a process (Tgid == pid) missing from both listings, older than the scan
    Thread,          // a thread id: threads answer probes but are never listed in /proc
    Listed,          // present in the second listing after all (a race, not hiding)
    BornDuringScan,  // its start time is not before the scan began
    Gone,            // exited before it could be checked
};
const char *probeHitName(ProbeHit hit);

// Decides what an unlisted probe hit is, reading procRoot/PID/status and stat through
// `procFd`. `secondListing` (sorted) is taken after probing; `scanStartTicks` is the scan's start
// in clock ticks since boot (the unit of stat field 22).
ProbeHit classifyProbeHit(int procFd, int pid, const std::vector<int> &secondListing,
                          std::uint64_t scanStartTicks);

// Now, in the unit of stat field 22 (clock ticks since boot, CLOCK_BOOTTIME).
std::uint64_t bootTimeTicksNow();

} // namespace loadlens::proc
