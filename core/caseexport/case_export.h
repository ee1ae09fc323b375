#pragma once
// Exports from a case rather than a live scan: its events or the modules, findings and
// processes of its snapshots (any store), in the formats of a live export (CSV, JSON, ECS
// NDJSON, a STIX 2.1 bundle), narrowed by host, time range, level and source. Events are read
// and written page by page, so a case of millions of events exports in bounded memory (STIX,
// one bundle, excepted: it holds the events it covers).
#include "common/cancel.h"
#include "common/result.h"
#include "export/export.h"
#include "store/event_store.h"

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::casestore {
class CaseStore;
}

namespace loadlens::caseexport {

enum class CaseData { Events, Modules, Findings, Processes };
std::optional<CaseData> parseCaseData(std::string_view name);  // "events", "modules", "findings", "processes"

struct CaseExportRequest {
    CaseData what = CaseData::Events;
    exporting::ExportFormat format = exporting::ExportFormat::Json;
    exporting::EcsOptions ecs;
    exporting::StixOptions stix;
    // host (exact), source, minimum level, time range [fromUs, toUs): of the events, or of the
    // snapshots' scan times. Source applies to events only; limit and offset are not used.
    store::EventFilter filter;
    // Snapshots: this one only; else the latest of each host in range, or all of them.
    std::optional<std::int64_t> snapshotId;
    bool allSnapshots = false;
    std::int64_t pageSize = 20000;
};

struct CaseExportSummary {
    std::int64_t rows = 0;       // events, or module / finding / process rows written
    std::int64_t snapshots = 0;  // snapshots read
    std::vector<std::string> notes;  // incomplete snapshots and the like
};

// Tables of several snapshots carry host, snapshot_id and scanned_at before the table's own
// columns. Nothing is written for an error found before the first row (an unknown snapshot, a
// store without snapshots to read).
Result<CaseExportSummary> exportCase(std::ostream &out, const casestore::CaseStore &store,
                                     const CaseExportRequest &request, const CancelToken &cancel = CancelToken());

} // namespace loadlens::caseexport
