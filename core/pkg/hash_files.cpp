// hashFiles: many files across worker threads; with MD5 and a SIMD lane kernel available the
// work goes through the shared lane engine (hash_lane_engine.cpp), otherwise each worker hashes
// whole files on its own.
#include "pkg/hash.h"

#include "common/log.h"
#include "pkg/hash_internal.h"
#include "pkg/hash_jobs.h"
#include "pkg/md5_lanes.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fcntl.h>
#include <mutex>
#include <thread>
#include <unistd.h>

namespace loadlens::pkg {

namespace {

std::uint64_t sizeHint(const HashJob &job)
{
    struct stat st {};
    const int rc = job.fd >= 0 ? ::fstat(job.fd, &st) : ::fstatat(AT_FDCWD, job.path.c_str(), &st, AT_SYMLINK_NOFOLLOW);
    return rc == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

} // namespace

namespace detail {

void hashAlone(JobQueue &s, std::size_t job)
{
    const HashJob &j = s.jobs[job];
    FileStamp stamp;
    auto result = j.fd >= 0 ? hashFd(j.fd, j.path, s.options, &stamp) : hashFile(j.path, s.options, &stamp);
    s.outcomes[job].stamp = stamp;
    if (result)
        s.outcomes[job].digests = std::move(*result);
    else
        s.outcomes[job].error = result.error();
    s.complete(job);
}

} // namespace detail

const char *md5LaneKernelName()
{
    switch (md5::laneWidth()) {
    case 16:
        return "avx512x16";
    case 8:
        return "avx2x8";
    default:
        return "scalar";
    }
}

std::vector<HashOutcome> hashFiles(const std::vector<HashJob> &jobs, unsigned threads, const ProgressFn &progress,
                                   const CancelToken &cancel, const HashOptions &options)
{
    std::vector<HashOutcome> outcomes(jobs.size());
    if (jobs.empty())
        return outcomes;
    detail::JobQueue shared(jobs, outcomes, cancel, options);
    std::vector<std::uint64_t> &sizes = shared.sizes;
    sizes.resize(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i)
        sizes[i] = sizeHint(jobs[i]);
    shared.order.resize(jobs.size());
    for (std::size_t i = 0; i < jobs.size(); ++i)
        shared.order[i] = i;
    std::stable_sort(shared.order.begin(), shared.order.end(),
                     [&](std::size_t a, std::size_t b) { return sizes[a] > sizes[b]; });

    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());
    threads = static_cast<unsigned>(std::min<std::size_t>(threads, jobs.size()));
    const unsigned width = options.md5 ? md5::laneWidth() : 1;
    std::vector<std::thread> workers;
    auto start = [&](auto &&fn) {
        try {
            workers.emplace_back(fn);
        } catch (const std::system_error &e) {
            log::get("core.pkg")->warn("cannot start hashing thread: {}", e.what());
        }
    };
    if (width > 1) {
        start([&shared, threads, width] { detail::runLaneEngine(shared, threads, width); });
    } else {
        for (unsigned t = 0; t < threads; ++t)
            start([&shared] {
                for (std::size_t job = shared.take(); job != detail::kNoJob; job = shared.take())
                    detail::hashAlone(shared, job);
            });
    }
    if (workers.empty()) {
        for (std::size_t job = shared.take(); job != detail::kNoJob; job = shared.take())
            detail::hashAlone(shared, job);
    }

    std::size_t reported = static_cast<std::size_t>(-1);
    for (;;) {
        const std::size_t done = shared.done.load();
        if (progress && done != reported) {
            progress(done, jobs.size(), "hashing");
            reported = done;
        }
        // On cancel the workers stop within one chunk per lane; join them below.
        if (done >= jobs.size() || workers.empty() || cancel.cancelled())
            break;
        std::unique_lock lock(shared.progressMutex);
        shared.progressWake.wait_for(lock, std::chrono::milliseconds(50));
    }
    for (auto &worker : workers)
        worker.join();
    for (std::size_t i = 0; i < jobs.size(); ++i)
        if (!shared.finished[i])
            outcomes[i].cancelled = true;
    if (progress && shared.done.load() != reported)
        progress(shared.done.load(), jobs.size(), "hashing");
    return outcomes;
}

} // namespace loadlens::pkg
