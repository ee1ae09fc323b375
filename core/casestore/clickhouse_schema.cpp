#include "casestore/clickhouse_schema.h"

namespace loadlens::casestore {

namespace {

struct Column {
    const char *name;
    const char *type;
};

constexpr Column kEventColumns[] = {
    {"host", "String"},           {"channel", "String"},        {"event_key", "String"},
    {"record_id", "Int64"},       {"time_us", "Int64"},         {"source", "String"},
    {"event_id", "Int32"},        {"kind", "String"},           {"level", "UInt8"},
    {"reasons", "String"},        {"process_guid", "String"},   {"pid", "Int64"},
    {"image", "String"},          {"image_loaded", "String"},   {"user", "String"},
    {"hashes", "String"},         {"signed", "String"},         {"signature", "String"},
    {"signature_status", "String"}, {"signature_state", "UInt8"}, {"command_line", "String"},
    {"parent_image", "String"},   {"fields", "String"},         {"source_file", "String"},
    {"source_offset", "Int64"},   {"recovered", "UInt8"},
};

// The snapshot tables (schema version 2), one row per thing, each carrying its host and
// snapshot id so that no query needs a join: ClickHouse reads columns, and a join of module rows
// with process rows would hold one side in memory.
constexpr Column kSnapshotColumns[] = {
    {"id", "UInt64"},          {"host", "String"},      {"scanned_at", "Int64"},  {"boot_id", "String"},
    {"kernel", "String"},      {"os_release", "String"}, {"machine", "String"},   {"stats", "String"},
    {"facts", "String"},       {"processes", "Int64"},  {"processes_with_errors", "Int64"},
    {"modules", "Int64"},      {"module_levels", "Array(Int64)"}, {"findings", "Int64"},
    {"complete", "UInt8"},     {"imported_us", "Int64"},
};
constexpr Column kProcessColumns[] = {
    {"host", "String"},      {"snapshot_id", "UInt64"}, {"pid", "Int64"},        {"start_time", "Int64"},
    {"ppid", "Int64"},       {"uid", "Int64"},          {"user", "String"},      {"name", "String"},
    {"exe", "String"},       {"cmdline", "String"},     {"state", "String"},     {"kernel_thread", "UInt8"},
    {"hidden", "UInt8"},     {"namespace_hint", "String"}, {"loader_env", "String"}, {"errors", "String"},
};
constexpr Column kFileColumns[] = {
    {"host", "String"},   {"path", "String"},  {"dev", "Int64"},     {"inode", "Int64"},   {"mtime_ns", "Int64"},
    {"size", "Int64"},    {"ctime_ns", "Int64"}, {"uid", "Int64"},   {"gid", "Int64"},     {"mode", "Int64"},
    {"owner", "String"},  {"grp", "String"},   {"sha256", "String"}, {"md5", "String"},   {"package", "String"},
    {"errors", "String"},
};
constexpr Column kModuleColumns[] = {
    {"sha256", "String"},  {"path", "String"},      {"host", "String"},     {"snapshot_id", "UInt64"},
    {"pid", "Int64"},      {"start_time", "Int64"}, {"process", "String"},  {"exe", "String"},
    {"user", "String"},    {"start", "Int64"},      {"dev", "Int64"},       {"inode", "Int64"},
    {"flags", "Int64"},    {"level", "UInt8"},      {"reasons", "String"},  {"confirmation", "String"},
    {"ranges", "String"},
};
constexpr Column kModuleStackColumns[] = {
    {"sha256", "String"}, {"path", "String"}, {"name", "String"}, {"host", "String"},
    {"snapshot_id", "UInt64"}, {"processes", "Int64"}, {"max_level", "UInt8"},
};
constexpr Column kFindingColumns[] = {
    {"host", "String"},  {"snapshot_id", "UInt64"}, {"code", "String"},    {"level", "UInt8"},
    {"pid", "Int64"},    {"text", "String"},        {"technique", "String"}, {"measure", "String"},
    {"evidence", "String"},
};

template<std::size_t N>
std::vector<std::string> namesOf(const Column (&columns)[N])
{
    std::vector<std::string> out;
    for (const auto &c : columns)
        out.emplace_back(c.name);
    return out;
}

template<std::size_t N>
std::string declarationsOf(const Column (&columns)[N])
{
    std::string out;
    for (const auto &c : columns)
        out += std::string(out.empty() ? "" : ", ") + c.name + " " + c.type;
    return out;
}

std::string onCluster(const ClickHouseSchemaOptions &o)
{
    return o.cluster.empty() ? std::string() : " ON CLUSTER " + o.cluster;
}

// CREATE TABLE for `table`: a plain MergeTree-family table on one server; on a cluster the
// replicated local table and the Distributed table over it.
std::vector<std::string> createTable(const ClickHouseSchemaOptions &o, const std::string &table,
                                     const std::string &columns, const std::string &engine,
                                     const std::string &tail, const std::string &shardKey)
{
    const std::string db = o.database;
    if (o.cluster.empty())
        return {"CREATE TABLE IF NOT EXISTS " + db + "." + table + " (" + columns + ") ENGINE = " + engine + "()" +
                tail};
    const std::string local = table + "_local";
    return {"CREATE TABLE IF NOT EXISTS " + db + "." + local + onCluster(o) + " (" + columns +
                ") ENGINE = Replicated" + engine + "('/clickhouse/tables/{shard}/" + db + "/" + local +
                "', '{replica}')" + tail,
            "CREATE TABLE IF NOT EXISTS " + db + "." + table + onCluster(o) + " AS " + db + "." + local +
                " ENGINE = Distributed(" + o.cluster + ", " + db + ", " + local + ", " + shardKey + ")"};
}

} // namespace

const std::vector<std::string> &clickhouseEventColumns()
{
    static const std::vector<std::string> names = namesOf(kEventColumns);
    return names;
}

const std::vector<std::string> &clickhouseColumns(SnapshotTable table)
{
    static const std::vector<std::string> snapshots = namesOf(kSnapshotColumns), processes = namesOf(kProcessColumns),
                                          files = namesOf(kFileColumns), modules = namesOf(kModuleColumns),
                                          stack = namesOf(kModuleStackColumns), findings = namesOf(kFindingColumns);
    switch (table) {
    case SnapshotTable::Snapshots: return snapshots;
    case SnapshotTable::Processes: return processes;
    case SnapshotTable::Files: return files;
    case SnapshotTable::Modules: return modules;
    case SnapshotTable::ModuleStack: return stack;
    case SnapshotTable::Findings: return findings;
    }
    return snapshots;
}

const char *clickhouseTableName(SnapshotTable table)
{
    switch (table) {
    case SnapshotTable::Snapshots: return "snapshots";
    case SnapshotTable::Processes: return "processes";
    case SnapshotTable::Files: return "files";
    case SnapshotTable::Modules: return "modules";
    case SnapshotTable::ModuleStack: return "module_stack";
    case SnapshotTable::Findings: return "findings";
    }
    return "snapshots";
}

std::vector<ClickHouseMigration> clickhouseMigrations(const ClickHouseSchemaOptions &o)
{
    std::string eventColumns;
    for (const auto &c : kEventColumns)
        eventColumns += std::string(eventColumns.empty() ? "" : ", ") + c.name + " " + c.type;

    ClickHouseMigration v1{1, "schema versions and events", {}, {}};
    v1.statements.push_back("CREATE DATABASE IF NOT EXISTS " + o.database + onCluster(o));
    for (auto &s : createTable(o, "schema_version", "version UInt32, applied_us Int64, description String",
                               "ReplacingMergeTree", " ORDER BY version", "version"))
        v1.statements.push_back(std::move(s));
    // Month partitions (UTC); the sorting key is the natural key, time second so that a host's
    // time range is one contiguous read.
    for (auto &s : createTable(o, "events", eventColumns, "ReplacingMergeTree",
                               " PARTITION BY toYYYYMM(toDateTime(intDiv(time_us, 1000000), 'UTC'))"
                               " ORDER BY (host, time_us, channel, event_key)",
                               "cityHash64(host)"))
        v1.statements.push_back(std::move(s));

    // Version 2: snapshots. Every table is a ReplacingMergeTree whose sorting key holds the
    // natural key of the SQLite case's table (read with FINAL, or DISTINCT over that key); the
    // importer also checks, per snapshot, whether it is stored before it writes anything of it.
    // Modules and the per-snapshot module stack are ordered for stacking: by hash, path, host.
    ClickHouseMigration v2{2, "snapshots, processes, files, modules, module stack, findings", {}, {}};
    const struct {
        SnapshotTable table;
        std::string columns;
        const char *orderBy;
    } snapshotTables[] = {
        {SnapshotTable::Snapshots, declarationsOf(kSnapshotColumns), " ORDER BY (host, scanned_at, boot_id)"},
        {SnapshotTable::Processes, declarationsOf(kProcessColumns), " ORDER BY (host, snapshot_id, pid, start_time)"},
        {SnapshotTable::Files, declarationsOf(kFileColumns), " ORDER BY (host, path, dev, inode, mtime_ns)"},
        {SnapshotTable::Modules, declarationsOf(kModuleColumns),
         " ORDER BY (sha256, path, host, snapshot_id, pid, start_time, start)"},
        {SnapshotTable::ModuleStack, declarationsOf(kModuleStackColumns), " ORDER BY (sha256, path, host, snapshot_id)"},
        {SnapshotTable::Findings, declarationsOf(kFindingColumns), " ORDER BY (host, snapshot_id, code, pid, evidence)"},
    };
    for (const auto &t : snapshotTables)
        for (auto &s : createTable(o, clickhouseTableName(t.table), t.columns, "ReplacingMergeTree", t.orderBy,
                                   "cityHash64(host)"))
            v2.statements.push_back(std::move(s));

    // Version 3: events carved from an EVTX file's unallocated space are marked (the SQLite
    // case's version 3). A table made by version 1 of this build has the column already.
    ClickHouseMigration v3{3, "events: recovered flag", {}, {}};
    if (!o.cluster.empty())
        v3.addColumns.push_back({"events_local", "recovered", "UInt8 DEFAULT 0"});
    v3.addColumns.push_back({"events", "recovered", "UInt8 DEFAULT 0"});

    // Version 4: the blocks of each events partition checked to hold every key once, up to
    // which the event queries read without FINAL (clickhouse_event_writer.h).
    ClickHouseMigration v4{4, "events: partitions checked for keys stored twice", {}, {}};
    for (auto &s : createTable(o, "events_verified", "partition_id String, max_block Int64, verified_us Int64",
                               "ReplacingMergeTree", " ORDER BY (partition_id, max_block)", "cityHash64(partition_id)"))
        v4.statements.push_back(std::move(s));
    return {std::move(v1), std::move(v2), std::move(v3), std::move(v4)};
}

} // namespace loadlens::casestore
