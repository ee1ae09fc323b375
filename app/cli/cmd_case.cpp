// loadlens-cli case: what the case holds, and whether it is intact.
#include "analysis/case_queries.h"
#include "analysis/case_report.h"
#include "arg_parser.h"
#include "casestore/clickhouse_schema.h"
#include "casestore/clickhouse_store.h"
#include "clickhouse/endpoint.h"
#include "casestore/case_store.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"

#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

namespace loadlens::cli {

namespace {

int checkIntegrity(const store::CaseDatabase &db, std::ostream &out)
{
    auto stmt = db.statement("SELECT integrity_check FROM pragma_integrity_check");
    if (!stmt)
        return failWith(stmt.error().message, 1);
    bool ok = true;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return failWith(row.error().message, 1);
        if (!*row)
            break;
        const std::string line = stmt->text(0);
        ok = ok && line == "ok";
        out << line << "\n";
    }
    auto dangling = db.queryInt("SELECT count(*) FROM pragma_foreign_key_check");
    if (!dangling)
        return failWith(dangling.error().message, 1);
    if (*dangling > 0) {
        out << *dangling << " rows refer to rows that are not there\n";
        ok = false;
    }
    return ok ? 0 : 1;
}

// case init: the SQLite file, or the ClickHouse database and tables (--cluster: the replicated
// and distributed form); --print-ddl prints the ClickHouse statements and connects to nothing.
int initCase(const ArgParser &parser, const std::string &location, std::ostream &out)
{
    const std::string cluster = parser.value("--cluster").value_or("");
    if (!cluster.empty() && !clickhouse::isPlainIdentifier(cluster))
        return failWith("--cluster takes a cluster name of letters, digits and _, not '" + cluster + "'", 2);
    if (!casestore::isServerLocation(location)) {
        if (!cluster.empty() || parser.has("--print-ddl"))
            return failWith("--cluster and --print-ddl are for ClickHouse cases (--case clickhouse://...)", 2);
        auto db = store::CaseDatabase::open(location, store::OpenMode::ReadWrite);
        if (!db)
            return failWith(db.error().message, 1);
        out << "SQLite case ready: " << location << "\n";
        return 0;
    }
    auto endpoint = clickhouse::parseUrl(location);
    if (!endpoint)
        return failWith(endpoint.error().message, 2);
    if (parser.has("--print-ddl")) {
        for (const auto &m : casestore::clickhouseMigrations({endpoint->database, cluster})) {
            out << "-- version " << m.version << ": " << m.description << "\n";
            for (const auto &sql : m.statements)
                out << sql << ";\n";
        }
        return 0;
    }
    if (auto s = clickhouse::loadCredentials(*endpoint, clickhouse::CredentialSources::fromEnvironment()); !s)
        return failWith(s.error().message, 1);
    casestore::ClickHouseStoreOptions options;
    options.cluster = cluster;
    const std::string shown = endpoint->display();
    auto store = casestore::openClickHouseStore(std::move(*endpoint), store::OpenMode::ReadWrite, options);
    if (!store)
        return failWith(store.error().message, 1);
    out << "ClickHouse case ready: " << shown << (cluster.empty() ? "" : " (cluster " + cluster + ")") << "\n";
    return 0;
}

// case list on a ClickHouse case: its snapshots, and the hosts its events name.
int listServerCase(const casestore::CaseStore &store, bool json, std::ostream &out)
{
    auto snapshots = store.listSnapshots();
    if (!snapshots)
        return failWith(snapshots.error().message, 1);
    auto hosts = store.eventHosts();
    if (!hosts)
        return failWith(hosts.error().message, 1);
    if (json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto &h : *hosts)
            list.push_back({{"host", h.host}, {"events", h.events}, {"first", isoTime(h.firstUs)}, {"last", isoTime(h.lastUs)}});
        out << nlohmann::json{{"store", store.location()}, {"snapshots", analysis::snapshotsToJson(*snapshots)},
                              {"event_hosts", list}}
                   .dump(1)
            << "\n";
        return 0;
    }
    out << store.location() << ": " << snapshots->size() << (snapshots->size() == 1 ? " snapshot" : " snapshots")
        << "\n";
    if (!snapshots->empty())
        analysis::writeSnapshots(out, *snapshots);
    for (const auto &h : *hosts)
        out << h.host << "  " << h.events << " events  " << isoTime(h.firstUs) << " .. " << isoTime(h.lastUs) << "\n";
    out << hosts->size() << " hosts with events\n";
    return 0;
}

int runCase(const std::vector<std::string> &args)
{
    ArgParser parser;
    withOutputOption(parser.option("--case").option("--cluster").flag("--json").flag("--print-ddl"));
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    const std::string action = parser.positional().empty() ? "list" : parser.positional().front();
    if (parser.positional().size() > 1 ||
        (action != "list" && action != "check" && action != "path" && action != "init"))
        return failWith("case takes one of list, check, path or init", 2);
    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;
    const std::string path = casePathFrom(parser);
    if (action == "path") {
        output.stream() << path << "\n";
        return output.finish();
    }
    if (action == "init")
        return output.finish(initCase(parser, path, output.stream()));
    if (casestore::isServerLocation(path)) {
        if (action == "check")
            return failWith("case check is the SQLite integrity check; a ClickHouse server checks its own parts", 2);
        auto store = openStore(path, store::OpenMode::ReadOnly);
        if (!store)
            return failWith(store.error().message, 1);
        return output.finish(listServerCase(**store, parser.has("--json"), output.stream()));
    }
    auto db = openCase(path, store::OpenMode::ReadOnly);
    if (!db)
        return failWith(db.error().message, 1);
    if (action == "check")
        return output.finish(checkIntegrity(*db, output.stream()));
    auto snapshots = analysis::listSnapshots(*db);
    if (!snapshots)
        return failWith(snapshots.error().message, 1);
    if (parser.has("--json"))
        output.stream() << analysis::snapshotsToJson(*snapshots).dump(1) << "\n";
    else
        analysis::writeSnapshots(output.stream(), *snapshots);
    return output.finish();
}

} // namespace

LOADLENS_CLI_COMMAND({"case", "list the snapshots in the case, or check its integrity",
                      R"(Usage: loadlens-cli case [list|check|path|init] [OPTIONS]

  list                   the snapshots (id, host, time, counts); ids are what 'diff' takes.
                         A ClickHouse case also lists the hosts of its events.
  check                  SQLite integrity and reference checks
  path                   print the case file in use
  init                   create the case: the SQLite file, or the ClickHouse database and
                         tables (import creates them too)

Options:
  --case FILE|URL        the case (default: $XDG_DATA_HOME/loadlens/case.sqlite), or a
                         ClickHouse database: clickhouse://HOST:PORT/DATABASE (clickhouses://
                         for TLS). Credentials: LOADLENS_CLICKHOUSE_USER and
                         LOADLENS_CLICKHOUSE_PASSWORD, else ~/.config/loadlens/clickhouse.conf
                         (user = NAME, password = SECRET; readable by its owner only)
  --cluster NAME         init: tables ON CLUSTER NAME, Replicated*MergeTree with Distributed
                         tables over them, sharded by host
  --print-ddl            init: print the ClickHouse statements, connect to nothing
  --json                 machine-readable list
)" + std::string(kOutputOptionHelp),
                      &runCase});

} // namespace loadlens::cli
