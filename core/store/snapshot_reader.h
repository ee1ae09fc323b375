#pragma once
// Reads one stored snapshot back as the scan it was written from (SnapshotWriter's inverse):
// host, processes with their modules, ranges and verdicts, the distinct files, findings and the
// scan's counters. The desktop program browses a snapshot in the live scan's own views with it.
#include "common/result.h"
#include "common/types.h"
#include "store/case_database.h"
#include "store/module_ranges.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::store {

// The snapshot `snapshotId` of `db`. An unknown id is an Error that names it; an incomplete
// snapshot (an import cut short) is read as far as it was written: ScanStats::cancelled is set
// and the result says so in `incomplete`.
struct StoredSnapshot {
    ScanResult scan;
    bool incomplete = false;
};
Result<StoredSnapshot> readSnapshot(const CaseDatabase &db, std::int64_t snapshotId);

// The stored text form of the stats, for readers of other stores that keep it as is (ranges:
// store/module_ranges.h).
ScanStats statsFromJson(const std::string &text);

} // namespace loadlens::store
