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

bool allZero(const std::uint8_t *p, std::size_t n)
{
    return std::all_of(p, p + n, [](std::uint8_t b) { return b == 0; });
}

} // namespace

std::uint32_t crc32Of(const std::uint8_t *data, std::size_t size, std::uint32_t seed)
{
    return std::uint32_t(::crc32_z(seed, data, size));
}

void parseChunk(const std::uint8_t *chunk, std::size_t available, std::uint64_t fileOffset, const ChunkLimits &limits,
                Expander &expander, ChunkResult &out)
{
    out.fileOffset = fileOffset;
    if (std::memcmp(chunk, kChunkMagic, sizeof kChunkMagic) != 0) {
        if (allZero(chunk, available)) {
            out.kind = ChunkResult::Kind::Empty;
        } else {
            out.kind = ChunkResult::Kind::Bad;
            out.problem = "no chunk signature (ElfChnk)";
        }
        return;
    }
    out.kind = ChunkResult::Kind::Parsed;
    if (available < kChunkSize)
        out.notes.push_back("chunk at " + hexOffset(fileOffset) + " is truncated: " + std::to_string(available) +
                            " of " + std::to_string(kChunkSize) + " bytes");

    const std::uint64_t firstNumber = le64(chunk + 8), lastNumber = le64(chunk + 16);
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

    auto skip = [&](std::size_t p, std::string reason) {
        ++out.skippedCount;
        if (out.skipped.size() < limits.maxDetails)
            out.skipped.push_back({fileOffset + p, std::move(reason)});
    };

    ChunkContext ctx(chunk, kChunkSize);
    EventBuilder builder;
    builder.beginChunk();
    expander.setLimits({limits.deadline, limits.cancel});
    std::size_t p = kChunkHeaderSize;
    unsigned sinceCheck = 0;
    while (p + kMinRecord <= limit) {
        if (++sinceCheck == 32) {
            sinceCheck = 0;
            if ((limits.cancel && limits.cancel->cancelled()) || std::chrono::steady_clock::now() > limits.deadline) {
                out.interrupted = true;
                return;
            }
        }
        if (const char *defect = recordDefect(chunk, p, limit)) {
            const std::size_t next = resync(chunk, p + 8, limit, ids);
            const std::string after = next ? "; reading resumed at " + hexOffset(fileOffset + next)
                                           : "; nothing readable follows in this chunk";
            if (le32(chunk + p) == kRecordMagic)
                skip(p, defect + after);
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
        EventRecord record;
        record.offset = fileOffset + p;
        record.recordId = le64(chunk + p + 8);
        record.timeUs = fileTimeToUnixUs(le64(chunk + p + 16));
        builder.begin(record);
        ParseError err;
        if (expander.expandRecord(ctx, p + kRecordHeader, p + size - 4, builder, err)) {
            builder.commit();
            out.records.push_back(std::move(record));
        } else if (expander.interrupted()) {
            skip(p, err.what);
            out.interrupted = true;
            return;
        } else {
            skip(p, "binary XML: " + err.what + " (chunk offset " + std::to_string(err.pos) + ")");
        }
        p += size;
    }
}

} // namespace loadlens::evtx
