#pragma once
// Package ownership of the loaded files, remembered between scans. Building the whole dpkg
// index reads thousands of manifest files (~0.1 s), the RPM index every header of rpmdb.sqlite;
// a warm scan asks about the same few hundred paths, so their answers are kept in a small file
// keyed by the state of the package databases (dpkg's status, info/ and diversions timestamps
// and each owning package's md5sums file; the RPM SQLite file and its write-ahead log). Any
// change there, or a path not seen before, falls back to the full index.
#include "common/result.h"
#include "pkg/dpkg_index.h"
#include "pkg/rpm_db.h"

#include <optional>
#include <string>
#include <unordered_map>

namespace loadlens::scan {

class PackageLookup {
public:
    // dpkg only, at adminDir. cachePath may be empty: then every scan builds the index. As root,
    // a cache path that fails checkCacheTrusted() (common/trusted_path.h) is not used (a warning
    // says why).
    PackageLookup(std::string adminDir, std::string cachePath);

    // The package database of the system whose root directory is rootDir ("/" for this host,
    // /proc/PID/root for a container's): dpkg at ROOT/var/lib/dpkg when it has a status file,
    // and the RPM database under ROOT (usr/lib/sysimage/rpm or var/lib/rpm) when it is
    // rpmdb.sqlite; a path that dpkg does not list is asked of RPM when both exist. An RPM
    // database in a format that is not read (BerkeleyDB, NDB) makes the lookup unavailable
    // with a reason naming the format, unless dpkg is there.
    static PackageLookup forRoot(const std::string &rootDir, const std::string &cachePath);

    bool available();
    std::string unavailableReason();
    std::optional<pkg::OwnedFile> lookup(const std::string &path);

    // Writes what was resolved this scan (atomically: temp file + rename). Errors are logged.
    void save();

    bool indexWasBuilt() const { return m_index.has_value() || m_rpm.has_value(); }

private:
    PackageLookup() = default;
    void openCache(std::string cachePath);
    const pkg::DpkgIndex *index();
    const pkg::RpmIndex *rpmIndex();
    std::string databaseStamp() const;
    std::string md5sumsStamp(const std::string &package) const;
    void loadCache();

    struct Entry {
        std::optional<pkg::OwnedFile> owner;
        std::string md5sumsStamp;  // of the owner's info/<package>.md5sums when it was resolved
    };
    std::string m_adminDir;        // dpkg's; empty when this root has none
    std::string m_rpmFile;         // rpmdb.sqlite; empty when this root has none
    std::string m_unsupported;     // why no database can be read, when none can
    std::string m_cachePath;
    std::string m_stamp;
    bool m_dirty = false;
    std::unordered_map<std::string, Entry> m_known;
    std::optional<Result<pkg::DpkgIndex>> m_index;
    std::optional<Result<pkg::RpmIndex>> m_rpm;
};

} // namespace loadlens::scan
