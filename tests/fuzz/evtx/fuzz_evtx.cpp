// Fuzzes the EVTX reader from memory. An input that starts with a chunk signature gets a valid
// file header in front, so small chunk-sized seeds reach the binary XML code directly; any other
// input is read as a whole file. Invariants are checked with abort(): the report must account
// for what was delivered, offsets must lie inside the input and come in file order.
#include "evtx/evtx_reader.h"

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <zlib.h>

using namespace loadlens;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

std::string withFileHeader(const std::uint8_t *data, std::size_t size)
{
    std::string file(4096, '\0');
    std::memcpy(file.data(), "ElfFile", 8);
    const std::uint16_t version[2] = {1, 3};
    std::memcpy(file.data() + 32, "\x80\0\0\0", 4);
    std::memcpy(file.data() + 36, version, sizeof version);
    file[42] = 1;
    const std::uint32_t crc = std::uint32_t(::crc32_z(0, reinterpret_cast<const Bytef *>(file.data()), 120));
    std::memcpy(file.data() + 124, &crc, 4);
    file.append(reinterpret_cast<const char *>(data), size);
    return file;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    std::string bytes = size >= 8 && std::memcmp(data, "ElfChnk", 8) == 0
                            ? withFileHeader(data, size)
                            : std::string(reinterpret_cast<const char *>(data), size);
    evtx::EvtxOptions options;
    options.threads = 1;
    options.timeBudget = std::chrono::seconds(5);
    options.maxDetails = 4;
    evtx::EvtxReport report;
    std::uint64_t delivered = 0, lastOffset = 0;
    const Status st = evtx::readEvtxMemory(bytes, [&](EventRecord &&r) {
        require(r.offset >= 4096 + 512 && r.offset < bytes.size());
        require(delivered == 0 || r.offset > lastOffset);
        lastOffset = r.offset;
        ++delivered;
        return true;
    }, report, options);
    if (!st) {
        require(delivered == 0);
        require(!st.error().message.empty());
        return 0;
    }
    require(report.recordsRead + report.recordsRecovered == delivered);
    require(report.skippedRecords.size() <= 4 && report.skippedRecords.size() <= report.recordsSkipped);
    require(report.recoveredSkippedRecords.size() <= 4 &&
            report.recoveredSkippedRecords.size() <= report.recoveredSkipped);
    for (const SkippedRecord &s : report.recoveredSkippedRecords)
        require(s.offset < bytes.size() && !s.reason.empty());
    require(report.badChunks.size() <= report.badChunkCount);
    require(report.chunksParsed + report.chunksRecovered + report.chunksEmpty + report.badChunkCount <=
            report.chunkSlots);
    for (const SkippedRecord &s : report.skippedRecords)
        require(s.offset < bytes.size() && !s.reason.empty());
    return 0;
}
