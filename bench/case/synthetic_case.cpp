#include "synthetic_case.h"

#include <cstdio>

namespace loadlens::bench {

namespace {

std::string hexDigest(std::uint64_t a, std::uint64_t b, int length)
{
    std::string out;
    std::uint64_t x = a * 0x9e3779b97f4a7c15ull ^ (b + 0x632be59bd9b4e019ull);
    while (int(out.size()) < length) {
        x ^= x >> 31;
        x *= 0xbf58476d1ce4e5b9ull;
        x ^= x >> 29;
        char buffer[17];
        std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(x));
        out += buffer;
    }
    return out.substr(0, std::size_t(length));
}

std::string libraryPath(int index)
{
    return "/usr/lib/x86_64-linux-gnu/libsynthetic" + std::to_string(index) + ".so." + std::to_string(index % 7 + 1);
}

Verdict packageVerdict(const std::string &path, const std::string &package)
{
    Verdict v;
    v.add(Reason{"package-verified", Level::Ok, "The file matches the checksum its package recorded.", "", "",
                 {{"path", path}, {"package", package}}});
    return v;
}

Verdict rareVerdict(const std::string &path)
{
    Verdict v;
    v.add(Reason{"writable-path", Level::High, "The module was loaded from a directory other users can write.",
                 "T1574.006", "Restrict library loading to directories only root can write",
                 {{"path", path}, {"writers", "everyone"}}});
    return v;
}

} // namespace

std::string rareLibraryPath(int hostIndex) { return "/tmp/.cache/libupdate-" + std::to_string(hostIndex) + ".so"; }
bool hasRareLibrary(int hostIndex) { return hostIndex % 10 == 3; }

ScanResult syntheticScan(const SyntheticCaseOptions &o, int hostIndex)
{
    ScanResult scan;
    scan.host.hostname = "host-" + std::to_string(hostIndex);
    scan.host.kernel = "6.1.0-18-amd64";
    scan.host.osRelease = "Debian GNU/Linux 12 (bookworm)";
    scan.host.machine = "x86_64";
    scan.host.bootId = hexDigest(std::uint64_t(hostIndex), 1, 32);
    scan.scannedAt = 1700000000 + hostIndex;
    const std::uint64_t dev = (8u << 8) | 1u;

    auto fileFor = [&](const std::string &path, std::uint64_t inode, const std::string &sha, const std::string &package) {
        FileKey key{dev, inode};
        if (scan.files.count(key))
            return key;
        FileFacts f;
        f.key = key;
        f.path = path;
        f.size = 100000 + inode % 50000;
        f.mtimeNs = 1690000000000000000ll + std::int64_t(inode);
        f.ctimeNs = f.mtimeNs;
        f.mode = 0100644;
        f.ownerName = "root";
        f.groupName = "root";
        f.sha256 = sha;
        f.md5 = sha.substr(0, 32);
        f.package = package;
        scan.files.emplace(key, std::move(f));
        return key;
    };
    auto moduleFor = [&](const std::string &path, FileKey key, std::uint64_t base, Verdict verdict) {
        ModuleRecord m;
        m.path = path;
        m.file = key;
        m.executable = true;
        m.confirmation = "";
        for (int r = 0; r < o.rangesPerModule; ++r)
            m.ranges.push_back({base + std::uint64_t(r) * 0x1000, base + std::uint64_t(r + 1) * 0x1000,
                                std::uint64_t(r) * 0x1000, r == 1 ? "r-xp" : "r--p"});
        m.verdict = std::move(verdict);
        return m;
    };

    for (int p = 0; p < o.processesPerHost; ++p) {
        ProcessInfo proc;
        proc.pid = 1000 + p;
        proc.ppid = 1;
        proc.startTime = std::uint64_t(5000 + p);
        const int kind = p % o.processKinds;
        proc.name = "daemon" + std::to_string(kind);
        proc.exe = "/usr/sbin/" + proc.name;
        proc.cmdline = {proc.exe, "--foreground"};
        proc.state = 'S';
        proc.user = p % 3 ? "root" : "www-data";
        proc.uid = p % 3 ? 0 : 33;
        const std::uint64_t base = 0x7f0000000000ull + std::uint64_t(p) * 0x10000000ull;
        const std::string exeSha = hexDigest(std::uint64_t(kind), 2, 64);
        proc.modules.push_back(moduleFor(proc.exe, fileFor(proc.exe, 10 + std::uint64_t(kind), exeSha, "synthetic-daemons"),
                                         base, packageVerdict(proc.exe, "synthetic-daemons")));
        for (int i = 1; i < o.modulesPerProcess; ++i) {
            // Each kind loads a fixed window of the pool; kinds overlap, so the pool is shared.
            const int lib = (kind * 7 + i) % o.libraryPool;
            const std::string path = libraryPath(lib);
            // Every 50th host runs another build of library 5.
            const bool variant = lib == 5 && hostIndex % 50 == 49;
            const std::string sha = hexDigest(std::uint64_t(lib), variant ? 99 : 3, 64);
            const std::uint64_t inode = 100000 + std::uint64_t(lib) + (variant ? 50000 : 0);
            proc.modules.push_back(moduleFor(path, fileFor(path, inode, sha, "libsynthetic" + std::to_string(lib)),
                                             base + std::uint64_t(i) * 0x100000, packageVerdict(path, "libsynthetic")));
        }
        if (hasRareLibrary(hostIndex) && p == 7) {
            const std::string path = rareLibraryPath(hostIndex);
            proc.modules.push_back(moduleFor(path, fileFor(path, 900000 + std::uint64_t(hostIndex),
                                                           hexDigest(std::uint64_t(hostIndex), 7, 64), ""),
                                             base + 0x8000000, rareVerdict(path)));
        }
        scan.processes.push_back(std::move(proc));
    }
    scan.stats.processesListed = scan.stats.processesScanned = o.processesPerHost;
    scan.stats.uniqueFiles = int(scan.files.size());
    scan.stats.modules = o.processesPerHost * o.modulesPerProcess;
    return scan;
}

} // namespace loadlens::bench
