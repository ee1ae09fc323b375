#pragma once
// JSON and terminal renderings of the case-wide answers (diff, stack, who-loads, snapshot
// list, import reports). The JSON keys are part of the CLI contract.
#include "analysis/case_queries.h"
#include "analysis/snapshot_diff.h"
#include "common/events.h"

#include <nlohmann/json.hpp>
#include <ostream>

namespace loadlens::analysis {

nlohmann::json diffToJson(const SnapshotDiff &diff);
void writeDiff(std::ostream &out, const SnapshotDiff &diff);

nlohmann::json stackToJson(const StackResult &stack, StackBy by);
void writeStack(std::ostream &out, const StackResult &stack, StackBy by);

nlohmann::json whoLoadsToJson(const std::vector<CaseWhoLoadsHit> &hits);
void writeWhoLoads(std::ostream &out, const std::vector<CaseWhoLoadsHit> &hits);

nlohmann::json snapshotsToJson(const std::vector<SnapshotSummary> &snapshots);
void writeSnapshots(std::ostream &out, const std::vector<SnapshotSummary> &snapshots);

nlohmann::json importReportToJson(const ImportReport &report);
// The result of one import (counts, notes) for standard output; its problems (damaged records
// skipped, file-level errors) are written apart, one "FILE: ..." line each, for standard error.
void writeImportReport(std::ostream &out, const ImportReport &report);
void writeImportProblems(std::ostream &err, const ImportReport &report);

// "2024-05-01 12:00:00Z"
std::string utcTime(std::int64_t unixSeconds);

} // namespace loadlens::analysis
