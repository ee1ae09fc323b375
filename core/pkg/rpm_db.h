#pragma once
// Which installed RPM package owns a file, and the digest its header promises, read from the
// RPM database's SQLite file (rpmdb.sqlite: RHEL 9, Fedora 33 and later, current SUSE) without
// librpm and without running rpm. The file is opened read-only (immutable when it has no
// pending write-ahead log), so a live database is neither locked against rpm nor changed.
//
// The older formats are recognised and named, not read: BerkeleyDB ("Packages", RHEL 8 and
// before) and NDB ("Packages.db", SUSE before the switch to SQLite).
#include "common/result.h"
#include "pkg/dpkg_index.h"
#include "pkg/rpm_header.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::pkg {

enum class RpmDbFormat { None, Sqlite, BerkeleyDb, Ndb };

struct RpmDbLocation {
    RpmDbFormat format = RpmDbFormat::None;
    std::string dir;   // ROOT/usr/lib/sysimage/rpm or ROOT/var/lib/rpm
    std::string file;  // the database file in it
    // Why it cannot be read (BerkeleyDB, NDB): names the format and the file. Empty otherwise.
    std::string unsupportedReason() const;
};

// Looks in ROOT/usr/lib/sysimage/rpm (Fedora 36 and later, SUSE) and then ROOT/var/lib/rpm.
RpmDbLocation findRpmDatabase(const std::string &rootDir);

struct RpmIndexWarnings {
    std::size_t badHeaders = 0;
    std::vector<std::string> examples;  // the first few, "header #12: FILEDIGESTS has 2 entries for 3 files"
};

class RpmIndex {
public:
    // Reads every header of the Packages table. A damaged header is skipped and counted in
    // warnings(); the file not being an RPM SQLite database at all is an Error naming it.
    static Result<RpmIndex> open(const std::string &sqliteFile);

    RpmIndex();  // empty, available, no packages: add headers with addHeader()

    // Adds one header blob; false (and a warning with `label`) when it is damaged.
    bool addHeader(std::span<const unsigned char> blob, std::string_view label);

    std::optional<OwnedFile> lookup(std::string_view path) const;

    std::size_t packageCount() const;
    std::size_t pathCount() const;
    const RpmIndexWarnings &warnings() const;
    const std::string &source() const;

    struct Data;

private:
    std::shared_ptr<Data> m_data;
};

} // namespace loadlens::pkg
