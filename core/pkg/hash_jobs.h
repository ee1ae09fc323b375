#pragma once
// State shared by the threads of one hashFiles() call.
#include "pkg/hash.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

namespace loadlens::pkg::detail {

inline constexpr std::size_t kNoJob = static_cast<std::size_t>(-1);

struct JobQueue {
    JobQueue(const std::vector<HashJob> &j, std::vector<HashOutcome> &o, const CancelToken &c, const HashOptions &opt)
        : jobs(j), outcomes(o), finished(j.size(), 0), cancel(c), options(opt)
    {
    }
    const std::vector<HashJob> &jobs;
    std::vector<HashOutcome> &outcomes;
    std::vector<char> finished;      // per job: a worker wrote its outcome
    std::vector<std::size_t> order;  // job indices, largest file first (shortest tail)
    std::vector<std::uint64_t> sizes;
    const CancelToken &cancel;
    HashOptions options;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::mutex progressMutex;
    std::condition_variable progressWake;

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
        progressWake.notify_one();
    }
    void fail(std::size_t job, Error error)
    {
        outcomes[job].error = std::move(error);
        complete(job);
    }
};

// Hashes one job on the calling thread with hashFd/hashFile.
void hashAlone(JobQueue &queue, std::size_t job);

// Runs `threads` workers sharing one set of MD5 lanes (see hash_lane_engine.cpp); returns when
// every job has an outcome or the token was cancelled.
void runLaneEngine(JobQueue &queue, unsigned threads, unsigned width);

} // namespace loadlens::pkg::detail
