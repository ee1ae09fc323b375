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
    {"source_offset", "Int64"},
};

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
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (const auto &c : kEventColumns)
            out.emplace_back(c.name);
        return out;
    }();
    return names;
}

std::vector<ClickHouseMigration> clickhouseMigrations(const ClickHouseSchemaOptions &o)
{
    std::string eventColumns;
    for (const auto &c : kEventColumns)
        eventColumns += std::string(eventColumns.empty() ? "" : ", ") + c.name + " " + c.type;

    ClickHouseMigration v1{1, "schema versions and events", {}};
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
    return {std::move(v1)};
}

} // namespace loadlens::casestore
