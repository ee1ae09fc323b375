#pragma once
// Which installed Debian package owns a file, and the MD5 its manifest promises, read straight
// from dpkg's admin dir (never by running dpkg). Built once per scan; lookups are const and safe
// from many threads.
//
// Diversions (dpkg-divert) are resolved the way dpkg applies them. A record
//     original /usr/bin/pg_config, diverted-to /usr/bin/pg_config.libpq-dev, package postgresql-common
// means: postgresql-common's own copy is installed at the original name, and every OTHER package
// that ships /usr/bin/pg_config has its copy installed at the diverted-to name instead, while its
// .list and .md5sums still name the original path. So:
//   - lookup(diverted-to) yields the other package (libpq-dev) with the md5 it lists for the
//     ORIGINAL path, and dpkgPath = the original path;
//   - lookup(original) yields only the diverting package, and nothing at all for a local
//     diversion (package ":"): that file is the administrator's, whatever other .list files say.
// This avoids the classic false "modified" alarm of matching the original path against the
// diverted package's digest.
//
// usrmerge: on a merged host /lib, /bin, /sbin, /lib32, /lib64, /libx32 are symlinks into /usr, so
// /proc shows /usr/lib/x86_64-linux-gnu/libc.so.6 while libc6 lists /lib/x86_64-linux-gnu/libc.so.6.
// A lookup tries the path as given first, then its alias, and only for directories that are
// actually merged (same inode) on this host, so a copy planted in /usr/lib on a split host is
// never credited to the package that owns /lib's file.
#include "common/result.h"
#include "pkg/dpkg_parse.h"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::pkg {

struct OwnedFile {
    std::string package;             // "libc6:amd64" (multiarch packages keep their ":arch")
    std::optional<std::string> md5;  // lower-case hex from info/<package>.md5sums; absent when not listed
    std::string dpkgPath;            // the path as the package database lists it
    std::string diversion;           // empty, or how a diversion decided the owner (for evidence)
    std::vector<std::string> alsoListedBy;  // other packages listing the same path (Multi-Arch: same)
    // RPM: headers of current distributions give SHA-256 file digests (md5 is then absent), and
    // mark config files (which the administrator may edit, like dpkg's conffiles) and ghosts
    // (paths the package reserves without shipping content: nothing to compare).
    std::optional<std::string> sha256;
    std::string digestNote;  // why a listed file has no digest to compare (ghost, algorithm not computed)
    bool configFile = false;
    bool fromRpm = false;
};

struct DpkgIndexOptions {
    enum class UsrMerge { Detect, Merged, Split };
    UsrMerge usrMerge = UsrMerge::Detect;  // Detect: compare /lib with /usr/lib etc. on this host
};

// Problems met while reading the database. Corrupt lines are skipped, never guessed at.
struct DpkgIndexWarnings {
    std::size_t corruptLines = 0;
    std::size_t unreadableFiles = 0;
    std::vector<std::string> examples;  // the first few, "info/foo.md5sums:3: corrupt md5sums line"
};

class DpkgIndexBuilder;

class DpkgIndex {
public:
    // Reads adminDir/info/*.list, *.md5sums and adminDir/diversions.
    // An admin dir that does not exist is not an error: the index is then !available() and says
    // why, so a verdict can say "no package database was consulted" rather than "unowned".
    // An admin dir (or its info/) that exists but cannot be read is an Error naming it.
    static Result<DpkgIndex> build(const std::string &adminDir = "/var/lib/dpkg");
    static Result<DpkgIndex> build(const std::string &adminDir, const DpkgIndexOptions &options);

    DpkgIndex();  // empty and unavailable

    bool available() const;
    const std::string &unavailableReason() const;  // empty when available
    const std::string &adminDir() const;

    std::optional<OwnedFile> lookup(std::string_view path) const;
    // The diversion whose original or diverted-to path is `path` (or its usrmerge alias).
    const DiversionRecord *findDiversion(std::string_view path) const;

    std::size_t packageCount() const;
    std::size_t pathCount() const;
    const DpkgIndexWarnings &warnings() const;

    struct Data;  // opaque; defined in dpkg_index_data.h for the builder and lookups

private:
    friend class DpkgIndexBuilder;
    std::shared_ptr<const Data> m_data;
};

// Assembles an index from file contents already in memory; DpkgIndex::build() feeds it from disk,
// the fuzzer from its input.
class DpkgIndexBuilder {
public:
    explicit DpkgIndexBuilder(std::string adminDir, bool usrMerged);
    ~DpkgIndexBuilder();
    DpkgIndexBuilder(const DpkgIndexBuilder &) = delete;
    DpkgIndexBuilder &operator=(const DpkgIndexBuilder &) = delete;

    void reserve(std::size_t paths);
    // `source` labels warnings, e.g. "info/foo.list".
    void addList(std::string_view package, std::string content, std::string_view source);
    void addMd5sums(std::string_view package, std::string content, std::string_view source);
    void addDiversions(std::string_view content, std::string_view source);
    void addUnreadable(std::string_view what);
    DpkgIndex finish();

private:
    std::unique_ptr<DpkgIndex::Data> m_data;
};

} // namespace loadlens::pkg
