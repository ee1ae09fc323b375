// hashFiles: many files across worker threads. With MD5 requested each worker keeps one file
// per SIMD lane in flight: every read chunk is fed to that file's SHA-256 (OpenSSL, SHA-NI)
// while it is hot in cache, and MD5 advances all lanes together through the lane kernel.
#include "pkg/hash.h"

#include "common/log.h"
#include "pkg/hash_internal.h"
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

// Per lane; 16 lanes x 64 KiB stay within L2 while the MD5 kernel walks them.
constexpr std::size_t kLaneChunk = 64 * 1024;
constexpr std::size_t kNoJob = static_cast<std::size_t>(-1);
// Below this many busy lanes a SIMD pass costs more than hashing the busy ones one by one.
constexpr unsigned kMinLanesForSimd = 2;

struct Shared {
    Shared(const std::vector<HashJob> &j, std::vector<HashOutcome> &o, const CancelToken &c, const HashOptions &opt)
        : jobs(j), outcomes(o), finished(j.size(), 0), cancel(c), options(opt)
    {
    }
    const std::vector<HashJob> &jobs;
    std::vector<HashOutcome> &outcomes;
    std::vector<char> finished;      // per job: a worker wrote its outcome
    std::vector<std::size_t> order;  // job indices, largest file first (shortest tail)
    const CancelToken &cancel;
    HashOptions options;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::mutex mutex;
    std::condition_variable wake;

    std::size_t take()
    {
        if (cancel.cancelled())
            return kNoJob;
        const std::size_t i = next.fetch_add(1);
        return i < order.size() ? order[i] : kNoJob;
    }
    void complete(std::size_t job)
    {
        finished[job] = 1;
        done.fetch_add(1);
        wake.notify_one();
    }
    void fail(std::size_t job, Error error)
    {
        outcomes[job].error = std::move(error);
        complete(job);
    }
};

void simpleWorker(Shared &s)
{
    for (std::size_t job = s.take(); job != kNoJob; job = s.take()) {
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
}

class LaneWorker {
public:
    LaneWorker(Shared &shared, unsigned width)
        : m_shared(shared), m_width(width), m_arena(width * kLaneChunk), m_lanes(width), m_states(4 * width)
    {
    }

    void run()
    {
        for (auto &lane : m_lanes)
            lane.sha = detail::EvpCtx(EVP_MD_CTX_new());
        for (;;) {
            for (unsigned i = 0; i < m_width; ++i)
                if (m_lanes[i].job == kNoJob)
                    assign(i);
            for (unsigned i = 0; i < m_width; ++i)
                if (m_lanes[i].job != kNoJob && !m_lanes[i].eof && m_lanes[i].pending() < 64)
                    refill(i);
            bool freed = false;
            for (unsigned i = 0; i < m_width; ++i)
                if (m_lanes[i].job != kNoJob && m_lanes[i].eof && m_lanes[i].pending() < 64) {
                    finishLane(i);
                    freed = true;
                }
            if (m_shared.cancel.cancelled())
                cancelAll();
            unsigned busy = 0;
            for (const auto &lane : m_lanes)
                busy += lane.job != kNoJob;
            if (busy == 0) {
                if (m_queueEmpty || m_shared.cancel.cancelled())
                    return;
                continue;
            }
            if (freed && !m_queueEmpty)
                continue;  // fill the freed lanes before the next MD5 pass
            compress(busy);
        }
    }

private:
    struct Lane {
        std::size_t job = kNoJob;
        io::UniqueFd owned;
        int fd = -1;
        struct stat before {};
        detail::EvpCtx sha;
        std::uint64_t bytesRead = 0;
        std::size_t begin = 0;
        std::size_t end = 0;
        bool eof = false;
        std::size_t pending() const { return end - begin; }
    };

    unsigned char *bufferOf(unsigned lane) { return m_arena.data() + std::size_t(lane) * kLaneChunk; }

    void release(unsigned i)
    {
        Lane &lane = m_lanes[i];
        lane.owned = io::UniqueFd();
        lane.fd = -1;
        lane.job = kNoJob;
    }

    void failLane(unsigned i, Error error)
    {
        m_shared.fail(m_lanes[i].job, std::move(error));
        release(i);
    }

    void assign(unsigned i)
    {
        Lane &lane = m_lanes[i];
        while (!m_queueEmpty) {
            const std::size_t job = m_shared.take();
            if (job == kNoJob) {
                m_queueEmpty = true;
                return;
            }
            const HashJob &j = m_shared.jobs[job];
            if (j.fd >= 0) {
                lane.fd = j.fd;
            } else {
                auto fd = detail::openForHash(j.path);
                if (!fd) {
                    m_shared.fail(job, fd.error());
                    continue;
                }
                lane.owned = std::move(*fd);
                lane.fd = lane.owned.get();
            }
            auto st = detail::statRegular(lane.fd, j.path);
            if (!st) {
                m_shared.fail(job, st.error());
                lane.owned = io::UniqueFd();
                continue;
            }
            if (!lane.sha || EVP_DigestInit_ex2(lane.sha.get(), detail::sha256Md(), nullptr) != 1) {
                m_shared.fail(job, Error{0, "cannot hash " + j.path + ": SHA-256 is not available from OpenSSL"});
                lane.owned = io::UniqueFd();
                continue;
            }
            ::posix_fadvise(lane.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
            lane.job = job;
            lane.before = *st;
            m_shared.outcomes[job].stamp = detail::stampOf(*st);
            lane.bytesRead = 0;
            lane.begin = lane.end = 0;
            lane.eof = false;
            for (int w = 0; w < 4; ++w)
                m_states[w * m_width + i] = md5::kInit[w];
            return;
        }
    }

    void refill(unsigned i)
    {
        Lane &lane = m_lanes[i];
        unsigned char *buffer = bufferOf(i);
        const std::size_t keep = lane.pending();
        std::memmove(buffer, buffer + lane.begin, keep);
        lane.begin = 0;
        lane.end = keep;
        const std::string &label = m_shared.jobs[lane.job].path;
        while (lane.end < kLaneChunk) {
            const ssize_t n = ::pread(lane.fd, buffer + lane.end, kLaneChunk - lane.end,
                                      static_cast<off_t>(lane.bytesRead));
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                failLane(i, Error::fromErrno(errno, "cannot read " + label));
                return;
            }
            if (n == 0) {
                lane.eof = true;
                break;
            }
            EVP_DigestUpdate(lane.sha.get(), buffer + lane.end, static_cast<std::size_t>(n));
            lane.end += static_cast<std::size_t>(n);
            lane.bytesRead += static_cast<std::uint64_t>(n);
            if (lane.bytesRead > static_cast<std::uint64_t>(lane.before.st_size)) {
                failLane(i, Error{0, "cannot hash " + label + ": file changed while hashing (it grew)"});
                return;
            }
        }
    }

    void finishLane(unsigned i)
    {
        Lane &lane = m_lanes[i];
        const std::string &label = m_shared.jobs[lane.job].path;
        if (auto unchanged = detail::checkUnchanged(lane.fd, lane.before, lane.bytesRead, label); !unchanged) {
            failLane(i, unchanged.error());
            return;
        }
        auto sha = detail::finishDigest(lane.sha.get(), label);
        if (!sha) {
            failLane(i, sha.error());
            return;
        }
        std::uint32_t state[4];
        for (int w = 0; w < 4; ++w)
            state[w] = m_states[w * m_width + i];
        unsigned char digest[16];
        md5::finish(state, bufferOf(i) + lane.begin, lane.bytesRead, digest);
        HashOutcome &out = m_shared.outcomes[lane.job];
        out.digests.sha256 = std::move(*sha);
        out.digests.md5 = detail::toHex(digest, 16);
        m_shared.complete(lane.job);
        release(i);
    }

    void cancelAll()
    {
        for (unsigned i = 0; i < m_width; ++i)
            if (m_lanes[i].job != kNoJob) {
                m_shared.outcomes[m_lanes[i].job].cancelled = true;
                m_shared.complete(m_lanes[i].job);
                release(i);
            }
    }

    void compress(unsigned busy)
    {
        if (busy >= kMinLanesForSimd) {
            std::size_t blocks = kLaneChunk / 64;
            for (const auto &lane : m_lanes)
                if (lane.job != kNoJob)
                    blocks = std::min(blocks, lane.pending() / 64);
            std::uint32_t offsets[16];
            for (unsigned i = 0; i < m_width; ++i)  // idle lanes hash their stale buffer, ignored
                offsets[i] = static_cast<std::uint32_t>(i * kLaneChunk + (m_lanes[i].job != kNoJob ? m_lanes[i].begin : 0));
            if (m_width == 16)
                md5::compressX16Avx512(m_states.data(), m_arena.data(), offsets, blocks);
            else
                md5::compressX8Avx2(m_states.data(), m_arena.data(), offsets, blocks);
            for (auto &lane : m_lanes)
                if (lane.job != kNoJob)
                    lane.begin += blocks * 64;
            return;
        }
        for (unsigned i = 0; i < m_width; ++i) {
            Lane &lane = m_lanes[i];
            if (lane.job == kNoJob)
                continue;
            const std::size_t blocks = lane.pending() / 64;
            std::uint32_t state[4];
            for (int w = 0; w < 4; ++w)
                state[w] = m_states[w * m_width + i];
            md5::compressScalar(state, bufferOf(i) + lane.begin, blocks);
            for (int w = 0; w < 4; ++w)
                m_states[w * m_width + i] = state[w];
            lane.begin += blocks * 64;
        }
    }

    Shared &m_shared;
    unsigned m_width;
    std::vector<unsigned char> m_arena;
    std::vector<Lane> m_lanes;
    std::vector<std::uint32_t> m_states;  // [word][lane]
    bool m_queueEmpty = false;
};

std::uint64_t sizeHint(const HashJob &job)
{
    struct stat st {};
    const int rc = job.fd >= 0 ? ::fstat(job.fd, &st) : ::fstatat(AT_FDCWD, job.path.c_str(), &st, AT_SYMLINK_NOFOLLOW);
    return rc == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

} // namespace

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
    Shared shared(jobs, outcomes, cancel, options);
    std::vector<std::uint64_t> sizes(jobs.size());
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
    auto work = [&shared, width] {
        if (width > 1)
            LaneWorker(shared, width).run();
        else
            simpleWorker(shared);
    };

    std::vector<std::thread> workers;
    for (unsigned t = 0; t < threads; ++t) {
        try {
            workers.emplace_back(work);
        } catch (const std::system_error &e) {
            log::get("core.pkg")->warn("cannot start hashing thread: {}", e.what());
            break;
        }
    }
    if (workers.empty())
        work();

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
        std::unique_lock lock(shared.mutex);
        shared.wake.wait_for(lock, std::chrono::milliseconds(50));
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
