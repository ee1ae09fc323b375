// Fuzzes the audit line parser, the field splitter, the value decoders and the whole ingest
// (grouping, relevance, verdicts) over arbitrary bytes. The first byte picks small grouping
// limits so that window closing, late records and oversized events are exercised too.
// Invariants are checked with abort().
#include "audit/audit_reader.h"
#include "audit/audit_record.h"
#include "audit/audit_values.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using namespace loadlens;

namespace {

void require(bool condition)
{
    if (!condition)
        std::abort();
}

bool inside(std::string_view part, std::string_view whole)
{
    return part.empty() || (part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size());
}

void checkLines(std::string_view text)
{
    audit::FieldSplitter splitter;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos)
            end = text.size();
        const std::string_view line = text.substr(start, end - start);
        audit::RecordHeader header;
        std::string_view why;
        if (audit::parseRecordLine(line, header, why) == audit::LineKind::Record) {
            require(!header.type.empty() && inside(header.type, line) && inside(header.body, line));
            require(header.type.find(' ') == std::string_view::npos);
            splitter.forEach(header.type, header.body, [](std::string_view name, std::string_view value) {
                require(name.find(' ') == std::string_view::npos);
                (void)value;
                (void)audit::decodeValue(value);
            });
            audit::FieldSplitter::forEachEnriched(header.body, [](std::string_view name, std::string_view) {
                require(name.find('=') == std::string_view::npos);
            });
            (void)audit::decodeProctitle(header.body);
        }
        start = end + 1;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::string_view text(reinterpret_cast<const char *>(data) + 1, size - 1);
    checkLines(text);

    audit::AuditOptions options;
    if (data[0] & 1) {
        options.limits.reorderWindow = 2;
        options.limits.maxOpenEvents = 3;
        options.limits.maxEventBytes = 512;
        options.limits.recentlyClosed = 2;
        options.maxLineBytes = 256;
    }
    ImportReport report;
    std::uint64_t emitted = 0;
    const Status status = audit::parseAuditLogBuffer(
        text, "fuzz",
        [&](LoadEvent &&event) {
            require(event.source == "auditd" && !event.kind.empty() && event.kind != "irrelevant");
            require(!event.host.empty());
            require(!event.verdict.reasons.empty());
            ++emitted;
            return true;
        },
        report, options, CancelToken());
    require(status.ok());
    require(report.imported == emitted);
    std::uint64_t events = 0;
    for (const auto &[name, count] : report.countsByKind)
        events += count;
    require(events >= emitted);
    require(report.skippedRecords.size() <= report.skipped);
    return 0;
}
