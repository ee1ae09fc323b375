#pragma once
// LoadLens's own reader of Windows XML Event Log (EVTX) files: the file header, every 64 KiB
// chunk found at its boundary, each chunk's string table and template cache, and the binary XML
// of each record reduced to an EventRecord (System fields and EventData/UserData by name).
//
// Chunks are independent, so they are parsed on worker threads; records are delivered to the
// sink on the calling thread in file order (chunk by chunk, and within a chunk in the order the
// records are stored). At most a small window of parsed chunks is held at once, so memory does
// not grow with the file.
//
// Nothing readable is dropped silently: a record that cannot be parsed is skipped and listed
// with its file offset and reason; a chunk that cannot be parsed is skipped and listed;
// checksum mismatches, the dirty flag and disagreements with the header are reported.
#include "common/cancel.h"
#include "common/events.h"
#include "common/result.h"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::evtx {

struct EvtxOptions {
    // Wall-clock limit for the whole read (zero: none), so a hostile file cannot hang a caller.
    std::chrono::milliseconds timeBudget{0};
    // Parser threads; 0 picks the number of cores. 1 parses on the calling thread only.
    unsigned threads = 0;
    // How many skipped records and bad chunks are listed in detail (all are counted).
    std::size_t maxDetails = 100;
};

struct ChunkProblem {
    std::uint64_t offset = 0;  // file offset of the chunk (or of the file header: 0)
    std::string reason;
};

struct EvtxReport {
    std::uint64_t recordsRead = 0;      // live records delivered to the sink
    std::uint64_t recordsSkipped = 0;   // live records found but not parseable
    std::vector<SkippedRecord> skippedRecords;  // the first maxDetails, with offsets and reasons
    // Recovered records (EventRecord::recovered): carved from chunk slack, or in chunks past the
    // header's chunk count. Delivered to the sink too, but not counted above.
    std::uint64_t recordsRecovered = 0;
    std::uint64_t recoveredSkipped = 0;  // recovery candidates that could not be read
    std::vector<SkippedRecord> recoveredSkippedRecords;  // the first maxDetails
    std::uint64_t chunksRecovered = 0;  // chunks past the header's count read as recovered
    std::uint64_t chunksParsed = 0;     // live chunks with a valid signature that were read
    std::uint64_t chunksEmpty = 0;      // all-zero (never used) chunk slots
    std::vector<ChunkProblem> badChunks;        // chunk slots skipped: bad signature, unreadable
    std::uint64_t badChunkCount = 0;
    std::uint64_t crcMismatches = 0;            // file header, chunk header and record-data CRC32s
    std::vector<ChunkProblem> crcProblems;      // the first maxDetails, which checksum and where
    bool checksumsAbsent = false;       // the header's no-CRC32 flag is set: checksums not checked
    bool dirty = false;                 // header flag: the log was not closed cleanly
    bool full = false;                  // header flag: the log is full
    std::uint16_t majorVersion = 0;
    std::uint16_t minorVersion = 0;
    std::uint16_t headerChunkCount = 0; // what the file header claims
    std::uint64_t chunkSlots = 0;       // 64 KiB slots present in the file
    bool chunkCountDisagrees = false;   // header's chunk count != chunks with a valid signature
    std::uint64_t headerRecordCount = 0; // sum of the chunk headers' record-number ranges
    bool recordCountDisagrees = false;  // that sum != records found (read + skipped)
    bool timeBudgetExceeded = false;    // the read was cut short by EvtxOptions::timeBudget
    bool cancelled = false;             // the CancelToken stopped the read
    bool stoppedBySink = false;         // the sink returned false
    bool complete = true;               // false when anything above stopped the read early
    std::vector<std::string> notes;     // human-readable summary of everything unusual
    double seconds = 0;
};

// Recovery: every chunk's slack (from its free-space offset to its end) is searched for older
// records, and a chunk with a valid signature past the header's chunk count is read as recovered
// unless the log is dirty and the chunk continues the record numbering of the chunk before it
// (the header of a log that was not closed lags behind its chunks). Recovered records are
// delivered with EventRecord::recovered set; they may be older copies of live records.
//
// Reads the EVTX file at `path`. The Status is an Error only when the file cannot be opened or
// is not an EVTX file at all; damage inside a readable file is described in `report`.
//
// EventRecord fields: provider (System/Provider@Name), eventId, timeUs (TimeCreated@SystemTime,
// UTC microseconds), computer, channel, recordId (EventRecordID), offset (file offset of the
// record), and data: every EventData/Data by its Name attribute (a Data without a Name is keyed
// "Data#1", "Data#2", ... in order; other EventData children by element name, e.g. "Binary"),
// and for UserData every leaf element by its element name. Array values are joined with ",";
// a name that repeats has its values joined with ",".
Status readEvtx(const std::string &path, const EventRecordSink &sink, EvtxReport &report,
                const EvtxOptions &options = {}, const CancelToken &cancel = {});

// The same over bytes already in memory (a whole file: header then chunks). Used by the fuzz
// target and by callers that have the file in memory. `name` only appears in messages.
Status readEvtxMemory(std::string_view bytes, const EventRecordSink &sink, EvtxReport &report,
                      const EvtxOptions &options = {}, const CancelToken &cancel = {},
                      const std::string &name = "<memory>");

} // namespace loadlens::evtx
