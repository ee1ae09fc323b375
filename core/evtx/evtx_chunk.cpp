#include "evtx/evtx_chunk.h"

#include "evtx/evtx_bytes.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

namespace loadlens::evtx {

namespace {

constexpr std::uint8_t kChunkMagic[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};
constexpr std::uint32_t kRecordMagic = 0x00002a2a;
constexpr std::size_t kRecordHeader = 24;  // magic, size, record id, written time
constexpr std::size_t kMinRecord = kRecordHeader + 4;

std::string hexOffset(std::uint64_t v)
{
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

struct RecordIdRange {
    std::uint64_t first = 0, last = 0;
    bool known() const { return last >= first && last - first < kChunkSize; }
    bool contains(std::uint64_t id) const { return !known() || (id >= first && id <= last); }
};

// Why the bytes at `p` are not a whole record, or nullptr when they are one.
const char *recordDefect(const std::uint8_t *chunk, std::size_t p, std::size_t limit)
{
    if (le32(chunk + p) != kRecordMagic)
        return "no record signature";
    const std::uint32_t size = le32(chunk + p + 4);
    if (size < kMinRecord || size > limit - p)
        return "record size outside the chunk";
    if (le32(chunk + p + size - 4) != size)
        return "record size and its trailing copy differ";
    return nullptr;
}

// The next offset after `from` where a whole record with an id in `ids` starts, or 0.
std::size_t resync(const std::uint8_t *chunk, std::size_t from, std::size_t limit, const RecordIdRange &ids)
{
    for (std::size_t q = (from + 7) & ~std::size_t(7); q + kMinRecord <= limit; q += 8)
        if (!recordDefect(chunk, q, limit) && ids.contains(le64(chunk + q + 8)))
            return q;
    return 0;
}

// A record id and written time a real record could have: ids start at 1 and stay far below
// 2^48; the time lies between 1990 and 2100 (FILETIME, 100 ns since 1601), or is 0, as some
// exporting tools leave it.
bool plausibleRecordHeader(const std::uint8_t *record)
{
    constexpr std::uint64_t kYear1990 = 122756256000000000ULL, kYear2100 = 157469184000000000ULL;
    const std::uint64_t id = le64(record + 8), written = le64(record + 16);
    return id > 0 && id < (std::uint64_t(1) << 48) && (written == 0 || (written >= kYear1990 && written < kYear2100));
}

bool allZero(const std::uint8_t *p, std::size_t n)
{
    return std::all_of(p, p + n, [](std::uint8_t b) { return b == 0; });
}

} // namespace

std::uint32_t crc32Of(const std::uint8_t *data, std::size_t size, std::uint32_t seed)
{
    return std::uint32_t(::crc32_z(seed, data, size));
}

namespace {

// Expands the records of one chunk into a ChunkResult: the live ones found by walking from the
// chunk header, and recovered ones carved from space that holds no live record.
class ChunkRecords {
public:
    ChunkRecords(const std::uint8_t *chunk, std::size_t available, std::uint64_t fileOffset,
                 const ChunkLimits &limits, Expander &expander, ChunkResult &out)
        : m_chunk(chunk), m_available(available), m_fileOffset(fileOffset), m_limits(limits), m_expander(expander),
          m_out(out), m_ctx(chunk, kChunkSize)
    {
        m_builder.beginChunk();
        m_expander.setLimits({limits.deadline, limits.cancel});
    }

    bool due() const
    {
        return (m_limits.cancel && m_limits.cancel->cancelled()) || std::chrono::steady_clock::now() > m_limits.deadline;
    }

    void skip(std::size_t p, std::string reason)
    {
        ++m_out.skippedCount;
        if (m_out.skipped.size() < m_limits.maxDetails)
            m_out.skipped.push_back({m_fileOffset + p, std::move(reason)});
    }

    void recoveredSkip(std::size_t p, std::string reason)
    {
        ++m_out.recoveredSkippedCount;
        if (m_out.recoveredSkipped.size() < m_limits.maxDetails)
            m_out.recoveredSkipped.push_back({m_fileOffset + p, std::move(reason)});
    }

    // Expands the whole record at `p`; false when the read must stop (deadline or cancel).
    bool read(std::size_t p, std::uint32_t size, bool recovered)
    {
        EventRecord record;
        record.offset = m_fileOffset + p;
        record.recordId = le64(m_chunk + p + 8);
        record.timeUs = fileTimeToUnixUs(le64(m_chunk + p + 16));
        record.recovered = recovered;
        m_builder.begin(record);
        ParseError err;
        if (m_expander.expandRecord(m_ctx, p + kRecordHeader, p + size - 4, m_builder, err)) {
            m_builder.commit();
            m_out.records.push_back(std::move(record));
            if (recovered)
                ++m_out.recoveredCount;
            return true;
        }
        const bool stop = m_expander.interrupted();
        std::string reason = stop ? err.what
                                  : "binary XML: " + err.what + " (chunk offset " + std::to_string(err.pos) + ")";
        if (recovered)
            recoveredSkip(p, "recoverable record: " + reason);
        else
            skip(p, std::move(reason));
        m_out.interrupted = stop;
        return !stop;
    }

    // Older records in [from, chunk end): a candidate is a record signature at an 8-byte
    // boundary (where records start) with a plausible record id and written time; random
    // bytes seldom pass, and those that do must still have a whole record's shape (size within
    // the chunk, repeated at its end) and expand as binary XML.
    void carve(std::size_t from)
    {
        unsigned candidates = 0;
        for (std::size_t q = (from + 7) & ~std::size_t(7); q + kMinRecord <= m_available;) {
            if (le32(m_chunk + q) != kRecordMagic || !plausibleRecordHeader(m_chunk + q)) {
                q += 8;
                continue;
            }
            if (++candidates % 32 == 0 && due()) {
                m_out.interrupted = true;
                return;
            }
            if (const char *defect = recordDefect(m_chunk, q, m_available)) {
                recoveredSkip(q, std::string("recoverable record: ") + defect);
                q += 8;
                continue;
            }
            const std::uint32_t size = le32(m_chunk + q + 4);
            if (!read(q, size, true))
                return;
            q += size;
        }
    }

private:
    const std::uint8_t *m_chunk;
    std::size_t m_available;
    std::uint64_t m_fileOffset;
    const ChunkLimits &m_limits;
    Expander &m_expander;
    ChunkResult &m_out;
    ChunkContext m_ctx;
    EventBuilder m_builder;
};

} // namespace

void parseChunk(const std::uint8_t *chunk, std::size_t available, std::uint64_t fileOffset, const ChunkLimits &limits,
                Expander &expander, ChunkResult &out)
{
    out.fileOffset = fileOffset;
    if (std::memcmp(chunk, kChunkMagic, sizeof kChunkMagic) != 0) {
        if (allZero(chunk, available)) {
            out.kind = ChunkResult::Kind::Empty;
            return;
        }
        out.kind = ChunkResult::Kind::Bad;
        out.problem = "no chunk signature (ElfChnk)";
        // Records may outlive their chunk header (wiped or damaged): carve them as recovered.
        ChunkRecords(chunk, available, fileOffset, limits, expander, out).carve(kChunkHeaderSize);
        return;
    }
    out.kind = ChunkResult::Kind::Parsed;
    if (available < kChunkSize)
        out.notes.push_back("chunk at " + hexOffset(fileOffset) + " is truncated: " + std::to_string(available) +
                            " of " + std::to_string(kChunkSize) + " bytes");

    const std::uint64_t firstNumber = le64(chunk + 8), lastNumber = le64(chunk + 16);
    out.firstRecordNumber = firstNumber;
    out.lastRecordNumber = lastNumber;
    if (lastNumber >= firstNumber && lastNumber - firstNumber < kChunkSize)
        out.headerRecordCount = lastNumber - firstNumber + 1;
    const RecordIdRange ids{le64(chunk + 24), le64(chunk + 32)};
    std::uint32_t freeOffset = le32(chunk + 48);
    const bool freeOffsetSane = freeOffset >= kChunkHeaderSize && freeOffset <= kChunkSize;

    if (limits.checkCrc) {
        const std::uint32_t headerCrc = crc32Of(chunk + 128, kChunkHeaderSize - 128, crc32Of(chunk, 120));
        if (headerCrc != le32(chunk + 124))
            out.crcProblems.push_back({fileOffset, "chunk header CRC32 mismatch"});
        if (freeOffsetSane && crc32Of(chunk + kChunkHeaderSize, freeOffset - kChunkHeaderSize) != le32(chunk + 52))
            out.crcProblems.push_back({fileOffset, "chunk record data CRC32 mismatch"});
    }
    if (!freeOffsetSane) {
        out.notes.push_back("chunk at " + hexOffset(fileOffset) + " has an impossible free-space offset " +
                            std::to_string(freeOffset) + "; records were looked for up to the chunk end");
        freeOffset = std::uint32_t(kChunkSize);
    }
    const std::size_t limit = std::min<std::size_t>(freeOffset, available);

    ChunkRecords records(chunk, available, fileOffset, limits, expander, out);
    std::size_t p = kChunkHeaderSize;
    unsigned sinceCheck = 0;
    while (p + kMinRecord <= limit) {
        if (++sinceCheck == 32) {
            sinceCheck = 0;
            if (records.due()) {
                out.interrupted = true;
                return;
            }
        }
        if (const char *defect = recordDefect(chunk, p, limit)) {
            const std::size_t next = resync(chunk, p + 8, limit, ids);
            const std::string after = next ? "; reading resumed at " + hexOffset(fileOffset + next)
                                           : "; nothing readable follows in this chunk";
            if (le32(chunk + p) == kRecordMagic)
                records.skip(p, defect + after);
            else if (!allZero(chunk + p, (next ? next : limit) - p))
                out.notes.push_back("chunk at " + hexOffset(fileOffset) + ": " +
                                    std::to_string((next ? next : limit) - p) + " bytes without a record at " +
                                    hexOffset(fileOffset + p) + after);
            if (!next)
                break;
            p = next;
            continue;
        }
        const std::uint32_t size = le32(chunk + p + 4);
        if (!records.read(p, size, false))
            return;
        p += size;
    }
    // Slack: what follows the free-space offset is left from before the chunk was rewritten.
    if (freeOffsetSane)
        records.carve(limit);
}

void markChunkRecovered(ChunkResult &chunk)
{
    for (EventRecord &record : chunk.records)
        record.recovered = true;
    chunk.recoveredCount = chunk.records.size();
    chunk.recoveredSkippedCount += chunk.skippedCount;
    for (SkippedRecord &skipped : chunk.skipped)
        chunk.recoveredSkipped.push_back({skipped.offset, "unallocated chunk: " + skipped.reason});
    chunk.skippedCount = 0;
    chunk.skipped.clear();
    chunk.headerRecordCount = 0;
}

} // namespace loadlens::evtx
