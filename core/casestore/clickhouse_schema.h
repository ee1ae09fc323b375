#pragma once
// The ClickHouse form of a case: the DDL of each schema version, for one server or a cluster.
//
// Events are a ReplacingMergeTree ordered by (host, time_us, channel, event_key): the natural
// key of the SQLite case (host, channel, event key; the key fixes the time) is the sorting key,
// so rows with the same key are merged by the server and queries read with FINAL. The writer
// also leaves out events already stored before it inserts, so import reports count duplicates
// like SQLite does; the merge is the safety net for imports that raced or were cut off after
// the server stored a block but before it answered.
//
// On a cluster, each table is a Replicated*MergeTree (`<name>_local`, created ON CLUSTER) with
// a Distributed table of the plain name over it, sharded by cityHash64(host): all events of a
// host live on one shard, so the per-shard merge and FINAL still see every duplicate.
#include <string>
#include <vector>

namespace loadlens::casestore {

struct ClickHouseSchemaOptions {
    std::string database;
    std::string cluster;  // empty: one server
};

struct ClickHouseMigration {
    int version;
    const char *description;
    std::vector<std::string> statements;  // run in order; each is idempotent (IF NOT EXISTS)
};

// Every migration, oldest first. The statements create the database too.
std::vector<ClickHouseMigration> clickhouseMigrations(const ClickHouseSchemaOptions &options);
constexpr int kClickHouseSchemaVersion = 1;

// The columns of the events table, in the order the writer sends them (TabSeparated).
const std::vector<std::string> &clickhouseEventColumns();

} // namespace loadlens::casestore
