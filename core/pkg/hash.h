#pragma once
// File digests for package verification: SHA-256 (what reports show) and MD5 (what dpkg's
// manifests promise), both computed from the same reads. Files are opened without following
// symlinks and without blocking on FIFOs, and rejected if they change while being read.
#include "common/cancel.h"
#include "common/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::pkg {

struct Digests {
    std::string sha256;  // lower-case hex
    std::string md5;     // lower-case hex; empty when not requested
    bool operator==(const Digests &) const = default;
};

struct HashOptions {
    bool md5 = true;
    std::size_t chunkSize = 1u << 20;  // bytes per read in hashFd/hashFile
};

// What identifies one version of a file's content for caching: the first fstat of the hash.
struct FileStamp {
    std::uint64_t dev = 0;  // makedev(major, minor), as in FileKey
    std::uint64_t inode = 0;
    std::uint64_t size = 0;
    std::int64_t mtimeNs = 0;
    std::int64_t ctimeNs = 0;
    bool operator==(const FileStamp &) const = default;
};

// Hashes the whole regular file open at `fd` (read with pread from offset 0, so the fd's offset
// is left alone), e.g. one opened through /proc/PID/map_files/... The fd stays open; `label`
// names it in errors.
// `stamp`, when given, receives the fstat taken before reading.
Result<Digests> hashFd(int fd, const std::string &label, const HashOptions &options = {},
                       FileStamp *stamp = nullptr);
// Opens `path` with O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC: a symlink, FIFO, device or
// directory is an Error, as is a file whose dev/inode/size/mtime changed during the read.
Result<Digests> hashFile(const std::string &path, const HashOptions &options = {},
                         FileStamp *stamp = nullptr);

struct HashJob {
    std::string path;  // opened with hashFile's flags, unless fd >= 0
    int fd = -1;       // optional, caller-owned: hash through this fd, `path` is then only a label
};

struct HashOutcome {
    Digests digests;
    FileStamp stamp;
    std::optional<Error> error;  // set when hashing failed; digests are then empty
    bool cancelled = false;      // not hashed because the token was cancelled
    bool fromCache = false;      // digests came from a HashCache, the file was not read
    bool ok() const { return !error && !cancelled; }
};

// Hashes many files across `threads` workers (0: one per core). Outcomes are in job order.
// With MD5 requested and an AVX-512 or AVX2 CPU, the workers share a multi-lane MD5 engine
// (several files advance at once) while SHA-256 uses OpenSSL per file; otherwise each worker
// hashes whole files with OpenSSL. Progress (files done / total) is reported on the calling
// thread; cancellation stops within one chunk per open file.
std::vector<HashOutcome> hashFiles(const std::vector<HashJob> &jobs, unsigned threads,
                                   const ProgressFn &progress, const CancelToken &cancel,
                                   const HashOptions &options = {});

// Which MD5 lane kernel hashFiles uses on this CPU: "avx512x16", "avx2x8" or "scalar".
const char *md5LaneKernelName();

} // namespace loadlens::pkg
