#pragma once
// Runs compiled fragments against a record's substitution values and feeds the event builder.
// BinXml values (type 0x21) are compiled and expanded in place, one nesting level deeper.
#include "evtx/binxml.h"
#include "evtx/event_builder.h"

#include <array>
#include <cstdint>

namespace loadlens::evtx {

class Expander {
public:
    // Expands the record body in [begin, end) of the chunk into `builder`.
    bool expandRecord(ChunkContext &ctx, std::size_t begin, std::size_t end, EventBuilder &builder, ParseError &err);

private:
    bool run(const Fragment &fragment, const ValueRef *values, std::size_t count, int depth, ParseError &err);

    // A hostile chunk can make one template use a nested value many times over; this bounds
    // the work one record may cause.
    static constexpr std::uint64_t kMaxStepsPerRecord = 1u << 20;

    ChunkContext *m_ctx = nullptr;
    EventBuilder *m_builder = nullptr;
    std::uint64_t m_steps = 0;
    std::array<Fragment, kMaxFragmentDepth + 1> m_scratch;  // one per nesting level, reused
};

} // namespace loadlens::evtx
