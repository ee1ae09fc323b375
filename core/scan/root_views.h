#pragma once
// Which root each process is judged against. A process in LoadLens's own mount namespace sees
// the host's files; one in another mount namespace (a container, a private /etc) sees its own
// /etc/ld.so.preload, ld.so.cache, package database and files, reached through
// /proc/PID/root of any readable process of that namespace. One view per namespace.
#include "common/types.h"
#include "elf/ld_cache.h"
#include "scan/package_lookup.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::scan {

struct RootView {
    std::uint64_t mountNamespace = 0;  // 0: LoadLens's own view
    std::string rootDir = "/";         // "/" or PROCROOT/PID/root
    ContainerInfo container;           // of the first process that names one
    // Parts of the root that could not be read, each with why: the root itself, its
    // /etc/ld.so.preload, ld.so.cache, package database. Their facts are left out, not taken
    // from the host.
    std::vector<std::string> unread;
    bool rootUnreadable = false;       // the root itself: no path of it could be looked at
    std::vector<std::size_t> processes;  // indexes into ScanResult::processes
    std::optional<PackageLookup> packages;  // its own database; none when it shares LoadLens's
    // The database its packages are asked in: `packages`, or LoadLens's own when the namespace
    // sees the very same dpkg directory (a namespace that only has a private /etc or /tmp, as
    // systemd's PrivateTmp services do); null when the root could not be read.
    PackageLookup *lookup = nullptr;
    std::optional<elf::LdCache> ldCache;
    std::vector<std::string> preloadEntries;
    std::string preloadFile;           // where the entries were read, as shown in evidence

    bool own() const { return mountNamespace == 0; }
    std::string unreadText() const;    // the `unread` parts, "; "-joined
    std::string name() const;          // "mount namespace 4026532510 (docker 3f2a...)"
};

// Groups `processes` by mount namespace. Processes whose namespace is LoadLens's own, or
// unknown, share the first view (index 0), whose root is options' rootDir; the others get a
// view each, with their loader configuration and package database read, unless
// `judgeOwnRoots` is false (a scan of a collected tree: everything is judged against it).
std::vector<RootView> groupByRoot(const std::vector<ProcessInfo> &processes, const std::string &procRoot,
                                  bool judgeOwnRoots);

// Reads the view's ld.so.cache, ld.so.preload and package database (recording what could not be
// read). The own view is read by the scanner itself from its options.
void readForeignRoot(RootView &view, RootView &own, const std::string &ownAdminDir);

} // namespace loadlens::scan
