#pragma once
// A persistent cache of file digests, so a second scan does not re-read unchanged files.
// Keyed by (dev, inode, size, mtime_ns, ctime_ns): any write, truncate, rename-over or chmod
// changes at least one of these, so a hit means the same content (ctime cannot be set by
// unprivileged users). One row per (dev, inode); a new version replaces the old one.
// The cache lives in the invoking user's data dir and is only as trustworthy as that dir: as
// root, open() refuses a file (or a directory above it) that anyone but root owns or may write.
#include "common/cancel.h"
#include "common/result.h"
#include "pkg/hash.h"

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loadlens::pkg {

class HashCache {
public:
    // Opens or creates the SQLite file (creating parent dirs, mode 0700). A file that is not a
    // SQLite database, is damaged, or belongs to another application is an Error naming it, and
    // so is, as root, a path that fails checkCacheTrusted() (common/trusted_path.h).
    static Result<HashCache> open(const std::string &path);

    HashCache(HashCache &&other) noexcept;
    HashCache &operator=(HashCache &&other) noexcept;
    HashCache(const HashCache &) = delete;
    HashCache &operator=(const HashCache &) = delete;
    ~HashCache();

    // The digests stored for exactly this stamp; nullopt on a miss (or a read error, logged).
    std::optional<Digests> find(const FileStamp &stamp);
    Status store(const FileStamp &stamp, const Digests &digests);
    // All rows in one transaction, rolled back as a whole on error.
    Status storeBatch(const std::vector<std::pair<FileStamp, Digests>> &entries);

    const std::string &path() const;
    static constexpr int kSchemaVersion = 1;

private:
    struct Impl;
    explicit HashCache(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

// hash-cache.sqlite in dataDirectory(): $XDG_DATA_HOME/loadlens, else ~/.local/share/loadlens;
// as root /var/cache/loadlens whatever the environment says.
std::string defaultHashCachePath();

struct CachedHashRun {
    std::vector<HashOutcome> outcomes;  // in job order; fromCache marks the hits
    std::size_t cacheHits = 0;
    std::size_t hashed = 0;             // files actually read
    std::optional<Error> cacheError;    // storing new digests failed (the outcomes are still valid)
};

// hashFiles() for the jobs whose current stamp has no cache entry, then stores what was hashed.
// `cache` may be null (then everything is hashed).
CachedHashRun hashFilesCached(const std::vector<HashJob> &jobs, HashCache *cache, unsigned threads,
                              const ProgressFn &progress, const CancelToken &cancel,
                              const HashOptions &options = {});

} // namespace loadlens::pkg
