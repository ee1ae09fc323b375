#pragma once
// The ClickHouse form of a case: the DDL of each schema version, for one server or a cluster.
//
// Events are a ReplacingMergeTree ordered by (host, time_us, channel, event_key): the natural
// key of the SQLite case (host, channel, event key; the key fixes the time) is the sorting key,
// so rows with the same key are merged by the server (keeping the row inserted last: a live
// event replaces a recovered one by being inserted after it). The writer also leaves out events
// already stored before it inserts, so import reports count duplicates like SQLite does; the
// merge is the safety net for imports that raced or were cut off after the server stored a
// block but before it answered. After an import, the partitions it wrote are checked for keys
// stored twice (and merged where there are some) and recorded in events_verified (version 4):
// queries read without FINAL while every part lies in the checked blocks, with FINAL otherwise.
//
// On a cluster, each table is a Replicated*MergeTree (`<name>_local`, created ON CLUSTER) with
// a Distributed table of the plain name over it, sharded by cityHash64(host): all events of a
// host live on one shard, so the per-shard merge and FINAL still see every duplicate.
//
// Snapshots (version 2) are denormalised: each module row names its host, snapshot, process
// and SHA-256, so stacking and who-loads read one table. A snapshot's id is derived from its
// natural key, the same on every server and every import: the low 53 bits of
// cityHash64(host || '\n' || toString(scanned_at) || '\n' || boot_id) (53 bits: exact in a
// JSON number), 1 if that is 0. Snapshots are sharded by host too.
#include <string>
#include <vector>

namespace loadlens::casestore {

struct ClickHouseSchemaOptions {
    std::string database;
    std::string cluster;  // empty: one server
};

// A column a migration adds to a table an earlier version made. Servers before 20.x know no
// ADD COLUMN IF NOT EXISTS, so the runner adds it only where system.columns lacks it.
struct ClickHouseColumnAdd {
    std::string table;       // unqualified; on a cluster each of the local and the Distributed table
    std::string column;
    std::string declaration;  // type and default, e.g. "UInt8 DEFAULT 0"
};

struct ClickHouseMigration {
    int version;
    const char *description;
    std::vector<std::string> statements;  // run in order; each is idempotent (IF NOT EXISTS)
    std::vector<ClickHouseColumnAdd> addColumns;  // after the statements
};

// Every migration, oldest first. The statements create the database too.
std::vector<ClickHouseMigration> clickhouseMigrations(const ClickHouseSchemaOptions &options);
constexpr int kClickHouseSchemaVersion = 4;

// The columns of the events table, in the order the writer sends them (RowBinary).
const std::vector<std::string> &clickhouseEventColumns();

enum class SnapshotTable { Snapshots, Processes, Files, Modules, ModuleStack, Findings };
const char *clickhouseTableName(SnapshotTable table);
// The columns of a snapshot table, in the order the importer sends them.
const std::vector<std::string> &clickhouseColumns(SnapshotTable table);

} // namespace loadlens::casestore
