// Fuzzes the JSON record splitter and the layout detection of each record (and the classifier
// on whatever parses). The first byte picks the chunk size.
#include "fuzz_check.h"
#include "sysmon/json_record.h"
#include "sysmon/record_splitter.h"
#include "sysmon/sysmon_readers.h"

#include <cstdint>

using namespace loadlens;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);
    fuzz::splitAndJudge<sysmon::JsonRecordSplitter>(text, std::size_t(data[0]) * 37 + 1, sysmon::parseEventJson);

    ImportReport report;
    std::uint64_t handed = 0;
    (void)sysmon::parseSysmonJson(text, [&](EventRecord &&) { ++handed; return true; }, report);
    fuzz::require(report.recordsRead == handed);
    fuzz::require(report.skippedRecords.size() <= report.skipped);
    return 0;
}
