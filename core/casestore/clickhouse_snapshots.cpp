#include "casestore/clickhouse_snapshots.h"

#include "casestore/clickhouse_schema.h"
#include "casestore/clickhouse_store.h"
#include "store/json_codec.h"
#include "store/snapshot_writer.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

namespace loadlens::casestore::detail {

namespace {

using clickhouse::Client;
using clickhouse::quote;

std::int64_t nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// One TabSeparated row, field by field.
class Row {
public:
    Row &text(std::string_view value)
    {
        separate();
        m_row += tsvEscape(value);
        return *this;
    }
    Row &number(std::int64_t value)
    {
        separate();
        m_row += std::to_string(value);
        return *this;
    }
    Row &raw(std::string_view value)
    {
        separate();
        m_row += value;
        return *this;
    }
    std::string line() { return std::move(m_row) + "\n"; }

private:
    void separate()
    {
        if (!m_row.empty() || m_fields > 0)
            m_row += '\t';
        ++m_fields;
    }
    std::string m_row;
    int m_fields = 0;
};

// The rows of one table, inserted `batchRows` at a time.
class Batch {
public:
    Batch(Client &client, const std::string &db, SnapshotTable table, std::size_t batchRows)
        : m_client(client), m_batchRows(std::max<std::size_t>(1, batchRows))
    {
        std::string columns;
        for (const auto &c : clickhouseColumns(table))
            columns.append(columns.empty() ? "" : ", ").append(c);
        m_sql = "INSERT INTO " + db + "." + clickhouseTableName(table) + " (" + columns + ") FORMAT TabSeparated";
    }
    Status add(std::string line)
    {
        m_body += line;
        if (++m_rows >= m_batchRows)
            return flush();
        return Ok{};
    }
    Status flush()
    {
        if (m_rows == 0)
            return Ok{};
        auto inserted = m_client.insert(m_sql, m_body);
        m_body.clear();
        m_rows = 0;
        return inserted;
    }

private:
    Client &m_client;
    std::size_t m_batchRows;
    std::string m_sql;
    std::string m_body;
    std::size_t m_rows = 0;
};

struct SnapshotKey {
    std::string host;
    std::int64_t scannedAt = 0;
    std::string bootId;
};

// The snapshot id of clickhouse_schema.h, computed by the server (cityHash64 is its hash).
Result<std::int64_t> snapshotId(Client &client, const SnapshotKey &key)
{
    auto found = rows(client,
                      "SELECT bitAnd(cityHash64(concat(" + quote(key.host) + ", '\\n', toString(toInt64(" +
                          std::to_string(key.scannedAt) + ")), '\\n', " + quote(key.bootId) +
                          ")), toUInt64(9007199254740991))",
                      1);
    if (!found)
        return found.error();
    if (found->empty())
        return Error{EPROTO, "no snapshot id from " + client.endpoint().display()};
    const std::int64_t id = toInt(found->front()[0]);
    return id == 0 ? 1 : id;
}

class ClickHouseBundleImport {
public:
    ClickHouseBundleImport(Client &client, const std::string &db, const store::CaseDatabase &bundle,
                           ImportReport &report, const store::BundleImportOptions &options, std::size_t batchRows)
        : m_client(client), m_db(db), m_bundle(bundle), m_report(report), m_options(options),
          m_snapshots(client, db, SnapshotTable::Snapshots, batchRows),
          m_processes(client, db, SnapshotTable::Processes, batchRows),
          m_files(client, db, SnapshotTable::Files, batchRows), m_modules(client, db, SnapshotTable::Modules, batchRows),
          m_stack(client, db, SnapshotTable::ModuleStack, batchRows),
          m_findings(client, db, SnapshotTable::Findings, batchRows), m_batchRows(batchRows)
    {
    }

    // Each row of a bundle query about snapshot `bs` (bound to ?1), handed to `row`, which
    // returns the outcome of adding it to an insert; the first failure is returned and the rows
    // after it are not handed on.
    Status eachBundleRow(const std::string &sql, std::int64_t bs,
                         const std::function<Status(const store::Statement &)> &row)
    {
        auto stmt = m_bundle.statement(sql);
        if (!stmt)
            return stmt.error();
        stmt->bind(1, bs);
        Status added = Ok{};
        if (auto s = stmt->forEach([&](const store::Statement &r) {
                if (added)
                    added = row(r);
            });
            !s)
            return s;
        return added;
    }

    Status run(const std::vector<std::int64_t> &snapshots)
    {
        for (std::int64_t bs : snapshots) {
            auto n = m_bundle.queryInt("SELECT count(*) FROM modules WHERE snapshot_id = " + std::to_string(bs));
            if (!n)
                return n.error();
            m_modulesTotal += std::size_t(*n);
        }
        for (std::int64_t bs : snapshots) {
            if (auto s = importSnapshot(bs); !s)
                return s;
            if (!m_report.complete)
                break;
        }
        return finish();
    }

private:
    void count(const std::string &kind, std::int64_t read, std::int64_t imported)
    {
        m_report.recordsRead += std::uint64_t(read);
        m_report.imported += std::uint64_t(imported);
        m_report.duplicates += std::uint64_t(read - imported);
        m_report.countsByKind[kind] += std::uint64_t(read);
    }

    Result<std::int64_t> bundleCount(const std::string &sql, std::int64_t bs)
    {
        auto stmt = m_bundle.statement(sql);
        if (!stmt)
            return stmt.error();
        auto row = stmt->bind(1, bs).step();
        if (!row)
            return row.error();
        return *row ? stmt->integer(0) : 0;
    }

    // A snapshot's row goes in only after every row of it is stored: a snapshot the tables name
    // is complete, and one cut off before is imported again as a whole (the merge of
    // ReplacingMergeTree and FINAL fold the rows stored twice).
    Status finish()
    {
        for (Batch *b : {&m_processes, &m_files, &m_modules, &m_stack, &m_findings})
            if (auto s = b->flush(); !s)
                return s;
        for (auto &line : m_finishedSnapshots)
            if (auto s = m_snapshots.add(std::move(line)); !s)
                return s;
        m_finishedSnapshots.clear();
        return m_snapshots.flush();
    }

    // The file keys of `host` already stored (files are per host, shared by its snapshots).
    Result<std::unordered_set<std::string> *> storedFiles(const std::string &host)
    {
        auto it = m_storedFiles.find(host);
        if (it != m_storedFiles.end())
            return &it->second;
        auto found = rows(m_client,
                          "SELECT path, dev, inode, mtime_ns FROM " + m_db + ".files WHERE host = " + quote(host), 4);
        if (!found)
            return found.error();
        auto &keys = m_storedFiles[host];
        for (const auto &r : *found)
            keys.insert(r[0] + '\0' + r[1] + '\0' + r[2] + '\0' + r[3]);
        return &keys;
    }

    Status importSnapshot(std::int64_t bs)
    {
        SnapshotKey key;
        std::string kernel, osRelease, machine, stats;
        {
            auto stmt = m_bundle.statement("SELECT h.name, s.scanned_at, s.boot_id, s.kernel, s.os_release, s.machine,"
                                           " s.stats FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.id = ?1");
            if (!stmt)
                return stmt.error();
            auto row = stmt->bind(1, bs).step();
            if (!row)
                return row.error();
            if (!*row)
                return Error{0, "snapshot " + std::to_string(bs) + " of " + m_report.file + " names no host"};
            key = {stmt->text(0), stmt->integer(1), stmt->text(2)};
            kernel = stmt->text(3);
            osRelease = stmt->text(4);
            machine = stmt->text(5);
            stats = stmt->text(6);
        }
        auto id = snapshotId(m_client, key);
        if (!id)
            return id.error();
        auto stored = rows(m_client,
                           "SELECT host, scanned_at, boot_id, complete FROM " + m_db + ".snapshots FINAL WHERE id = " +
                               std::to_string(*id),
                           4);
        if (!stored)
            return stored.error();
        if (!stored->empty()) {
            const auto &r = stored->front();
            if (r[0] != key.host || toInt(r[1]) != key.scannedAt || r[2] != key.bootId)
                return Error{EEXIST, "snapshot " + std::to_string(bs) + " of " + m_report.file + " has the id " +
                                         std::to_string(*id) + " of another snapshot in the case (" + r[0] + ", " +
                                         r[1] + ")"};
            // Imported before: everything in it is a duplicate (as on SQLite, files not counted).
            count("snapshots", 1, 0);
            for (const char *table : {"snapshot_facts", "processes", "modules", "findings"}) {
                auto n = bundleCount("SELECT count(*) FROM " + std::string(table) + " WHERE snapshot_id = ?1", bs);
                if (!n)
                    return n.error();
                count(std::string(table) == "snapshot_facts" ? "facts" : table, *n, 0);
            }
            m_report.notes.push_back("snapshot of " + std::to_string(bs) + " was already in the case");
            auto modules = bundleCount("SELECT count(*) FROM modules WHERE snapshot_id = ?1", bs);
            m_modulesDone += modules ? std::size_t(*modules) : 0;
            return Ok{};
        }
        const std::string sid = std::to_string(*id);

        std::map<std::string, std::string> facts;
        {
            auto stmt = m_bundle.statement("SELECT key, value FROM snapshot_facts WHERE snapshot_id = ?1");
            if (!stmt)
                return stmt.error();
            stmt->bind(1, bs);
            if (auto s = stmt->forEach([&](const store::Statement &r) { facts.emplace(r.text(0), r.text(1)); }); !s)
                return s;
        }

        // Processes.
        std::int64_t processes = 0, processesWithErrors = 0;
        if (auto s = eachBundleRow(
                "SELECT pid, start_time, ppid, uid, user, name, exe, cmdline, state, kernel_thread, hidden,"
                " namespace_hint, loader_env, errors FROM processes WHERE snapshot_id = ?1 ORDER BY id",
                bs,
                [&](const store::Statement &r) {
                    ++processes;
                    if (r.text(13) != "[]")
                        ++processesWithErrors;
                    Row row;
                    row.text(key.host).raw(sid).number(r.integer(0)).number(r.integer(1)).number(r.integer(2))
                        .number(r.integer(3)).text(r.text(4)).text(r.text(5)).text(r.text(6)).text(r.text(7))
                        .text(r.text(8)).number(r.integer(9)).number(r.integer(10)).text(r.text(11)).text(r.text(12))
                        .text(r.text(13));
                    return m_processes.add(row.line());
                });
            !s)
            return s;

        // Files of the host: those not stored yet.
        {
            auto known = storedFiles(key.host);
            if (!known)
                return known.error();
            std::int64_t read = 0, fresh = 0;
            if (auto s = eachBundleRow(
                    "SELECT p.path, f.dev, f.inode, f.mtime_ns, f.size, f.ctime_ns, f.uid, f.gid, f.mode, f.owner, f.grp,"
                    " f.sha256, f.md5, f.package, f.errors FROM files f JOIN paths p ON p.id = f.path_id"
                    " WHERE f.host_id = (SELECT host_id FROM snapshots WHERE id = ?1)",
                    bs,
                    [&](const store::Statement &r) -> Status {
                        ++read;
                        const std::string fileKey = r.text(0) + '\0' + std::to_string(r.integer(1)) + '\0' +
                                                    std::to_string(r.integer(2)) + '\0' + std::to_string(r.integer(3));
                        if (!(*known)->insert(fileKey).second)
                            return Ok{};
                        ++fresh;
                        Row row;
                        row.text(key.host).text(r.text(0));
                        for (int c = 1; c <= 8; ++c)  // dev, inode, mtime_ns, size, ctime_ns, uid, gid, mode
                            row.number(r.integer(c));
                        for (int c = 9; c <= 14; ++c)  // owner, grp, sha256, md5, package, errors
                            row.text(r.text(c));
                        return m_files.add(row.line());
                    });
                !s)
                return s;
            count("files", read, fresh);
        }

        // Modules, one row per process and mapping, with what stacking and who-loads ask for.
        std::int64_t modules = 0;
        std::array<std::int64_t, 5> levels{};
        if (auto s = eachBundleRow(
                m_shapes ? "SELECT coalesce(f.sha256, ''), p.path, pr.pid, pr.start_time, pr.name, pr.exe, pr.user,"
                           " m.start, coalesce(m.dev, f.dev), coalesce(m.inode, f.inode), m.flags, m.level, v.reasons,"
                           " sh.confirmation, loadlens_absolute_ranges(m.start, sh.ranges) FROM modules m"
                           " JOIN processes pr ON pr.id = m.process_id JOIN paths p ON p.id = m.path_id"
                           " JOIN verdicts v ON v.id = m.verdict_id JOIN module_shapes sh ON sh.id = m.shape_id"
                           " LEFT JOIN files f ON f.id = m.file_id WHERE m.snapshot_id = ?1"
                         : "SELECT coalesce(f.sha256, ''), p.path, pr.pid, pr.start_time, pr.name, pr.exe, pr.user,"
                           " m.start, m.dev, m.inode, m.flags, m.level, v.reasons, m.confirmation, m.ranges FROM modules m"
                           " JOIN processes pr ON pr.id = m.process_id JOIN paths p ON p.id = m.path_id"
                           " JOIN verdicts v ON v.id = m.verdict_id LEFT JOIN files f ON f.id = m.file_id"
                           " WHERE m.snapshot_id = ?1",
                bs,
                [&](const store::Statement &r) -> Status {
                    if (m_cancelled)
                        return Ok{};
                    ++modules;
                    const Level level = store::levelFromInt(r.integer(11));
                    ++levels[static_cast<std::size_t>(level)];
                    Row row;
                    row.text(r.text(0)).text(r.text(1)).text(key.host).raw(sid).number(r.integer(2)).number(r.integer(3))
                        .text(r.text(4)).text(r.text(5)).text(r.text(6)).number(r.integer(7)).number(r.integer(8))
                        .number(r.integer(9)).number(r.integer(10)).number(static_cast<int>(level)).text(r.text(12))
                        .text(r.text(13)).text(r.text(14));
                    Status inserted = m_modules.add(row.line());
                    if (++m_modulesDone % 4096 == 0 && m_options.progress)
                        m_options.progress(m_modulesDone, m_modulesTotal, "importing " + m_report.file);
                    // Checked after a row: a cancelled import leaves rows of the snapshot but not its
                    // snapshot row, and the next import stores the whole snapshot again.
                    m_cancelled = m_options.cancel.cancelled();
                    return inserted;
                });
            !s)
            return s;
        if (m_cancelled) {
            m_report.complete = false;
            m_report.notes.push_back("cancelled; import the file again to finish it");
            return Ok{};
        }

        // The module stack of the snapshot, as store::finishSnapshot makes it for SQLite.
        if (auto s = eachBundleRow(
                "SELECT coalesce(f.sha256, ''), p.path, p.name, count(DISTINCT m.process_id), max(m.level)"
                " FROM modules m JOIN paths p ON p.id = m.path_id LEFT JOIN files f ON f.id = m.file_id"
                " WHERE m.snapshot_id = ?1 AND (m.flags & 16) = 0 AND p.path <> ''"
                " GROUP BY m.path_id, coalesce(f.sha256, '')",
                bs,
                [&](const store::Statement &r) {
                    Row row;
                    row.text(r.text(0)).text(r.text(1)).text(r.text(2)).text(key.host).raw(sid).number(r.integer(3))
                        .number(static_cast<int>(store::levelFromInt(r.integer(4))));
                    return m_stack.add(row.line());
                });
            !s)
            return s;

        std::int64_t findings = 0;
        if (auto s = eachBundleRow(
                "SELECT code, level, pid, text, technique, measure, evidence FROM findings WHERE snapshot_id = ?1", bs,
                [&](const store::Statement &r) {
                    ++findings;
                    Row row;
                    row.text(key.host).raw(sid).text(r.text(0)).number(static_cast<int>(store::levelFromInt(r.integer(1))))
                        .number(r.integer(2)).text(r.text(3)).text(r.text(4)).text(r.text(5)).text(r.text(6));
                    return m_findings.add(row.line());
                });
            !s)
            return s;

        count("snapshots", 1, 1);
        count("facts", std::int64_t(facts.size()), std::int64_t(facts.size()));
        count("processes", processes, processes);
        count("modules", modules, modules);
        count("findings", findings, findings);
        std::string levelArray = "[";
        for (std::size_t i = 0; i < levels.size(); ++i)
            levelArray += (i ? "," : "") + std::to_string(levels[i]);
        levelArray += "]";
        Row row;
        row.raw(sid).text(key.host).number(key.scannedAt).text(key.bootId).text(kernel).text(osRelease).text(machine)
            .text(stats).text(store::mapToJson(facts)).number(processes).number(processesWithErrors).number(modules)
            .raw(levelArray).number(findings).number(1).number(nowUs());
        m_finishedSnapshots.push_back(row.line());
        // Many small snapshots in one bundle: their rows wait for one flush of every table.
        if (m_finishedSnapshots.size() >= m_batchRows)
            return finish();
        return Ok{};
    }

    Client &m_client;
    const std::string &m_db;
    const store::CaseDatabase &m_bundle;
    // The bundle keeps ranges and confirmations in module_shapes (store/bundle_import.h).
    const bool m_shapes = [this] {
        auto shapes = store::bundleHasModuleShapes(m_bundle);
        return !shapes || *shapes;
    }();
    ImportReport &m_report;
    const store::BundleImportOptions &m_options;
    Batch m_snapshots, m_processes, m_files, m_modules, m_stack, m_findings;
    std::size_t m_batchRows;
    std::vector<std::string> m_finishedSnapshots;
    std::unordered_map<std::string, std::unordered_set<std::string>> m_storedFiles;
    std::size_t m_modulesDone = 0;
    std::size_t m_modulesTotal = 0;
    bool m_cancelled = false;
};

// The snapshots a case-wide question looks at: the latest complete one of each host (ties on
// the scan time: the higher id, as on SQLite), or all complete ones.
std::string chosenSql(const std::string &db, bool allSnapshots)
{
    if (allSnapshots)
        return "SELECT id FROM " + db + ".snapshots FINAL WHERE complete = 1";
    return "SELECT argMax(id, (scanned_at, id)) FROM " + db + ".snapshots FINAL WHERE complete = 1 GROUP BY host";
}

std::vector<std::int64_t> parseIntArray(std::string_view text)
{
    std::vector<std::int64_t> out;
    std::string current;
    for (char c : text) {
        if (c == '[' || c == ']' || c == ',') {
            if (!current.empty())
                out.push_back(toInt(current));
            current.clear();
        } else {
            current += c;
        }
    }
    return out;
}

} // namespace

ImportReport importBundle(Client &client, const std::string &db, const std::string &file,
                          const store::BundleImportOptions &options, std::size_t batchRows)
{
    const auto started = std::chrono::steady_clock::now();
    ImportReport report;
    report.file = file;
    report.format = "bundle";
    auto finish = [&] {
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return report;
    };
    auto fail = [&](const std::string &message) {
        report.errors.push_back(message);
        report.complete = false;
        return finish();
    };
    auto bundle = store::CaseDatabase::open(file, store::OpenMode::ReadBundle, true);
    if (!bundle)
        return fail(bundle.error().message);
    auto snapshots = store::completeBundleSnapshots(*bundle, file, report);
    if (!snapshots)
        return fail(snapshots.error().message);
    if (snapshots->empty() && report.notes.empty())
        report.notes.push_back("the bundle holds no snapshot");
    ClickHouseBundleImport import(client, db, *bundle, report, options, batchRows);
    if (auto s = import.run(*snapshots); !s)
        return fail("import of " + file + " into " + client.endpoint().display() + " stopped: " + s.error().message);
    return finish();
}

Result<std::vector<analysis::SnapshotSummary>> listSnapshots(Client &client, const std::string &db,
                                                             std::optional<std::int64_t> only)
{
    auto found = rows(client,
                      "SELECT id, host, scanned_at, boot_id, kernel, os_release, complete, processes,"
                      " processes_with_errors, findings, modules, module_levels FROM " +
                          db + ".snapshots FINAL" + (only ? " WHERE id = " + std::to_string(*only) : std::string()) +
                          " ORDER BY host, scanned_at, id",
                      12);
    if (!found)
        return found.error();
    if (only && found->empty())
        return Error{ENOENT, "no snapshot " + std::to_string(*only) + " in " + client.endpoint().display()};
    std::vector<analysis::SnapshotSummary> out;
    for (const auto &r : *found) {
        analysis::SnapshotSummary s;
        s.id = toInt(r[0]);
        s.host = r[1];
        s.scannedAt = toInt(r[2]);
        s.bootId = r[3];
        s.kernel = r[4];
        s.osRelease = r[5];
        s.complete = toInt(r[6]) != 0;
        s.processes = toInt(r[7]);
        s.processesWithErrors = toInt(r[8]);
        s.findings = toInt(r[9]);
        s.modules = toInt(r[10]);
        const auto levels = parseIntArray(r[11]);
        for (std::size_t i = 0; i < levels.size() && i < s.moduleLevels.size(); ++i)
            s.moduleLevels[i] = levels[i];
        out.push_back(std::move(s));
    }
    return out;
}

Result<analysis::StackResult> stack(Client &client, const std::string &db, const analysis::StackOptions &options)
{
    analysis::StackResult result;
    const std::string chosen = chosenSql(db, options.allSnapshots);
    auto counts = rows(client,
                       "SELECT uniqExact(host), count() FROM " + db + ".snapshots FINAL WHERE id IN (" + chosen + ")",
                       2);
    if (!counts)
        return counts.error();
    if (!counts->empty()) {
        result.hostsInCase = toInt(counts->front()[0]);
        result.snapshotsCounted = toInt(counts->front()[1]);
    }
    // Counted by the server over the per-snapshot module stack; the order is SQLite's (bytes).
    const bool byName = options.by == analysis::StackBy::Name;
    std::string sql = std::string("SELECT ") + (byName ? "name AS m, '' AS h" : "path AS m, sha256 AS h") +
                      ", uniqExact(host) AS hosts, sum(processes) AS procs, uniqExact(path, sha256), max(max_level)"
                      " FROM " + db + ".module_stack FINAL WHERE snapshot_id IN (" + chosen + ") GROUP BY m, h";
    if (options.maxHosts)
        sql += " HAVING hosts <= toInt64(" + std::to_string(*options.maxHosts) + ")";
    sql += " ORDER BY hosts, procs, m, h";
    if (options.limit > 0)
        sql += " LIMIT " + std::to_string(options.limit);
    auto found = rows(client, sql, 6);
    if (!found)
        return found.error();
    for (const auto &r : *found) {
        analysis::StackEntry e;
        e.module = r[0];
        e.sha256 = r[1];
        e.hosts = toInt(r[2]);
        e.processes = toInt(r[3]);
        e.variants = toInt(r[4]);
        e.maxLevel = store::levelFromInt(toInt(r[5]));
        result.entries.push_back(std::move(e));
    }
    return result;
}

Result<std::vector<analysis::CaseWhoLoadsHit>> whoLoads(Client &client, const std::string &db,
                                                        const std::string &needle, bool allSnapshots)
{
    if (needle.empty())
        return Error{EINVAL, "who-loads needs a non-empty name"};
    // The scan times of the snapshots (one row each), then the matching module rows.
    auto times = rows(client, "SELECT id, scanned_at FROM " + db + ".snapshots FINAL WHERE complete = 1", 2);
    if (!times)
        return times.error();
    std::unordered_map<std::int64_t, std::int64_t> scannedAt;
    for (const auto &r : *times)
        scannedAt[toInt(r[0])] = toInt(r[1]);
    // DISTINCT over the natural key rather than FINAL: the same rows without merging every part
    // of the table first (a tenth of the time on 6M module rows).
    auto found = rows(client,
                      "SELECT DISTINCT host, snapshot_id, pid, process, exe, user, path, sha256, level, start_time,"
                      " start FROM " + db + ".modules WHERE position(path, " + quote(needle) +
                          ") > 0 AND snapshot_id IN (" + chosenSql(db, allSnapshots) +
                          ") ORDER BY host, snapshot_id, pid, path, start",
                      9);
    if (!found)
        return found.error();
    std::vector<analysis::CaseWhoLoadsHit> out;
    out.reserve(found->size());
    for (const auto &r : *found) {
        analysis::CaseWhoLoadsHit h;
        h.host = r[0];
        h.snapshotId = toInt(r[1]);
        h.scannedAt = scannedAt[h.snapshotId];
        h.pid = static_cast<int>(toInt(r[2]));
        h.process = r[3];
        h.executable = r[4];
        h.user = r[5];
        h.path = r[6];
        h.sha256 = r[7];
        h.level = store::levelFromInt(toInt(r[8]));
        out.push_back(std::move(h));
    }
    std::stable_sort(out.begin(), out.end(), [](const auto &a, const auto &b) {
        return std::tie(a.host, a.scannedAt, a.pid, a.path) < std::tie(b.host, b.scannedAt, b.pid, b.path);
    });
    return out;
}

Result<analysis::SnapshotDiff> diffSnapshots(Client &client, const std::string &db, std::int64_t before,
                                             std::int64_t after)
{
    analysis::SnapshotContents contents[2];
    const std::int64_t ids[2] = {before, after};
    for (int i = 0; i < 2; ++i) {
        const std::string sid = std::to_string(ids[i]);
        auto &c = contents[i];
        auto summary = listSnapshots(client, db, ids[i]);
        if (!summary)
            return summary.error();
        c.summary = summary->front();
        auto facts = rows(client, "SELECT facts FROM " + db + ".snapshots FINAL WHERE id = " + sid, 1);
        if (!facts)
            return facts.error();
        if (!facts->empty())
            c.facts = store::mapFromJson(facts->front()[0]);
        // Per executable ("[name]" when unreadable), path and hash, as the SQLite diff groups.
        // No FINAL: a row stored twice changes neither the distinct processes nor the level.
        auto processModules = rows(client,
                                   "SELECT if(exe != '', exe, concat('[', process, ']')) AS e, path, sha256,"
                                   " uniqExact(pid, start_time), max(level) FROM " + db +
                                       ".modules WHERE snapshot_id = " + sid +
                                       " AND bitAnd(flags, 16) = 0 AND path != '' GROUP BY e, path, sha256",
                                   5);
        if (!processModules)
            return processModules.error();
        for (const auto &r : *processModules)
            c.processModules.push_back({r[0], r[1], r[2], toInt(r[3]), store::levelFromInt(toInt(r[4]))});
        auto hostModules = rows(client,
                                "SELECT path, sha256, processes, max_level FROM " + db +
                                    ".module_stack FINAL WHERE snapshot_id = " + sid,
                                4);
        if (!hostModules)
            return hostModules.error();
        for (const auto &r : *hostModules)
            c.hostModules.push_back({"", r[0], r[1], toInt(r[2]), store::levelFromInt(toInt(r[3]))});
        auto findings = rows(client,
                             "SELECT code, level, text, evidence FROM " + db + ".findings FINAL WHERE snapshot_id = " + sid,
                             4);
        if (!findings)
            return findings.error();
        for (const auto &r : *findings)
            c.findings.push_back({r[0], store::levelFromInt(toInt(r[1])), r[2], r[3]});
    }
    return analysis::diffContents(contents[0], contents[1]);
}

Result<std::map<std::int64_t, eventstats::LevelCounts>> snapshotFindingLevels(Client &client, const std::string &db)
{
    // FINAL: a finding stored twice (an import repeated before a merge) counts once.
    auto found = rows(client,
                      "SELECT snapshot_id, level, count() FROM " + db +
                          ".findings FINAL GROUP BY snapshot_id, level ORDER BY snapshot_id, level",
                      3);
    if (!found)
        return found.error();
    std::map<std::int64_t, eventstats::LevelCounts> out;
    for (const auto &r : *found) {
        auto [it, inserted] = out.try_emplace(toInt(r[0]));
        if (inserted)
            it->second.fill(0);
        it->second[static_cast<std::size_t>(store::levelFromInt(toInt(r[1])))] += toInt(r[2]);
    }
    return out;
}

Result<store::StoredSnapshot> readSnapshot(Client &client, const std::string &db, std::int64_t id)
{
    const std::string sid = std::to_string(id);
    auto snap = rows(client,
                     "SELECT host, scanned_at, boot_id, kernel, os_release, machine, stats, complete FROM " + db +
                         ".snapshots FINAL WHERE id = " + sid,
                     8);
    if (!snap)
        return snap.error();
    if (snap->empty())
        return Error{ENOENT, client.endpoint().display() + "/" + db + " has no snapshot " + sid};
    store::StoredSnapshot out;
    ScanResult &scan = out.scan;
    const auto &s = snap->front();
    scan.host.hostname = s[0];
    scan.scannedAt = toInt(s[1]);
    scan.host.bootId = s[2];
    scan.host.kernel = s[3];
    scan.host.osRelease = s[4];
    scan.host.machine = s[5];
    scan.stats = store::statsFromJson(s[6]);
    out.incomplete = toInt(s[7]) == 0;
    const std::string where = " WHERE host = " + quote(scan.host.hostname) + " AND snapshot_id = " + sid;

    auto processes = rows(client,
                          "SELECT pid, start_time, ppid, uid, user, name, exe, cmdline, state, kernel_thread, hidden,"
                          " namespace_hint, loader_env, errors FROM " + db + ".processes FINAL" + where +
                              " ORDER BY pid, start_time",
                          14);
    if (!processes)
        return processes.error();
    std::map<std::pair<std::int64_t, std::int64_t>, std::size_t> processIndex;
    for (const auto &r : *processes) {
        ProcessInfo p;
        p.pid = static_cast<int>(toInt(r[0]));
        p.startTime = static_cast<std::uint64_t>(toInt(r[1]));
        p.ppid = static_cast<int>(toInt(r[2]));
        p.uid = static_cast<std::uint32_t>(toInt(r[3]));
        p.user = r[4];
        p.name = r[5];
        p.exe = r[6];
        p.cmdline = store::stringsFromJson(r[7]);
        p.state = r[8].empty() ? '?' : r[8].front();
        p.kernelThread = toInt(r[9]) != 0;
        p.hidden = toInt(r[10]) != 0;
        p.namespaceHint = r[11];
        p.loaderEnv = store::mapFromJson(r[12]);
        p.errors = store::stringsFromJson(r[13]);
        processIndex.emplace(std::make_pair(toInt(r[0]), toInt(r[1])), scan.processes.size());
        scan.processes.push_back(std::move(p));
    }

    // DISTINCT over every column rather than FINAL (see whoLoads): the same rows, unmerged parts.
    auto modules = rows(client,
                        "SELECT DISTINCT pid, start_time, start, path, dev, inode, flags, level, reasons, confirmation,"
                        " ranges, sha256 FROM " + db + ".modules" + where + " ORDER BY pid, start_time, start",
                        12);
    if (!modules)
        return modules.error();
    // (path, dev, inode) -> digest of the mapped file, to pick its file row.
    std::map<std::tuple<std::string, std::int64_t, std::int64_t>, std::string> mapped;
    std::unordered_map<std::string, Verdict> verdicts;  // each distinct reasons text parsed once
    for (const auto &r : *modules) {
        const auto process = processIndex.find({toInt(r[0]), toInt(r[1])});
        if (process == processIndex.end())
            continue;
        ModuleRecord m;
        m.path = r[3];
        m.file = {static_cast<std::uint64_t>(toInt(r[4])), static_cast<std::uint64_t>(toInt(r[5]))};
        const std::int64_t flags = toInt(r[6]);
        m.deleted = flags & store::kFlagDeleted;
        m.memfd = flags & store::kFlagMemfd;
        m.anonymousExec = flags & store::kFlagAnonymousExec;
        m.executable = flags & store::kFlagExecutable;
        m.pseudo = flags & store::kFlagPseudo;
        const Level level = store::levelFromInt(toInt(r[7]));
        auto verdict = verdicts.find(r[8]);
        if (verdict == verdicts.end())
            verdict = verdicts.emplace(r[8], store::verdictFromJson(level, r[8])).first;
        m.verdict = verdict->second;
        m.verdict.level = level;
        m.confirmation = r[9];
        m.ranges = store::rangesFromText(r[10]);
        if (!m.anonymousExec && !m.pseudo && !m.path.empty())
            mapped.emplace(std::make_tuple(m.path, toInt(r[4]), toInt(r[5])), r[11]);
        scan.processes[process->second].modules.push_back(std::move(m));
    }

    auto files = rows(client,
                      "SELECT path, dev, inode, mtime_ns, size, ctime_ns, uid, gid, mode, owner, grp, sha256, md5,"
                      " package, errors FROM " + db + ".files FINAL WHERE host = " + quote(scan.host.hostname) +
                          " AND (path, dev, inode) IN (SELECT path, dev, inode FROM " + db + ".modules" + where + ")",
                      15);
    if (!files)
        return files.error();
    const std::int64_t scanNs = scan.scannedAt * 1'000'000'000;
    std::map<std::tuple<std::string, std::int64_t, std::int64_t>, const std::vector<std::string> *> chosen;
    for (const auto &r : *files) {
        const auto key = std::make_tuple(r[0], toInt(r[1]), toInt(r[2]));
        const auto digest = mapped.find(key);
        if (digest == mapped.end())
            continue;
        auto &best = chosen[key];
        const bool sameDigest = !digest->second.empty() && r[11] == digest->second;
        const auto better = [&](const std::vector<std::string> &a, const std::vector<std::string> &b) {
            // The row with the module's digest; else the newest not after the scan; else the oldest.
            const bool aDigest = !digest->second.empty() && a[11] == digest->second;
            const bool bDigest = !digest->second.empty() && b[11] == digest->second;
            if (aDigest != bDigest)
                return aDigest;
            const bool aBefore = toInt(a[3]) <= scanNs, bBefore = toInt(b[3]) <= scanNs;
            if (aBefore != bBefore)
                return aBefore;
            return aBefore ? toInt(a[3]) > toInt(b[3]) : toInt(a[3]) < toInt(b[3]);
        };
        if (!best || better(r, *best) || (sameDigest && best->at(11) != digest->second))
            best = &r;
    }
    for (const auto &[key, r] : chosen) {
        FileFacts f;
        f.path = (*r)[0];
        f.key = {static_cast<std::uint64_t>(toInt((*r)[1])), static_cast<std::uint64_t>(toInt((*r)[2]))};
        f.mtimeNs = toInt((*r)[3]);
        f.size = static_cast<std::uint64_t>(toInt((*r)[4]));
        f.ctimeNs = toInt((*r)[5]);
        f.uid = static_cast<std::uint32_t>(toInt((*r)[6]));
        f.gid = static_cast<std::uint32_t>(toInt((*r)[7]));
        f.mode = static_cast<std::uint32_t>(toInt((*r)[8]));
        f.ownerName = (*r)[9];
        f.groupName = (*r)[10];
        f.sha256 = (*r)[11];
        f.md5 = (*r)[12];
        f.package = (*r)[13];
        f.errors = store::stringsFromJson((*r)[14]);
        scan.files.emplace(f.key, std::move(f));
    }

    auto findings = rows(client,
                         "SELECT code, level, pid, text, technique, measure, evidence FROM " + db + ".findings FINAL" +
                             where + " ORDER BY code, pid, evidence",
                         7);
    if (!findings)
        return findings.error();
    for (const auto &r : *findings) {
        Finding f;
        f.code = r[0];
        f.level = store::levelFromInt(toInt(r[1]));
        f.pid = static_cast<int>(toInt(r[2]));
        f.text = r[3];
        f.technique = r[4];
        f.measure = r[5];
        f.evidence = store::evidenceFromJson(r[6]);
        scan.findings.push_back(std::move(f));
    }
    if (out.incomplete)
        scan.stats.cancelled = true;
    return out;
}

} // namespace loadlens::casestore::detail
