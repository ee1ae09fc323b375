#include "evtx/evtx_pipeline.h"

#include <algorithm>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace loadlens::evtx {

namespace {

// Reads and parses slot `index`; a slot that cannot be read becomes a Bad chunk.
void parseSlot(const ChunkSource &source, std::uint64_t index, std::vector<std::uint8_t> &buf, Expander &expander,
               const ChunkLimits &limits, ChunkResult &out)
{
    const std::uint64_t offset = kFileHeaderSize + index * kChunkSize;
    std::fill(buf.begin(), buf.end(), 0);
    auto got = source.readAt(offset, buf.data(), kChunkSize);
    if (!got) {
        out.fileOffset = offset;
        out.kind = ChunkResult::Kind::Bad;
        out.problem = got.error().message;
        return;
    }
    parseChunk(buf.data(), *got, offset, limits, expander, out);
}

class OrderedPipeline {
public:
    OrderedPipeline(const ChunkSource &source, std::uint64_t slots, unsigned threads, const ChunkLimits &limits)
        : m_source(source), m_slots(slots), m_threads(threads), m_window(std::size_t(threads) * 2),
          m_limits(limits), m_results(m_window), m_ready(m_window, false)
    {
    }

    void run(const ChunkConsumer &consume)
    {
        std::vector<std::thread> workers;
        for (unsigned t = 0; t < m_threads; ++t)
            workers.emplace_back([this] { work(); });
        for (std::uint64_t i = 0; i < m_slots; ++i) {
            ChunkResult result;
            {
                std::unique_lock lock(m_mutex);
                m_readyCv.wait(lock, [&] { return m_ready[i % m_window]; });
                result = std::move(m_results[i % m_window]);
                m_ready[i % m_window] = false;
                m_delivered = i + 1;
            }
            m_workCv.notify_all();
            if (!consume(std::move(result)))
                break;
        }
        {
            std::lock_guard lock(m_mutex);
            m_stop = true;
        }
        m_workCv.notify_all();
        for (std::thread &w : workers)
            w.join();
    }

private:
    void work()
    {
        std::vector<std::uint8_t> buf(kChunkSize);
        auto expander = std::make_unique<Expander>();
        for (;;) {
            std::uint64_t index;
            {
                std::unique_lock lock(m_mutex);
                m_workCv.wait(lock, [&] { return m_stop || m_next >= m_slots || m_next < m_delivered + m_window; });
                if (m_stop || m_next >= m_slots)
                    return;
                index = m_next++;
            }
            ChunkResult result;
            parseSlot(m_source, index, buf, *expander, m_limits, result);
            {
                std::lock_guard lock(m_mutex);
                m_results[index % m_window] = std::move(result);
                m_ready[index % m_window] = true;
            }
            m_readyCv.notify_all();
        }
    }

    const ChunkSource &m_source;
    const std::uint64_t m_slots;
    const unsigned m_threads;
    const std::size_t m_window;
    const ChunkLimits &m_limits;
    std::mutex m_mutex;
    std::condition_variable m_workCv, m_readyCv;
    std::vector<ChunkResult> m_results;
    std::vector<bool> m_ready;
    std::uint64_t m_next = 0;
    std::uint64_t m_delivered = 0;
    bool m_stop = false;
};

} // namespace

void parseChunksInOrder(const ChunkSource &source, std::uint64_t slots, unsigned threads, const ChunkLimits &limits,
                        const ChunkConsumer &consume)
{
    if (threads <= 1 || slots <= 1) {
        std::vector<std::uint8_t> buf(kChunkSize);
        auto expander = std::make_unique<Expander>();
        for (std::uint64_t i = 0; i < slots; ++i) {
            ChunkResult result;
            parseSlot(source, i, buf, *expander, limits, result);
            if (!consume(std::move(result)))
                return;
        }
        return;
    }
    OrderedPipeline(source, slots, unsigned(std::min<std::uint64_t>(threads, slots)), limits).run(consume);
}

} // namespace loadlens::evtx
