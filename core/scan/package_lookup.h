#pragma once
// Package ownership of the loaded files, remembered between scans. Building the whole dpkg
// index reads thousands of manifest files (~0.1 s); a warm scan asks about the same few hundred
// paths, so their answers are kept in a small file keyed by the state of the dpkg database
// (status, info/ and diversions timestamps) and of each owning package's md5sums file. Any
// change there, or a path not seen before, falls back to the full index.
#include "common/result.h"
#include "pkg/dpkg_index.h"

#include <optional>
#include <string>
#include <unordered_map>

namespace loadlens::scan {

class PackageLookup {
public:
    // cachePath may be empty: then every scan builds the index. As root, a cache path that fails
    // checkCacheTrusted() (common/trusted_path.h) is not used (a warning says why).
    PackageLookup(std::string adminDir, std::string cachePath);

    // The package database of the system under rootDir ("/" or, for a process in another mount
    // namespace, /proc/PID/root): dpkg's admin directory ROOT/var/lib/dpkg. Paths asked of it are
    // the paths as seen inside that root.
    static PackageLookup forRoot(const std::string &rootDir, const std::string &cachePath);

    bool available();
    std::string unavailableReason();
    std::optional<pkg::OwnedFile> lookup(const std::string &path);

    // Writes what was resolved this scan (atomically: temp file + rename). Errors are logged.
    void save();

    bool indexWasBuilt() const { return m_index.has_value(); }

private:
    const pkg::DpkgIndex *index();
    std::string databaseStamp() const;
    std::string md5sumsStamp(const std::string &package) const;
    void loadCache();

    struct Entry {
        std::optional<pkg::OwnedFile> owner;
        std::string md5sumsStamp;  // of the owner's info/<package>.md5sums when it was resolved
    };
    std::string m_adminDir;
    std::string m_cachePath;
    std::string m_stamp;
    bool m_dirty = false;
    std::unordered_map<std::string, Entry> m_known;
    std::optional<Result<pkg::DpkgIndex>> m_index;
};

} // namespace loadlens::scan
