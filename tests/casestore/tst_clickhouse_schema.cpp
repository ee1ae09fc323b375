// The ClickHouse DDL of a case, checked as text (no server): the single-server form and the
// cluster form (ON CLUSTER, Replicated*MergeTree, Distributed sharded by host), and the
// TabSeparated escaping the store writes and reads rows with.
#include "casestore/clickhouse_schema.h"
#include "casestore/clickhouse_store.h"

#include <QtTest>

using namespace loadlens::casestore;

namespace {

std::string all(const std::vector<ClickHouseMigration> &migrations)
{
    std::string out;
    for (const auto &m : migrations)
        for (const auto &s : m.statements)
            out += s + ";\n";
    return out;
}

bool contains(const std::string &text, const std::string &part) { return text.find(part) != std::string::npos; }

} // namespace

class TestClickHouseSchema : public QObject {
    Q_OBJECT
private slots:
    void singleServer()
    {
        const auto migrations = clickhouseMigrations({"cases", ""});
        QCOMPARE(migrations.back().version, kClickHouseSchemaVersion);
        for (std::size_t i = 1; i < migrations.size(); ++i)
            QVERIFY(migrations[i - 1].version < migrations[i].version);
        const std::string ddl = all(migrations);
        QVERIFY(contains(ddl, "CREATE DATABASE IF NOT EXISTS cases;"));
        QVERIFY(contains(ddl, "CREATE TABLE IF NOT EXISTS cases.events ("));
        QVERIFY(contains(ddl, "ENGINE = ReplacingMergeTree() PARTITION BY toYYYYMM(toDateTime(intDiv(time_us, 1000000), 'UTC'))"
                              " ORDER BY (host, time_us, channel, event_key)"));
        QVERIFY(contains(ddl, "CREATE TABLE IF NOT EXISTS cases.schema_version ("));
        QVERIFY(!contains(ddl, "ON CLUSTER"));
        QVERIFY(!contains(ddl, "Distributed"));
        QVERIFY(!contains(ddl, "Replicated"));
        // Every statement can run again.
        for (const auto &m : migrations)
            for (const auto &s : m.statements)
                QVERIFY2(contains(s, "IF NOT EXISTS"), s.c_str());
        // Every writer column is declared, in order.
        std::size_t at = ddl.find("cases.events (");
        for (const auto &column : clickhouseEventColumns()) {
            std::size_t found = ddl.find("(" + column + " ", at);
            if (found == std::string::npos || found > ddl.find(", " + column + " ", at))
                found = ddl.find(", " + column + " ", at);
            QVERIFY2(found != std::string::npos, column.c_str());
            at = found;
        }
        // Snapshots (version 2): one ReplacingMergeTree each, modules ordered for stacking.
        QVERIFY(contains(ddl, "CREATE TABLE IF NOT EXISTS cases.modules (sha256 String, path String, host String,"));
        QVERIFY(contains(ddl, "ENGINE = ReplacingMergeTree() ORDER BY (sha256, path, host, snapshot_id, pid, start_time, start);"));
        QVERIFY(contains(ddl, "ENGINE = ReplacingMergeTree() ORDER BY (sha256, path, host, snapshot_id);"));
        QVERIFY(contains(ddl, "ENGINE = ReplacingMergeTree() ORDER BY (host, scanned_at, boot_id);"));
        for (auto table : {SnapshotTable::Snapshots, SnapshotTable::Processes, SnapshotTable::Files,
                           SnapshotTable::Modules, SnapshotTable::ModuleStack, SnapshotTable::Findings}) {
            const std::string head = std::string("CREATE TABLE IF NOT EXISTS cases.") + clickhouseTableName(table) + " (";
            const std::size_t start = ddl.find(head);
            QVERIFY2(start != std::string::npos, head.c_str());
            const std::string declared = ddl.substr(start + head.size(), ddl.find(") ENGINE", start) - start - head.size());
            // Every importer column is declared, in order.
            std::size_t at = 0;
            for (const auto &column : clickhouseColumns(table)) {
                const std::size_t found = declared.find((at == 0 ? "" : ", ") + column + " ", at);
                QVERIFY2(found != std::string::npos && (at != 0 || found == 0), column.c_str());
                at = found + 1;
            }
        }
        QCOMPARE(migrations.size(), std::size_t(4));
        QCOMPARE(migrations[1].version, 2);
        // Version 3: the recovered flag, added to an events table made before it.
        QCOMPARE(migrations[2].version, 3);
        QCOMPARE(migrations[2].addColumns.size(), std::size_t(1));
        QCOMPARE(migrations[2].addColumns[0].table, std::string("events"));
        QCOMPARE(migrations[2].addColumns[0].column, std::string("recovered"));
        // Version 4: the checked blocks of each events partition.
        QCOMPARE(migrations[3].version, 4);
        QVERIFY(contains(ddl, "CREATE TABLE IF NOT EXISTS cases.events_verified (partition_id String, max_block Int64,"
                              " verified_us Int64) ENGINE = ReplacingMergeTree() ORDER BY (partition_id, max_block);"));
    }

    void cluster()
    {
        const std::string ddl = all(clickhouseMigrations({"fleet", "soc"}));
        QVERIFY(contains(ddl, "CREATE DATABASE IF NOT EXISTS fleet ON CLUSTER soc;"));
        QVERIFY(contains(ddl, "CREATE TABLE IF NOT EXISTS fleet.events_local ON CLUSTER soc ("));
        QVERIFY(contains(ddl, "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/fleet/events_local', "
                              "'{replica}') PARTITION BY"));
        QVERIFY(contains(ddl, "CREATE TABLE IF NOT EXISTS fleet.events ON CLUSTER soc AS fleet.events_local ENGINE = "
                              "Distributed(soc, fleet, events_local, cityHash64(host));"));
        QVERIFY(contains(ddl, "CREATE TABLE IF NOT EXISTS fleet.modules_local ON CLUSTER soc (sha256 String"));
        QVERIFY(contains(ddl, "ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/fleet/modules_local', "
                              "'{replica}') ORDER BY (sha256, path, host, snapshot_id, pid, start_time, start);"));
        for (const char *table : {"snapshots", "processes", "files", "modules", "module_stack", "findings"})
            QVERIFY2(contains(ddl, std::string("CREATE TABLE IF NOT EXISTS fleet.") + table + " ON CLUSTER soc AS fleet." +
                                       table + "_local ENGINE = Distributed(soc, fleet, " + table +
                                       "_local, cityHash64(host));"),
                     table);
        QVERIFY(contains(ddl, "CREATE TABLE IF NOT EXISTS fleet.schema_version ON CLUSTER soc AS "
                              "fleet.schema_version_local ENGINE = Distributed("));
        // Every statement of the cluster form runs on the whole cluster.
        for (const auto &m : clickhouseMigrations({"fleet", "soc"}))
            for (const auto &s : m.statements)
                QVERIFY2(contains(s, " ON CLUSTER soc"), s.c_str());
    }

    void tabSeparatedEscapingRoundTrips()
    {
        std::string every;
        for (int c = 0; c < 256; ++c)
            every.push_back(static_cast<char>(c));
        const std::string escaped = tsvEscape(every);
        QVERIFY(escaped.find('\t') == std::string::npos);
        QVERIFY(escaped.find('\n') == std::string::npos);
        QCOMPARE(tsvUnescape(escaped), every);
        // ClickHouse's own escapes on output.
        QCOMPARE(tsvUnescape("a\\tb\\nc\\\\d\\0e\\'f\\bg\\fh\\ri"), std::string("a\tb\nc\\d\0e'f\bg\fh\ri", 17));
        const auto fields = tsvFields("x\\ty\t\t" + tsvEscape("z\n"));
        QCOMPARE(fields.size(), std::size_t(3));
        QCOMPARE(fields[0], std::string("x\ty"));
        QCOMPARE(fields[1], std::string());
        QCOMPARE(fields[2], std::string("z\n"));
    }
};

QTEST_GUILESS_MAIN(TestClickHouseSchema)
#include "tst_clickhouse_schema.moc"
