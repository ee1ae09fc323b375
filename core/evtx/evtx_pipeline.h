#pragma once
// Parses chunk slots on worker threads and hands the results to the caller's thread in file
// order. At most a few chunks are parsed ahead of the one being delivered, so memory stays flat
// whatever the file size.
#include "evtx/evtx_chunk.h"
#include "evtx/evtx_source.h"

#include <cstdint>
#include <functional>

namespace loadlens::evtx {

// Receives each slot's result in order; returns false to stop the read.
using ChunkConsumer = std::function<bool(ChunkResult &&result)>;

void parseChunksInOrder(const ChunkSource &source, std::uint64_t slots, unsigned threads, const ChunkLimits &limits,
                        const ChunkConsumer &consume);

} // namespace loadlens::evtx
