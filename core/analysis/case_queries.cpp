#include "analysis/case_queries.h"

#include "store/json_codec.h"

#include <map>

namespace loadlens::analysis {

using store::CaseDatabase;

std::string chosenSnapshotsSql(bool allSnapshots)
{
    if (allSnapshots)
        return "SELECT id, host_id FROM snapshots WHERE complete = 1";
    return "SELECT id, host_id FROM (SELECT id, host_id, row_number() OVER (PARTITION BY host_id"
           " ORDER BY scanned_at DESC, id DESC) AS rank FROM snapshots WHERE complete = 1) WHERE rank = 1";
}

namespace {

constexpr const char *kSummarySql =
    "SELECT s.id, h.name, s.scanned_at, s.boot_id, s.kernel, s.os_release, s.complete,"
    " (SELECT count(*) FROM processes p WHERE p.snapshot_id = s.id),"
    " (SELECT count(*) FROM processes p WHERE p.snapshot_id = s.id AND p.errors <> '[]'),"
    " (SELECT count(*) FROM findings f WHERE f.snapshot_id = s.id)"
    " FROM snapshots s JOIN hosts h ON h.id = s.host_id";

SnapshotSummary summaryOf(const store::Statement &s)
{
    SnapshotSummary out;
    out.id = s.integer(0);
    out.host = s.text(1);
    out.scannedAt = s.integer(2);
    out.bootId = s.text(3);
    out.kernel = s.text(4);
    out.osRelease = s.text(5);
    out.complete = s.integer(6) != 0;
    out.processes = s.integer(7);
    out.processesWithErrors = s.integer(8);
    out.findings = s.integer(9);
    return out;
}

// Module verdicts counted by level in one pass over the module rows (of one snapshot, or of all
// when `snapshotId` is 0), added to the summaries they belong to.
Status addModuleLevels(const CaseDatabase &db, std::vector<SnapshotSummary> &summaries, std::int64_t snapshotId)
{
    auto stmt = db.statement(snapshotId != 0
                                 ? "SELECT snapshot_id, level, count(*) FROM modules WHERE snapshot_id = ?1 GROUP BY level"
                                 : "SELECT snapshot_id, level, count(*) FROM modules GROUP BY snapshot_id, level");
    if (!stmt)
        return stmt.error();
    if (snapshotId != 0)
        stmt->bind(1, snapshotId);
    std::map<std::int64_t, SnapshotSummary *> byId;
    for (auto &summary : summaries)
        byId[summary.id] = &summary;
    return stmt->forEach([&](const store::Statement &row) {
        const auto it = byId.find(row.integer(0));
        if (it == byId.end())
            return;
        const Level level = store::levelFromInt(row.integer(1));
        it->second->moduleLevels[static_cast<std::size_t>(level)] += row.integer(2);
        it->second->modules += row.integer(2);
    });
}

} // namespace

Result<std::vector<SnapshotSummary>> listSnapshots(const CaseDatabase &db)
{
    auto stmt = db.statement(std::string(kSummarySql) + " ORDER BY h.name, s.scanned_at, s.id");
    if (!stmt)
        return stmt.error();
    std::vector<SnapshotSummary> out;
    if (auto done = stmt->forEach([&](const store::Statement &row) {
        out.push_back(summaryOf(row));
    }); !done)
        return done.error();
    if (auto counted = addModuleLevels(db, out, 0); !counted)
        return counted.error();
    return out;
}

Result<SnapshotSummary> snapshotSummary(const CaseDatabase &db, std::int64_t snapshotId)
{
    auto stmt = db.statement(std::string(kSummarySql) + " WHERE s.id = ?1");
    if (!stmt)
        return stmt.error();
    auto row = stmt->bind(1, snapshotId).step();
    if (!row)
        return row.error();
    if (!*row)
        return Error{ENOENT, "no snapshot " + std::to_string(snapshotId) + " in " + db.path()};
    std::vector<SnapshotSummary> one{summaryOf(*stmt)};
    if (auto counted = addModuleLevels(db, one, snapshotId); !counted)
        return counted.error();
    return one.front();
}

Result<StackResult> stack(const CaseDatabase &db, const StackOptions &options)
{
    StackResult result;
    const std::string chosen = "WITH chosen AS (" + chosenSnapshotsSql(options.allSnapshots) + ") ";
    auto hosts = db.queryInt(chosen + "SELECT count(DISTINCT host_id) FROM chosen");
    auto snapshots = db.queryInt(chosen + "SELECT count(*) FROM chosen");
    if (!hosts || !snapshots)
        return hosts ? snapshots.error() : hosts.error();
    result.hostsInCase = *hosts;
    result.snapshotsCounted = *snapshots;

    const bool byName = options.by == StackBy::Name;
    const std::string sql =
        chosen + "SELECT " + (byName ? "p.name, ''" : "p.path, s.sha256") +
        ", count(DISTINCT c.host_id) AS hosts, sum(s.processes) AS procs, count(DISTINCT s.path_id || ':' || s.sha256),"
        " max(s.max_level) FROM snapshot_module_stack s JOIN chosen c ON c.id = s.snapshot_id"
        " JOIN paths p ON p.id = s.path_id GROUP BY " + (byName ? "p.name" : "s.path_id, s.sha256") +
        " HAVING hosts <= ?1 ORDER BY hosts, procs, 1, 2 LIMIT ?2";
    auto stmt = db.statement(sql);
    if (!stmt)
        return stmt.error();
    stmt->bind(1, options.maxHosts.value_or(INT64_MAX)).bind(2, options.limit > 0 ? options.limit : std::int64_t(-1));
    if (auto done = stmt->forEach([&](const store::Statement &row) {
        StackEntry e;
        e.module = row.text(0);
        e.sha256 = row.text(1);
        e.hosts = row.integer(2);
        e.processes = row.integer(3);
        e.variants = row.integer(4);
        e.maxLevel = store::levelFromInt(row.integer(5));
        result.entries.push_back(std::move(e));
    }); !done)
        return done.error();
    return result;
}

Result<std::vector<CaseWhoLoadsHit>> whoLoads(const CaseDatabase &db, const std::string &needle, bool allSnapshots)
{
    if (needle.empty())
        return Error{EINVAL, "who-loads needs a non-empty name"};
    // Module rows have no index on path_id (it would cost a third of their size). The module
    // stack names the chosen snapshots that map a wanted path, and only their rows are read;
    // kernel code pages, which the stack leaves out, come through their own small index.
    auto stmt = db.statement(
        "WITH chosen AS MATERIALIZED (" + chosenSnapshotsSql(allSnapshots) + "),"
        " wanted AS MATERIALIZED (SELECT id, path FROM paths WHERE instr(path, ?1) > 0),"
        " mapping AS MATERIALIZED (SELECT DISTINCT st.snapshot_id AS id FROM chosen c CROSS JOIN wanted w"
        "  CROSS JOIN snapshot_module_stack st ON st.snapshot_id = c.id AND st.path_id = w.id),"
        " hits AS (SELECT m.snapshot_id, m.process_id, m.path_id, m.file_id, m.level FROM mapping g"
        "  CROSS JOIN modules m ON m.snapshot_id = g.id WHERE (m.flags & 16) = 0"
        "  AND m.path_id IN (SELECT id FROM wanted)"
        "  UNION ALL SELECT m.snapshot_id, m.process_id, m.path_id, m.file_id, m.level FROM wanted w"
        "  CROSS JOIN modules m INDEXED BY modules_kernel_pages ON m.path_id = w.id AND (m.flags & 16) <> 0"
        "  WHERE m.snapshot_id IN (SELECT id FROM chosen))"
        " SELECT h.name, s.id, s.scanned_at, pr.pid, pr.name, pr.exe, pr.user, w.path, coalesce(f.sha256, ''), m.level"
        " FROM hits m JOIN wanted w ON w.id = m.path_id"
        " JOIN snapshots s ON s.id = m.snapshot_id JOIN hosts h ON h.id = s.host_id"
        " JOIN processes pr ON pr.id = m.process_id LEFT JOIN files f ON f.id = m.file_id"
        " ORDER BY h.name, s.scanned_at, pr.pid, w.path");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, needle);
    std::vector<CaseWhoLoadsHit> out;
    if (auto done = stmt->forEach([&](const store::Statement &row) {
        CaseWhoLoadsHit h;
        h.host = row.text(0);
        h.snapshotId = row.integer(1);
        h.scannedAt = row.integer(2);
        h.pid = static_cast<int>(row.integer(3));
        h.process = row.text(4);
        h.executable = row.text(5);
        h.user = row.text(6);
        h.path = row.text(7);
        h.sha256 = row.text(8);
        h.level = store::levelFromInt(row.integer(9));
        out.push_back(std::move(h));
    }); !done)
        return done.error();
    return out;
}

} // namespace loadlens::analysis
