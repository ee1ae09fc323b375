#pragma once
// Snapshots on ClickHouse: bundle import and the snapshot questions, for ClickHouseStore.
#include "analysis/case_queries.h"
#include "analysis/snapshot_diff.h"
#include "clickhouse/client.h"
#include "common/events.h"
#include "eventstats/event_stats.h"
#include "store/bundle_import.h"
#include "store/snapshot_reader.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::casestore::detail {

// Rows of a query (TabSeparated), each split into its fields; a row with fewer than `columns`
// fields is a protocol error. `table`: external data the query reads (Client::queryLines).
Result<std::vector<std::vector<std::string>>> rows(clickhouse::Client &client, const std::string &sql,
                                                   std::size_t columns,
                                                   const clickhouse::Client::ExternalTable *table = nullptr);
// An integer as ClickHouse prints it; a malformed one reads as 0.
std::int64_t toInt(const std::string &text);

// `batchRows`: rows per INSERT of each table.
ImportReport importBundle(clickhouse::Client &client, const std::string &db, const std::string &file,
                          const store::BundleImportOptions &options, std::size_t batchRows);
// All snapshots, or the one with id `only` (an error when there is none).
Result<std::vector<analysis::SnapshotSummary>> listSnapshots(clickhouse::Client &client, const std::string &db,
                                                             std::optional<std::int64_t> only);
Result<analysis::StackResult> stack(clickhouse::Client &client, const std::string &db,
                                    const analysis::StackOptions &options);
Result<std::vector<analysis::CaseWhoLoadsHit>> whoLoads(clickhouse::Client &client, const std::string &db,
                                                        const std::string &needle, bool allSnapshots);
Result<analysis::SnapshotDiff> diffSnapshots(clickhouse::Client &client, const std::string &db, std::int64_t before,
                                             std::int64_t after);
// Snapshot `id` read back as the scan it was written from, as store::readSnapshot does on
// SQLite (findings in the store's order). A file a module maps is the host's file row with the
// same path, device, inode and digest (for a file that was not hashed: the newest not after
// the scan).
Result<store::StoredSnapshot> readSnapshot(clickhouse::Client &client, const std::string &db, std::int64_t id);
// Host-level findings of each snapshot by level, as eventstats::findingsByLevel on SQLite.
Result<std::map<std::int64_t, eventstats::LevelCounts>> snapshotFindingLevels(clickhouse::Client &client,
                                                                              const std::string &db);

} // namespace loadlens::casestore::detail
