#pragma once
// Plain value types that cross the core/ui and core/cli boundaries. They carry no behaviour
// beyond small helpers; verdicts are computed in core/verdict and only rendered elsewhere.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loadlens {

enum class Level : int { Ok = 0, Info = 1, Low = 2, Medium = 3, High = 4 };
std::string_view levelName(Level level);                 // "ok", "info", "low", "medium", "high"
std::optional<Level> parseLevel(std::string_view name);

// Ordered key/value evidence ("path" -> "/tmp/x.so", "mode" -> "0777", ...).
using Evidence = std::vector<std::pair<std::string, std::string>>;

// One reason for a verdict. `code` values are part of the JSON contract
// ("package-verified", "writable-path", "preload-env", ...).
struct Reason {
    std::string code;
    Level level = Level::Info;
    std::string text;       // plain language: what was seen and why it matters
    std::string technique;  // ATT&CK id, e.g. "T1574.006"; empty when none applies
    std::string measure;    // the M1044 measure that would have prevented it; may be empty
    Evidence evidence;
};

struct Verdict {
    Level level = Level::Ok;
    std::vector<Reason> reasons;

    void add(Reason reason)
    {
        if (reason.level > level)
            level = reason.level;
        reasons.push_back(std::move(reason));
    }
    bool has(std::string_view code) const
    {
        for (const auto &r : reasons)
            if (r.code == code)
                return true;
        return false;
    }
};

// A file identity: st_dev (as makedev(major, minor)) and st_ino.
struct FileKey {
    std::uint64_t dev = 0;
    std::uint64_t inode = 0;
    // Spelled out rather than defaulted with <=>: moc (Qt 6.4) cannot parse <compare>.
    bool operator==(const FileKey &o) const { return dev == o.dev && inode == o.inode; }
    bool operator!=(const FileKey &o) const { return !(*this == o); }
    bool operator<(const FileKey &o) const { return dev != o.dev ? dev < o.dev : inode < o.inode; }
};

struct MappedRange {
    std::uint64_t start = 0;
    std::uint64_t end = 0;
    std::uint64_t offset = 0;
    std::string perms;  // "r-xp"
};

// One mapped object of a process: a file (all its ranges), a memfd, or an anonymous
// executable region.
struct ModuleRecord {
    std::string path;            // unescaped; without the " (deleted)" suffix
    FileKey file;                // from maps (dev:inode); {0,0} for anonymous regions
    bool deleted = false;        // the mapped file has no link left
    bool memfd = false;          // backed by memfd_create (shmem, "/memfd:NAME")
    bool anonymousExec = false;  // executable region with no file
    bool executable = false;     // at least one range is mapped executable
    bool pseudo = false;         // kernel-provided code: [vdso], [vsyscall]
    // How `deleted`/`memfd` were established: "map_files" (fstat of /proc/PID/map_files),
    // or "maps-suffix" plus why map_files could not be used.
    std::string confirmation;
    std::vector<MappedRange> ranges;
    Verdict verdict;
};

// The container a process runs in, as its cgroup path names it ("docker", "containerd",
// "cri-o", "kubernetes", "podman", "lxc", "systemd-nspawn"); runtime empty when none is recognisable.
struct ContainerInfo {
    std::string runtime;
    std::string id;  // container id (64 hex digits) or name (lxc, nspawn machine)
    bool empty() const { return runtime.empty(); }
};

struct ProcessInfo {
    int pid = 0;
    int ppid = 0;
    std::uint32_t uid = 0;
    std::string user;                 // name of uid, or the number when unknown
    std::string name;                 // comm
    std::string exe;                  // readlink of /proc/PID/exe; empty when unreadable
    std::vector<std::string> cmdline;
    std::uint64_t startTime = 0;      // stat field 22, clock ticks since boot
    char state = '?';                 // stat field 3
    bool kernelThread = false;
    bool hidden = false;              // answered a pid probe but missing from the /proc listing
    std::string namespaceHint;        // non-empty when the mount namespace differs from ours
    std::uint64_t mountNamespace = 0;  // inode of /proc/PID/ns/mnt; 0 when unreadable
    ContainerInfo container;           // from /proc/PID/cgroup
    std::map<std::string, std::string> loaderEnv;  // LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, ...
    std::vector<std::string> errors;  // what could not be read and why
    std::vector<ModuleRecord> modules;
};

// Facts about one distinct file (dev, inode), gathered once however many processes map it.
struct FileFacts {
    FileKey key;
    std::string path;
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
    std::int64_t ctimeNs = 0;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint32_t mode = 0;      // st_mode (type and permission bits)
    std::string ownerName;       // user name of uid, or the number
    std::string groupName;       // group name of gid, or the number
    std::string sha256;   // hex; empty when not hashed
    std::string md5;      // hex; the digest dpkg's manifest uses
    std::string package;  // owning package, empty when none
    std::vector<std::string> errors;
};

// A host-level or process-level observation that is not tied to one module.
struct Finding {
    std::string code;  // e.g. "hidden-process"
    Level level = Level::Info;
    int pid = 0;       // 0 when host-wide
    std::string text;
    std::string technique;
    std::string measure;
    Evidence evidence;
};

struct HostInfo {
    std::string hostname;
    std::string kernel;     // uname -r equivalent
    std::string osRelease;  // PRETTY_NAME of /etc/os-release
    std::string machine;    // uname -m
    std::string bootId;
};

struct ScanStats {
    int processesListed = 0;
    int processesScanned = 0;
    int processesInaccessible = 0;  // at least one of maps/environ could not be read
    int processesVanished = 0;      // exited during the scan
    int uniqueFiles = 0;
    int modules = 0;
    bool cancelled = false;
    std::map<std::string, int> errorCounts;  // cause -> count, e.g. "permission denied" -> 12
};

// The program that made a live scan, as it saw itself when it started. A dynamically linked
// collector started with loader variables or under a non-empty /etc/ld.so.preload runs code the
// scanned host chose, which may change what it reports: the result says so (tainted()).
struct CollectorInfo {
    bool known = false;         // false: not recorded (an older bundle or report)
    bool staticBinary = false;  // no dynamic loader ran in the collector (no PT_INTERP)
    std::vector<std::pair<std::string, std::string>> loaderVariables;  // LD_* of its environment
    std::vector<std::string> preloadFile;       // entries of its /etc/ld.so.preload at start
    std::vector<std::string> injectedModules;   // files mapped into it that those named

    // LD_PRELOAD, LD_AUDIT and LD_LIBRARY_PATH choose code; other LD_* variables only tune the loader.
    static bool choosesCode(std::string_view variable)
    {
        return variable == "LD_PRELOAD" || variable == "LD_AUDIT" || variable == "LD_LIBRARY_PATH";
    }
    bool tainted() const
    {
        if (!known || staticBinary)
            return false;
        if (!preloadFile.empty())
            return true;
        for (const auto &variable : loaderVariables)
            if (choosesCode(variable.first) && !variable.second.empty())
                return true;
        return false;
    }
};

struct ScanResult {
    HostInfo host;
    CollectorInfo collector;
    std::int64_t scannedAt = 0;  // unix seconds
    std::vector<ProcessInfo> processes;
    std::map<FileKey, FileFacts> files;
    std::vector<Finding> findings;
    ScanStats stats;
};

} // namespace loadlens
