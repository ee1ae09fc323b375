#pragma once
// Reading raw audit logs (plain or log_format=ENRICHED, with or without node=, one file or a
// rotated set) into LoadEvents. Streaming: the file is read in chunks, events are grouped in
// a bounded window, and only events relevant to library loading are judged and emitted; the
// others are counted in ImportReport::countsByKind ("auditd irrelevant"). Lines that are not
// audit records are counted in ImportReport::skipped with their byte offsets.
#include "audit/audit_events.h"
#include "common/cancel.h"
#include "common/events.h"
#include "common/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace loadlens::audit {

struct AuditOptions {
    std::string defaultHost;         // host of records without node= ("unknown" when empty)
    double timeBudgetSeconds = 0;    // per file; 0 = no limit. Exceeding it stops with a note
    std::size_t maxLineBytes = 1u << 20;  // longer lines are skipped and reported
    AssemblerLimits limits;
    ProgressFn progress;             // bytes done / total of the current file
};

// One file. An Error when it cannot be opened or read; otherwise Ok, with report.complete
// false when cancelled, out of time or stopped by the sink.
Status readAuditLog(const std::string &path, const EventSink &sink, ImportReport &report,
                    const AuditOptions &options, const CancelToken &cancel);

// A rotated set: `basePath` (audit.log) and its siblings audit.log.1, audit.log.2.gz, ... read
// oldest first, so an event split across a rotation is still grouped. The time budget applies
// to each file.
Status readAuditLogSet(const std::string &basePath, const EventSink &sink, ImportReport &report,
                       const AuditOptions &options, const CancelToken &cancel);

// The files of a rotated set in reading order (oldest first, basePath last), gzip members
// (audit.log.3.gz) included; other suffixes (audit.log.4.xz) are listed in `unreadable`.
std::vector<std::string> rotatedAuditFiles(const std::string &basePath, std::vector<std::string> *unreadable = nullptr);

// The same pipeline over bytes in memory (fuzzing, tests); `sourceName` names them in reports.
Status parseAuditLogBuffer(std::string_view data, const std::string &sourceName, const EventSink &sink,
                           ImportReport &report, const AuditOptions &options, const CancelToken &cancel);

// Every grouped event with all its records, relevant or not (tools, the differential test).
Status forEachAuditEvent(const std::string &path, const EventAssembler::EventFn &onEvent, ImportReport &report,
                         const AuditOptions &options, const CancelToken &cancel);

} // namespace loadlens::audit
