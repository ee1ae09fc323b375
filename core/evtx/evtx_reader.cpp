#include "evtx/evtx_reader.h"

#include "common/log.h"
#include "evtx/evtx_bytes.h"
#include "evtx/evtx_pipeline.h"

#include <cstring>
#include <thread>

namespace loadlens::evtx {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint8_t kFileMagic[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};
constexpr std::uint32_t kFlagDirty = 0x1, kFlagFull = 0x2, kFlagNoCrc32 = 0x4;

template<typename T>
void appendLimited(std::vector<T> &to, std::vector<T> &&from, std::size_t max)
{
    for (T &item : from) {
        if (to.size() >= max)
            return;
        to.push_back(std::move(item));
    }
}

// Reads the file header into `report`; an Error when the bytes are not EVTX at all.
Status readHeader(const ChunkSource &source, const std::string &name, EvtxReport &report, bool &checkCrc)
{
    std::uint8_t header[kFileHeaderSize] = {};
    auto got = source.readAt(0, header, sizeof header);
    if (!got)
        return got.error();
    if (std::memcmp(header, kFileMagic, sizeof kFileMagic) != 0) {
        std::uint8_t magic[8] = {};
        auto chunkMagic = source.readAt(kFileHeaderSize, magic, sizeof magic);
        if (!chunkMagic || *chunkMagic < 8 || std::memcmp(magic, "ElfChnk", 8) != 0)
            return Error{EINVAL, "not an EVTX file (no ElfFile signature): " + name};
        report.notes.push_back("the file header has no ElfFile signature; its chunks were read anyway");
        checkCrc = true;
        return Ok{};
    }
    report.minorVersion = le16(header + 36);
    report.majorVersion = le16(header + 38);
    report.headerChunkCount = le16(header + 42);
    const std::uint32_t flags = le32(header + 120);
    report.dirty = flags & kFlagDirty;
    report.full = flags & kFlagFull;
    report.checksumsAbsent = flags & kFlagNoCrc32;
    checkCrc = !report.checksumsAbsent;
    if (checkCrc && crc32Of(header, 120) != le32(header + 124)) {
        ++report.crcMismatches;
        report.crcProblems.push_back({0, "file header CRC32 mismatch"});
    }
    if (report.majorVersion != 3)
        report.notes.push_back("unexpected format version " + std::to_string(report.majorVersion) + "." +
                               std::to_string(report.minorVersion) + "; read as 3.x");
    return Ok{};
}

void summarise(EvtxReport &report, std::uint64_t recordsFound)
{
    if (report.complete) {
        report.chunkCountDisagrees = report.headerChunkCount != report.chunksParsed;
        report.recordCountDisagrees = report.headerRecordCount != recordsFound;
    }
    auto note = [&](std::string text) { report.notes.push_back(std::move(text)); };
    if (report.dirty)
        note("the log was not closed cleanly (dirty flag)");
    if (report.checksumsAbsent)
        note("the header says the file carries no CRC32 checksums; none were checked");
    if (report.crcMismatches)
        note(std::to_string(report.crcMismatches) + " CRC32 mismatches");
    if (report.badChunkCount)
        note(std::to_string(report.badChunkCount) + " chunk slots skipped as unreadable");
    if (report.recordsSkipped)
        note(std::to_string(report.recordsSkipped) + " records skipped as unreadable");
    if (report.chunksRecovered)
        note(std::to_string(report.chunksRecovered) + " chunks past the header's chunk count read as recovered");
    if (report.recoveredSkipped)
        note(std::to_string(report.recoveredSkipped) +
             " recoverable records in slack or unallocated chunks could not be read");
    if (report.chunkCountDisagrees)
        note("the header counts " + std::to_string(report.headerChunkCount) + " chunks; " +
             std::to_string(report.chunksParsed) + " were found");
    if (report.recordCountDisagrees)
        note("the chunk headers count " + std::to_string(report.headerRecordCount) + " records; " +
             std::to_string(recordsFound) + " were found");
    if (report.timeBudgetExceeded)
        note("the time budget ran out: the read stopped early and later records were not read");
    if (report.cancelled)
        note("the read was cancelled");
}

Status readFrom(const ChunkSource &source, const std::string &name, const EventRecordSink &sink, EvtxReport &report,
                const EvtxOptions &options, const CancelToken &cancel)
{
    const Clock::time_point start = Clock::now();
    report = EvtxReport{};
    bool checkCrc = true;
    if (Status header = readHeader(source, name, report, checkCrc); !header)
        return header;

    ChunkLimits limits;
    if (options.timeBudget.count() > 0)
        limits.deadline = start + options.timeBudget;
    limits.cancel = &cancel;
    limits.maxDetails = options.maxDetails;
    limits.checkCrc = checkCrc;
    const std::uint64_t body = source.size() > kFileHeaderSize ? source.size() - kFileHeaderSize : 0;
    report.chunkSlots = (body + kChunkSize - 1) / kChunkSize;
    const unsigned threads = options.threads ? options.threads : std::max(1u, std::thread::hardware_concurrency());

    auto stopIfDue = [&]() {
        if (cancel.cancelled())
            report.cancelled = true;
        else if (Clock::now() > limits.deadline)
            report.timeBudgetExceeded = true;
        return report.cancelled || report.timeBudgetExceeded;
    };

    bool haveLiveChunk = false;
    std::uint64_t lastLiveNumber = 0;
    parseChunksInOrder(source, report.chunkSlots, threads, limits, [&](ChunkResult &&chunk) {
        switch (chunk.kind) {
        case ChunkResult::Kind::Empty: ++report.chunksEmpty; return !stopIfDue();
        case ChunkResult::Kind::Bad:
            // Its records, if any, were carved as recovered ones.
            ++report.badChunkCount;
            if (report.badChunks.size() < options.maxDetails)
                report.badChunks.push_back({chunk.fileOffset, chunk.problem});
            break;
        case ChunkResult::Kind::Parsed: {
            // A chunk past the header's count is a leftover unless it continues a dirty log.
            const std::uint64_t slot = (chunk.fileOffset - kFileHeaderSize) / kChunkSize;
            if (report.headerChunkCount > 0 && slot >= report.headerChunkCount &&
                !(report.dirty && haveLiveChunk && chunk.firstRecordNumber == lastLiveNumber + 1)) {
                markChunkRecovered(chunk);
                ++report.chunksRecovered;
            } else {
                ++report.chunksParsed;
                haveLiveChunk = true;
                lastLiveNumber = chunk.lastRecordNumber;
            }
            break;
        }
        }
        report.recordsRecovered += chunk.recoveredCount;
        report.recoveredSkipped += chunk.recoveredSkippedCount;
        appendLimited(report.recoveredSkippedRecords, std::move(chunk.recoveredSkipped), options.maxDetails);
        report.headerRecordCount += chunk.headerRecordCount;
        report.crcMismatches += chunk.crcProblems.size();
        appendLimited(report.crcProblems, std::move(chunk.crcProblems), options.maxDetails);
        report.recordsSkipped += chunk.skippedCount;
        appendLimited(report.skippedRecords, std::move(chunk.skipped), options.maxDetails);
        for (std::string &n : chunk.notes)
            report.notes.push_back(std::move(n));
        std::size_t sinceCheck = 0;
        for (EventRecord &record : chunk.records) {
            if (++sinceCheck == 256) {
                sinceCheck = 0;
                if (stopIfDue())
                    return false;
            }
            if (!record.recovered)
                ++report.recordsRead;
            if (!sink(std::move(record))) {
                report.stoppedBySink = true;
                return false;
            }
        }
        if (chunk.interrupted) {
            stopIfDue();
            if (!report.cancelled)
                report.timeBudgetExceeded = true;
            return false;
        }
        return !stopIfDue();
    });

    report.complete = !(report.timeBudgetExceeded || report.cancelled || report.stoppedBySink);
    summarise(report, report.recordsRead + report.recordsSkipped);
    report.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    log::get("core.evtx")->debug("{}: {} records read, {} skipped, {} recovered, {} bad chunks in {:.3f}s", name,
                                 report.recordsRead, report.recordsSkipped, report.recordsRecovered,
                                 report.badChunkCount, report.seconds);
    return Ok{};
}

} // namespace

Status readEvtx(const std::string &path, const EventRecordSink &sink, EvtxReport &report, const EvtxOptions &options,
                const CancelToken &cancel)
{
    auto source = FileChunkSource::open(path);
    if (!source) {
        report = EvtxReport{};
        report.complete = false;
        return source.error();
    }
    return readFrom(*source, path, sink, report, options, cancel);
}

Status readEvtxMemory(std::string_view bytes, const EventRecordSink &sink, EvtxReport &report,
                      const EvtxOptions &options, const CancelToken &cancel, const std::string &name)
{
    MemoryChunkSource source(bytes);
    return readFrom(source, name, sink, report, options, cancel);
}

} // namespace loadlens::evtx
