// M1044 "Secure library paths and directories": only root can add or replace libraries where the
// loader looks (configured, default and cached directories), the cache holds nothing the
// configuration does not name, and no running binary searches a writable or relative RUNPATH.
#include "elf/ld_cache.h"
#include "elf/search_order.h"
#include "pathsec/writability.h"
#include "posture/library_dirs.h"
#include "posture/posture_fs.h"
#include "verdict/reason_catalog.h"

#include <cerrno>
#include <map>
#include <set>

namespace loadlens::posture {

namespace {

struct CacheDir {
    int entries = 0;
    std::string example;
};

// A directory of a cache entry, with glibc-hwcaps subdirectories folded into their parent.
std::string cacheEntryDir(const std::string &path)
{
    std::string dir = elf::directoryOf(path);
    if (const auto hw = dir.find("/glibc-hwcaps/"); hw != std::string::npos)
        dir = dir.substr(0, hw);
    return dir;
}

void checkDirectory(const PostureOptions &o, const LibraryDir &dir, CheckBuilder &b, std::vector<std::string> &good)
{
    const std::string label = dir.path + (dir.resolved != dir.path ? " (-> " + dir.resolved + ")" : "") + " [" +
                              dir.source + "]";
    pathsec::CheckOptions check;
    check.groupFile = underRoot(o.rootDir, "/etc/group");  // who is in the root group there
    check.passwdFile = underRoot(o.rootDir, "/etc/passwd");
    const auto report = pathsec::checkWritable(underRoot(o.rootDir, dir.resolved), check);
    if (!report.exists) {
        if (report.creatableByNonRoot)
            b.fail(label + " does not exist and can be created by a non-root user: " +
                   pathsec::describeWritability(report));
        else
            b.info(label + " does not exist (only root could create it)");
        return;
    }
    if (report.writableByNonRoot || report.creatableByNonRoot) {
        b.fail(label + ": " + pathsec::describeWritability(report));
        return;
    }
    if (!report.components.empty() && report.components.back().uid != 0) {
        b.fail(label + " is owned by " + report.components.back().ownerName + ", not root");
        return;
    }
    for (const auto &error : report.errors)
        b.unknown(label + ": " + error);
    if (report.complete())
        good.push_back(dir.path);
}

void checkCache(const PostureOptions &o, const LibraryDirs &configured, CheckBuilder &b,
                std::vector<LibraryDir> &cacheDirs)
{
    auto cache = elf::readLdCache(underRoot(o.rootDir, "/etc/ld.so.cache"));
    if (!cache) {
        if (cache.error().code == ENOENT)
            b.unknown("/etc/ld.so.cache does not exist: nothing to compare with ld.so.conf (run ldconfig)");
        else
            b.unknown(cache.error().message);
        return;
    }
    std::set<std::string> known;
    for (const auto &d : configured.dirs)
        known.insert(d.resolved);
    std::map<std::string, CacheDir> unexpected;
    std::set<std::string> seen;
    for (const auto &entry : cache->entries) {
        const std::string dir = cacheEntryDir(entry.path);
        const std::string resolved = resolveUnderRoot(o.rootDir, dir);
        if (seen.insert(resolved).second && !known.count(resolved))
            cacheDirs.push_back({dir, resolved, "ld.so.cache"});
        if (known.count(resolved))
            continue;
        auto &u = unexpected[dir];
        if (u.entries++ == 0)
            u.example = entry.soname + " => " + entry.path;
    }
    for (const auto &w : cache->warnings)
        b.info("/etc/ld.so.cache: " + w);
    if (unexpected.empty()) {
        b.pass("all " + std::to_string(cache->entries.size()) +
               " ld.so.cache entries come from directories ld.so.conf or the defaults name");
        return;
    }
    for (const auto &[dir, u] : unexpected)
        b.fail("ld.so.cache has " + std::to_string(u.entries) + " entries from " + dir +
               ", which neither ld.so.conf nor the defaults name (e.g. " + u.example +
               "): the cache was built from another configuration or edited");
}

void checkRunpaths(const ScanResult *scan, CheckBuilder &b)
{
    if (!scan) {
        b.unknown("running binaries were not scanned: their RUNPATH/RPATH entries are unknown");
        return;
    }
    std::set<std::string> lines;
    for (const auto &p : scan->processes)
        for (const auto &m : p.modules)
            for (const auto &r : m.verdict.reasons)
                if (r.code == verdict::code::RpathWritable || r.code == verdict::code::RpathRelative)
                    lines.insert(m.path + ": " + r.text);
    if (lines.empty()) {
        b.pass("no loaded module has a writable, missing-and-creatable or relative RUNPATH/RPATH entry");
        return;
    }
    b.addCapped(Status::Fail, std::vector<std::string>(lines.begin(), lines.end()));
}

} // namespace

PostureCheck checkSecureLibraryPaths(const PostureOptions &options, const ScanResult *scan)
{
    CheckBuilder b(check_id::SecureLibraryPaths, verdict::measure::SecurePaths,
                   "Library directories, ld.so.cache and RUNPATHs writable by root only");
    const LibraryDirs configured = loaderLibraryDirs(options, true);
    for (const auto &e : configured.errors)
        b.unknown(e);

    std::vector<LibraryDir> cacheOnlyDirs;
    checkCache(options, configured, b, cacheOnlyDirs);

    std::vector<std::string> good;
    for (const auto &dir : configured.dirs)
        checkDirectory(options, dir, b, good);
    for (const auto &dir : cacheOnlyDirs)
        checkDirectory(options, dir, b, good);
    if (!good.empty())
        b.pass(std::to_string(good.size()) + " library directories are root-owned and writable by root only: " +
               joinList(good));

    checkRunpaths(scan, b);
    return b.finish("chown root:root and chmod go-w the directories named; remove unexpected ld.so.conf entries and "
                    "rebuild the cache with ldconfig; rebuild binaries without relative or writable RUNPATHs "
                    "(or move what they point to under root-owned directories).");
}

} // namespace loadlens::posture
