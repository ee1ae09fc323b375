// The lane engine behind hashFiles(). SHA-256 (OpenSSL, SHA-NI, ~2 GB/s) and MD5 (~0.85 GB/s
// for one stream) of one file are each a serial chain, so:
//  - up to `width` files are open at once, one per MD5 lane, largest files first;
//  - any worker "produces": reads the next chunk of one file and feeds it to that file's
//    SHA-256 while it is hot in cache, then queues it for MD5;
//  - whichever worker finds the engine free runs one MD5 pass: every lane with queued data
//    advances through the 16-lane (or packed 8-lane) SIMD kernel, ~6 GB/s in total.
// MD5 thus costs a fraction of SHA-256 and runs beside it on the other cores. What remains
// serial is one lane's chain: a file much larger than the rest finishes last at single-lane
// speed (measured on the ~200 largest .so files: still faster than `openssl dgst -sha256`).
#include "pkg/hash_internal.h"
#include "pkg/hash_jobs.h"
#include "pkg/md5_lanes.h"

#include <algorithm>
#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

namespace loadlens::pkg::detail {

namespace {

constexpr std::size_t kChunk = 128 * 1024;  // a multiple of 64: only a file's last chunk has a partial block
constexpr std::size_t kMaxQueued = 2;       // chunks per lane waiting for MD5

struct Chunk {
    unsigned char *data = nullptr;
    std::size_t size = 0;
};

struct Slot {
    std::size_t job = kNoJob;
    io::UniqueFd owned;
    int fd = -1;
    struct stat before {};
    EvpCtx sha;
    std::uint64_t bytesRead = 0;
    bool producing = false;   // a worker is reading the next chunk (outside the lock)
    bool readDone = false;    // EOF reached and SHA-256 finished, or failed
    bool md5Fresh = true;     // the engine must load the initial MD5 state
    std::deque<Chunk> chunks; // read and SHA'd, waiting for MD5; front consumed up to `pos`
    std::size_t pos = 0;
    std::string sha256;
    std::optional<Error> error;
};

class LaneEngine {
public:
    LaneEngine(JobQueue &queue, unsigned width)
        : m_queue(queue), m_width(width), m_slots(width), m_pool(width * kMaxQueued * kChunk),
          m_idleBlocks(kChunk, 0), m_states(4 * width)
    {
        for (std::size_t i = 0; i < width * kMaxQueued; ++i)
            m_free.push_back(m_pool.data() + i * kChunk);
        for (auto &slot : m_slots)
            slot.sha = EvpCtx(EVP_MD_CTX_new());
    }

    void work()
    {
        std::unique_lock lock(m_mutex);
        for (;;) {
            if (!m_engineBusy && engineHasWork()) {
                runPass(lock);
                continue;
            }
            if (const int slot = slotToProduce(); slot >= 0) {
                produce(lock, unsigned(slot));
                continue;
            }
            if (const int slot = emptySlot(); slot >= 0 && !m_jobsExhausted) {
                assign(lock, unsigned(slot));
                continue;
            }
            if (m_jobsExhausted && allSlotsEmpty())
                break;
            m_wake.wait(lock);
        }
        m_wake.notify_all();
    }

private:
    bool allSlotsEmpty() const
    {
        return std::all_of(m_slots.begin(), m_slots.end(), [](const Slot &s) { return s.job == kNoJob; });
    }
    int emptySlot() const
    {
        for (unsigned i = 0; i < m_width; ++i)
            if (m_slots[i].job == kNoJob)
                return int(i);
        return -1;
    }
    // Fewest queued chunks first, then most bytes left: the largest files never starve.
    int slotToProduce() const
    {
        if (m_free.empty() || m_queue.cancel.cancelled())
            return -1;
        int best = -1;
        for (unsigned i = 0; i < m_width; ++i) {
            const Slot &s = m_slots[i];
            if (s.job == kNoJob || s.producing || s.readDone || s.chunks.size() >= kMaxQueued)
                continue;
            if (best < 0)
                best = int(i);
            const Slot &b = m_slots[unsigned(best)];
            const auto left = [this](const Slot &x) { return m_queue.sizes[x.job] - std::min(m_queue.sizes[x.job], x.bytesRead); };
            if (s.chunks.size() < b.chunks.size() || (s.chunks.size() == b.chunks.size() && left(s) > left(b)))
                best = int(i);
        }
        return best;
    }
    // Everything read and hashed except MD5's final partial block.
    static bool tailOnly(const Slot &s)
    {
        return s.readDone && !s.error
               && (s.chunks.empty() || (s.chunks.size() == 1 && s.chunks.front().size - s.pos < 64));
    }
    bool finishable(const Slot &s) const
    {
        if (s.job == kNoJob || s.producing)
            return false;
        return (s.readDone && (s.error || tailOnly(s))) || m_queue.cancel.cancelled();
    }
    // A pass costs about the same however many lanes take part, so it waits until at least
    // half of the open files have data, unless nothing else can be done meanwhile.
    bool engineHasWork() const
    {
        unsigned ready = 0, open = 0;
        for (const Slot &s : m_slots) {
            if (finishable(s))
                return true;
            open += s.job != kNoJob;
            ready += !s.chunks.empty() && s.chunks.front().size - s.pos >= 64;
        }
        if (ready == 0)
            return false;
        if (ready * 2 >= open)
            return true;
        return slotToProduce() < 0 && (m_jobsExhausted || emptySlot() < 0);
    }

    void assign(std::unique_lock<std::mutex> &lock, unsigned i)
    {
        Slot &slot = m_slots[i];
        const std::size_t job = m_queue.take();
        if (job == kNoJob) {
            m_jobsExhausted = true;
            m_wake.notify_all();
            return;
        }
        slot.job = job;  // reserved; `producing` keeps others away while it is opened
        slot.producing = true;
        lock.unlock();
        const HashJob &j = m_queue.jobs[job];
        std::optional<Error> error;
        if (j.fd >= 0) {
            slot.fd = j.fd;
        } else if (auto fd = openForHash(j.path)) {
            slot.owned = std::move(*fd);
            slot.fd = slot.owned.get();
        } else {
            error = fd.error();
        }
        if (!error) {
            if (auto st = statRegular(slot.fd, j.path))
                slot.before = *st;
            else
                error = st.error();
        }
        if (!error && (!slot.sha || EVP_DigestInit_ex2(slot.sha.get(), sha256Md(), nullptr) != 1))
            error = Error{0, "cannot hash " + j.path + ": SHA-256 is not available from OpenSSL"};
        if (!error) {
            ::posix_fadvise(slot.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
            m_queue.outcomes[job].stamp = stampOf(slot.before);
        }
        lock.lock();
        slot.producing = false;
        slot.bytesRead = 0;
        slot.readDone = bool(error);
        slot.error = std::move(error);
        slot.md5Fresh = true;
        slot.pos = 0;
        m_wake.notify_all();
    }

    void produce(std::unique_lock<std::mutex> &lock, unsigned i)
    {
        Slot &slot = m_slots[i];
        slot.producing = true;
        const std::uint64_t offset = slot.bytesRead;
        unsigned char *buffer = m_free.back();
        m_free.pop_back();
        lock.unlock();
        const std::string &label = m_queue.jobs[slot.job].path;
        std::size_t filled = 0;
        bool eof = false;
        std::optional<Error> error;
        while (filled < kChunk) {
            const ssize_t n = ::pread(slot.fd, buffer + filled, kChunk - filled, off_t(offset + filled));
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0) {
                error = Error::fromErrno(errno, "cannot read " + label);
                break;
            }
            if (n == 0) {
                eof = true;
                break;
            }
            filled += std::size_t(n);
        }
        const std::uint64_t total = offset + filled;
        if (!error && total > std::uint64_t(slot.before.st_size))
            error = Error{0, "cannot hash " + label + ": file changed while hashing (it grew)"};
        if (!error)
            EVP_DigestUpdate(slot.sha.get(), buffer, filled);
        if (!error && eof) {
            if (auto unchanged = checkUnchanged(slot.fd, slot.before, total, label); !unchanged)
                error = unchanged.error();
            else if (auto sha = finishDigest(slot.sha.get(), label))
                slot.sha256 = std::move(*sha);
            else
                error = sha.error();
        }
        lock.lock();
        slot.producing = false;
        slot.bytesRead = total;
        if (error || filled == 0)
            m_free.push_back(buffer);
        else
            slot.chunks.push_back(Chunk{buffer, filled});
        if (error) {
            slot.error = std::move(error);
            slot.readDone = true;
        } else if (eof) {
            slot.readDone = true;
        }
        m_wake.notify_all();
    }

    // One MD5 step for every lane with data: planned under the lock, computed without it (only
    // the engine holder touches m_states and the front chunks), applied under the lock.
    void runPass(std::unique_lock<std::mutex> &lock)
    {
        m_engineBusy = true;
        for (unsigned i = 0; i < m_width; ++i)
            if (finishable(m_slots[i]))
                finishSlot(i);
        const unsigned char *rows[16];
        std::size_t blocks[16] = {};
        unsigned busy = 0;
        std::size_t common = kChunk / 64;
        for (unsigned i = 0; i < m_width; ++i) {
            Slot &s = m_slots[i];
            rows[i] = nullptr;
            if (s.job == kNoJob || s.chunks.empty() || s.chunks.front().size - s.pos < 64)
                continue;
            if (s.md5Fresh) {
                for (int w = 0; w < 4; ++w)
                    m_states[w * m_width + i] = md5::kInit[w];
                s.md5Fresh = false;
            }
            rows[i] = s.chunks.front().data + s.pos;
            blocks[i] = (s.chunks.front().size - s.pos) / 64;
            common = std::min(common, blocks[i]);
            ++busy;
        }
        lock.unlock();
        if (busy > 0)
            compress(rows, blocks, busy, common);
        lock.lock();
        for (unsigned i = 0; i < m_width; ++i) {
            Slot &s = m_slots[i];
            if (!rows[i])
                continue;
            s.pos += blocks[i] * 64;
            if (s.pos == s.chunks.front().size) {
                m_free.push_back(s.chunks.front().data);
                s.chunks.pop_front();
                s.pos = 0;
            }
        }
        m_engineBusy = false;
        m_wake.notify_all();
    }

    // Advances lane i by blocks[i] (set to what was done). One 16-lane pass costs about two
    // scalar blocks, an 8-lane AVX-512VL pass about one (measured), so: 16 lanes when more than
    // eight are busy, the busy ones packed into 8 lanes when two to eight are, scalar for one.
    void compress(const unsigned char *rows[16], std::size_t blocks[16], unsigned busy, std::size_t common)
    {
        if (busy >= 2 && (busy > 8 || m_width == 8)) {
            std::uint32_t saved[4 * 16];
            std::copy(m_states.begin(), m_states.end(), saved);
            const unsigned char *laneRows[16];
            for (unsigned i = 0; i < m_width; ++i)
                laneRows[i] = rows[i] ? rows[i] : m_idleBlocks.data();
            md5Kernel(laneRows, common);
            for (unsigned i = 0; i < m_width; ++i) {
                if (rows[i]) {
                    blocks[i] = common;
                } else {
                    for (int w = 0; w < 4; ++w)
                        m_states[w * m_width + i] = saved[w * m_width + i];
                }
            }
            return;
        }
        if (busy >= 2) {
            unsigned lanes[8];
            std::uint32_t packed[4 * 8] = {};
            const unsigned char *packedRows[8];
            unsigned k = 0;
            for (unsigned i = 0; i < m_width && k < 8; ++i) {
                if (!rows[i])
                    continue;
                lanes[k] = i;
                packedRows[k] = rows[i];
                for (int w = 0; w < 4; ++w)
                    packed[w * 8 + k] = m_states[w * m_width + i];
                ++k;
            }
            for (unsigned j = k; j < 8; ++j)
                packedRows[j] = m_idleBlocks.data();
            md5::compressX8Avx512vl(packed, packedRows, common);
            for (unsigned j = 0; j < k; ++j) {
                blocks[lanes[j]] = common;
                for (int w = 0; w < 4; ++w)
                    m_states[w * m_width + lanes[j]] = packed[w * 8 + j];
            }
            return;
        }
        for (unsigned i = 0; i < m_width; ++i) {
            if (!rows[i])
                continue;
            std::uint32_t state[4];
            for (int w = 0; w < 4; ++w)
                state[w] = m_states[w * m_width + i];
            md5::compressScalar(state, rows[i], blocks[i]);
            for (int w = 0; w < 4; ++w)
                m_states[w * m_width + i] = state[w];
        }
    }

    void md5Kernel(const unsigned char *const rows[16], std::size_t blocks);

    // Writes the outcome of slot i (digests, error or cancellation) and frees it. Lock held.
    void finishSlot(unsigned i)
    {
        Slot &s = m_slots[i];
        HashOutcome &out = m_queue.outcomes[s.job];
        if (s.error) {
            out.error = std::move(s.error);
        } else if (!tailOnly(s)) {
            out.cancelled = true;
        } else {
            std::uint32_t state[4];
            for (int w = 0; w < 4; ++w)
                state[w] = s.md5Fresh ? md5::kInit[w] : m_states[w * m_width + i];
            const unsigned char *tail = s.chunks.empty() ? nullptr : s.chunks.front().data + s.pos;
            unsigned char digest[16];
            md5::finish(state, tail, s.bytesRead, digest);
            out.digests.sha256 = std::move(s.sha256);
            out.digests.md5 = toHex(digest, 16);
        }
        for (const Chunk &c : s.chunks)
            m_free.push_back(c.data);
        s.chunks.clear();
        s.error.reset();
        s.sha256.clear();
        s.owned = io::UniqueFd();
        s.fd = -1;
        s.readDone = false;
        s.pos = 0;
        m_queue.complete(s.job);
        s.job = kNoJob;
    }

    JobQueue &m_queue;
    unsigned m_width;
    std::vector<Slot> m_slots;
    std::vector<unsigned char> m_pool;
    std::vector<unsigned char *> m_free;
    std::vector<unsigned char> m_idleBlocks;  // what idle lanes hash in a SIMD pass (discarded)
    std::vector<std::uint32_t> m_states;      // [word][lane], owned by the engine holder
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_engineBusy = false;
    bool m_jobsExhausted = false;
};

void LaneEngine::md5Kernel(const unsigned char *const rows[16], std::size_t blocks)
{
    if (m_width == 16)
        md5::compressX16Avx512(m_states.data(), rows, blocks);
    else
        md5::compressX8Avx2(m_states.data(), rows, blocks);
}

} // namespace

void runLaneEngine(JobQueue &queue, unsigned threads, unsigned width)
{
    LaneEngine engine(queue, width);
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads; ++t) {
        try {
            helpers.emplace_back([&engine] { engine.work(); });
        } catch (const std::system_error &) {
            break;  // fewer threads still finish the work
        }
    }
    engine.work();
    for (auto &helper : helpers)
        helper.join();
}

} // namespace loadlens::pkg::detail
