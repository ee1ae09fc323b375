#pragma once
// One interface for the case, whichever store holds it: the embedded SQLite file (the default,
// nothing to set up) or a ClickHouse database (fleets: clickhouse://HOST:PORT/DATABASE). The
// event commands, the snapshot commands (case list, stack, who-loads --case, diff) and the
// importer use it; sqlite() hands out the SQLite case for what only it has (integrity check).
#include "analysis/case_queries.h"
#include "analysis/snapshot_diff.h"
#include "common/events.h"
#include "common/result.h"
#include "eventstats/event_stats.h"
#include "store/bundle_import.h"
#include "store/case_database.h"
#include "store/event_store.h"
#include "store/snapshot_reader.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::casestore {

enum class StoreKind { Sqlite, ClickHouse };

class CaseStore {
public:
    virtual ~CaseStore() = default;
    virtual StoreKind kind() const = 0;
    // The file, or the server and database without credentials: what a status line shows.
    virtual std::string location() const = 0;
    // The SQLite case (its file-level checks); null for other stores.
    virtual const store::CaseDatabase *sqlite() const { return nullptr; }

    // A batched, idempotent writer for imports (see store::EventBatchWriter).
    virtual std::unique_ptr<store::EventBatchWriter> eventWriter() = 0;

    // The same queries on every store, with the same answers; ordered by time. Events of the
    // same microsecond: in import order on SQLite, by host, channel and key on ClickHouse.
    virtual Result<std::vector<LoadEvent>> listEvents(const store::EventFilter &filter) const = 0;
    virtual Result<std::int64_t> countEvents(const store::EventFilter &filter) const = 0;
    virtual Result<std::vector<store::EventBucket>> eventBuckets(const store::BucketWidth &width,
                                                                 const store::EventFilter &filter) const = 0;
    virtual Result<std::optional<eventstats::TimeSpan>> eventTimeSpan(const store::EventFilter &filter) const = 0;
    virtual Result<std::vector<eventstats::ImageStackEntry>> loadedImageStack(const store::EventFilter &filter,
                                                                              eventstats::ImageOrder order,
                                                                              std::int64_t limit,
                                                                              std::int64_t maxHosts = 0) const = 0;
    virtual Result<std::vector<eventstats::EventHost>> eventHosts() const = 0;

    // Snapshots (bundles): the questions of analysis/case_queries.h and snapshot_diff.h. On
    // SQLite they are those functions; on ClickHouse the same answers, except snapshot ids
    // (derived from host, scan time and boot id there, see clickhouse_schema.h), the order of
    // rows that tie on every ordered column, and which of two snapshots of a host with the same
    // scan time is its latest (the higher id on each store).
    virtual ImportReport importBundle(const std::string &file, const store::BundleImportOptions &options) = 0;
    virtual Result<std::vector<analysis::SnapshotSummary>> listSnapshots() const = 0;
    virtual Result<analysis::StackResult> snapshotStack(const analysis::StackOptions &options) const = 0;
    virtual Result<std::vector<analysis::CaseWhoLoadsHit>> whoLoads(const std::string &needle,
                                                                    bool allSnapshots) const = 0;
    virtual Result<analysis::SnapshotDiff> diffSnapshots(std::int64_t before, std::int64_t after) const = 0;
    // One snapshot read back as the scan it was written from (store/snapshot_reader.h); findings
    // in the store's order (insertion on SQLite, by code, pid and evidence on ClickHouse).
    virtual Result<store::StoredSnapshot> readSnapshot(std::int64_t snapshotId) const = 0;
    // Host-level findings of each snapshot by level (index = int(Level)), by snapshot id.
    virtual Result<std::map<std::int64_t, eventstats::LevelCounts>> snapshotFindingLevels() const = 0;
};

// The SQLite case in `db` (which must outlive the store).
std::unique_ptr<CaseStore> sqliteStore(const store::CaseDatabase &db);

struct OpenOptions {
    store::OpenMode mode = store::OpenMode::ReadOnly;
    // ClickHouse: where credentials come from (tests); empty = the environment and
    // ~/.config/loadlens/clickhouse.conf.
    std::string credentialsFile;
    // ClickHouse: rows per INSERT (events, and each snapshot table of a bundle); 0 = the
    // default (100,000; events also at most 16 MiB per INSERT).
    std::size_t batchRows = 0;
};

// A store by its location: clickhouse:// or clickhouses:// URLs name a ClickHouse database,
// anything else a SQLite case file. ReadOnly on a missing case is an error that says how to
// make one; ReadWrite creates the case (a SQLite file, or the ClickHouse database and tables).
Result<std::unique_ptr<CaseStore>> openStore(const std::string &location, const OpenOptions &options = {});
bool isServerLocation(const std::string &location);
// A SQLite case file opened read-only must exist: else an error that says how to make one.
Status caseFileExists(const std::string &path);

} // namespace loadlens::casestore
