#pragma once
// Runs compiled fragments against a record's substitution values and feeds the event builder.
// BinXml values (type 0x21) are compiled and expanded in place, one nesting level deeper.
#include "evtx/binxml.h"
#include "evtx/event_builder.h"

#include "common/cancel.h"

#include <array>
#include <chrono>
#include <cstdint>

namespace loadlens::evtx {

// When a read must stop: checked inside a record too, since one record can be slow to expand.
struct ExpandLimits {
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    const CancelToken *cancel = nullptr;
};

class Expander {
public:
    void setLimits(const ExpandLimits &limits) { m_limits = limits; }
    // True when the last expandRecord failed because the deadline passed or the read was
    // cancelled, not because of the record's bytes.
    bool interrupted() const { return m_interrupted; }

    // Expands the record body in [begin, end) of the chunk into `builder`.
    bool expandRecord(ChunkContext &ctx, std::size_t begin, std::size_t end, EventBuilder &builder, ParseError &err);

private:
    bool run(const Fragment &fragment, const ValueRef *values, std::size_t count, int depth, ParseError &err);
    bool addSteps(std::uint64_t steps, ParseError &err);

    // A hostile chunk can make one template use a nested value many times over; this bounds
    // the work one record may cause.
    // The text it produces is bounded by the event builder (kMaxRecordTextBytes).
    static constexpr std::uint64_t kMaxStepsPerRecord = 1u << 20;
    static constexpr std::uint64_t kStepsBetweenClockChecks = 1u << 12;

    ChunkContext *m_ctx = nullptr;
    EventBuilder *m_builder = nullptr;
    std::uint64_t m_steps = 0;
    std::uint64_t m_nextClockCheck = 0;
    ExpandLimits m_limits;
    bool m_interrupted = false;
    std::size_t m_recordBegin = 0;
    std::array<Fragment, kMaxFragmentDepth + 1> m_scratch;  // one per nesting level, reused
};

} // namespace loadlens::evtx
