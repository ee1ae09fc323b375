#pragma once
// The one entry point for a live scan: inventory of /proc, then facts per unique file, then
// one verdict per module. Used alike by loadlens-cli and the GUI worker.
#include "common/cancel.h"
#include "common/types.h"

#include <functional>
#include <optional>
#include <string>

namespace loadlens::scan {

struct ScanOptions {
    std::optional<int> pid;                       // only this process
    std::string procRoot = "/proc";
    std::string rootDir = "/";                     // where /etc/ld.so.preload, ld.so.cache, the package database live
    // dpkg's admin dir to judge files by; empty: the package database under rootDir (dpkg or
    // RPM, see PackageLookup::forRoot).
    std::string dpkgAdminDir;
    bool probeHiddenPids = true;                   // cross-check the listing by probing pids
    bool probeAllPids = false;                     // probe up to pid_max instead of the last pid
    bool verdicts = true;                          // classify modules (hashing, packages, paths)
    std::string hashCachePath;                     // SQLite file; empty = no persistent cache
    // Hook analysis (interposes-system-functions) for every module, not only for those that no
    // package verified.
    bool interpositionOfAllModules = false;
    // The HijackLibs YAML dataset: Windows DLLs that Wine processes load are matched against it.
    // Empty: no HijackLibs checks. A folder that cannot be used is logged and skipped.
    std::string hijackLibsDir;
};

// The facts of a mapped file, or null when there are none.
using FileFactsLookup = std::function<const FileFacts *(const FileKey &)>;
// Told about each process as soon as it is final (verdicts in), in the order of
// ScanResult::processes, with the facts of its files; for output that streams.
using ProcessSink = std::function<void(const ProcessInfo &, const FileFactsLookup &)>;

// Never throws; everything that could not be read is recorded in the result.
ScanResult runScan(const ScanOptions &options, const ProgressFn &progress = {},
                   const CancelToken &cancel = CancelToken(), const ProcessSink &sink = {});

} // namespace loadlens::scan
