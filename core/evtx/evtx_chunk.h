#pragma once
// One 64 KiB chunk slot of an EVTX file: its header checks and the records it holds. Chunks
// share nothing, so each is parsed on its own (and on any thread).
#include "common/cancel.h"
#include "common/events.h"
#include "evtx/binxml_expander.h"
#include "evtx/evtx_reader.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace loadlens::evtx {

constexpr std::size_t kFileHeaderSize = 4096;
constexpr std::size_t kChunkSize = 65536;
constexpr std::size_t kChunkHeaderSize = 512;

struct ChunkLimits {
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
    const CancelToken *cancel = nullptr;
    std::size_t maxDetails = 100;
    bool checkCrc = true;
};

struct ChunkResult {
    enum class Kind { Parsed, Empty, Bad } kind = Kind::Parsed;
    std::uint64_t fileOffset = 0;
    std::string problem;                    // why a Bad chunk was skipped
    std::vector<EventRecord> records;
    std::uint64_t skippedCount = 0;
    std::vector<SkippedRecord> skipped;     // the first maxDetails
    // Records carved from the chunk's slack (after its free-space offset), and every record of a
    // chunk past the header's chunk count, are in `records` with EventRecord::recovered set.
    std::uint64_t recoveredCount = 0;
    std::uint64_t recoveredSkippedCount = 0;  // candidates with a record signature not readable
    std::vector<SkippedRecord> recoveredSkipped;  // the first maxDetails
    std::vector<ChunkProblem> crcProblems;
    std::uint64_t headerRecordCount = 0;    // from the chunk header's record-number range
    std::uint64_t firstRecordNumber = 0, lastRecordNumber = 0;  // that range as the header gives it
    std::vector<std::string> notes;
    bool interrupted = false;               // deadline or cancel reached inside the chunk
};

// Parses the chunk whose bytes are `chunk[0..kChunkSize)`; `available` is how many of them the
// file really had (a truncated last chunk is zero-padded by the caller). After the records up
// to the free-space offset, the slack between it and the chunk end is searched for older
// records left there when the chunk was rewritten: they use this chunk's string and template
// tables, as they did when written, and come with EventRecord::recovered set.
void parseChunk(const std::uint8_t *chunk, std::size_t available, std::uint64_t fileOffset, const ChunkLimits &limits,
                Expander &expander, ChunkResult &out);

// Marks every record of a chunk that is not part of the live log (a chunk past the file header's
// chunk count): its records and skips move to the recovered ones.
void markChunkRecovered(ChunkResult &chunk);

std::uint32_t crc32Of(const std::uint8_t *data, std::size_t size, std::uint32_t seed = 0);

} // namespace loadlens::evtx
