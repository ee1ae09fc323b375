#pragma once
// The process inventory of a host: every process in /proc (or one), its modules, the
// processes the /proc listing hides, and counts of what could not be read.
#include "common/cancel.h"
#include "common/types.h"

#include <optional>
#include <string>
#include <vector>

namespace loadlens::proc {

struct InventoryOptions {
    std::string procRoot = "/proc";
    std::optional<int> pid;      // only this process (no listing, no probing)
    bool probeHidden = true;     // cross-check the listing with kill(pid, 0) probes
    bool probeAllPids = false;   // probe up to pid_max instead of the last allocated pid
};

struct Inventory {
    std::vector<ProcessInfo> processes;
    std::vector<Finding> findings;  // "hidden-process", and "proc-listing-failed" when /proc cannot be listed
    ScanStats stats;
};

// Never throws. Progress is reported per process (throttled); cancellation is checked per
// process and leaves stats.cancelled set with what was read so far.
Inventory scanProcesses(const InventoryOptions &options, const ProgressFn &progress = {},
                        const CancelToken &cancel = CancelToken());

// hostname, kernel release and machine (uname), PRETTY_NAME of rootDir/etc/os-release (or
// rootDir/usr/lib/os-release) and /proc/sys/kernel/random/boot_id.
HostInfo readHostInfo(const std::string &rootDir = "/");

} // namespace loadlens::proc
