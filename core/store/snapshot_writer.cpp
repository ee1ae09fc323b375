#include "store/snapshot_writer.h"

#include "store/json_codec.h"
#include "store/module_ranges.h"

#include <cinttypes>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace loadlens::store {

namespace {

std::string statsJson(const ScanStats &s)
{
    nlohmann::json out = {{"processes_listed", s.processesListed},   {"processes_scanned", s.processesScanned},
                          {"processes_inaccessible", s.processesInaccessible},
                          {"processes_vanished", s.processesVanished}, {"unique_files", s.uniqueFiles},
                          {"modules", s.modules},                     {"cancelled", s.cancelled},
                          {"error_counts", s.errorCounts}};
    return out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::int64_t i64(std::uint64_t v) { return static_cast<std::int64_t>(v); }

} // namespace

std::int64_t moduleFlags(const ModuleRecord &m)
{
    return (m.deleted ? kFlagDeleted : 0) | (m.memfd ? kFlagMemfd : 0) | (m.anonymousExec ? kFlagAnonymousExec : 0) |
           (m.executable ? kFlagExecutable : 0) | (m.pseudo ? kFlagPseudo : 0);
}

std::string moduleName(const std::string &path)
{
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

Result<std::int64_t> SnapshotWriter::pathId(const std::string &path)
{
    if (auto it = m_paths.find(path); it != m_paths.end())
        return it->second;
    auto upsert = m_db.statement("INSERT INTO paths(path, name) VALUES(?1, ?2) ON CONFLICT(path) DO UPDATE SET"
                                 " path = path RETURNING id");
    if (!upsert)
        return upsert.error();
    auto id = upsert->bind(1, path).bind(2, moduleName(path)).returnedId();
    if (id)
        m_paths.emplace(path, *id);
    return id;
}

Result<std::int64_t> SnapshotWriter::verdictId(const Verdict &verdict)
{
    std::string reasons = reasonsToJson(verdict);
    if (auto it = m_verdicts.find(reasons); it != m_verdicts.end())
        return it->second;
    auto upsert = m_db.statement("INSERT INTO verdicts(level, reasons) VALUES(?1, ?2) ON CONFLICT(reasons) DO UPDATE SET"
                                 " reasons = reasons RETURNING id");
    if (!upsert)
        return upsert.error();
    auto id = upsert->bind(1, std::int64_t(verdict.level)).bind(2, reasons).returnedId();
    if (id)
        m_verdicts.emplace(std::move(reasons), *id);
    return id;
}

Result<std::int64_t> SnapshotWriter::shapeId(const std::string &confirmation, const std::string &ranges)
{
    std::string key = confirmation;
    key += '\0';
    key += ranges;
    if (auto it = m_shapes.find(key); it != m_shapes.end())
        return it->second;
    auto upsert = m_db.statement("INSERT INTO module_shapes(confirmation, ranges) VALUES(?1, ?2) ON CONFLICT(confirmation, ranges) DO UPDATE"
                                 " SET ranges = ranges RETURNING id");
    if (!upsert)
        return upsert.error();
    auto id = upsert->bind(1, confirmation).bind(2, ranges).returnedId();
    if (id)
        m_shapes.emplace(std::move(key), *id);
    return id;
}

Result<std::int64_t> SnapshotWriter::writeFile(std::int64_t hostId, const FileFacts &f)
{
    auto path = pathId(f.path);
    if (!path)
        return path.error();
    auto insert = m_db.statement(
        "INSERT INTO files(host_id, path_id, dev, inode, mtime_ns, size, ctime_ns, uid, gid, mode, owner, grp,"
        " sha256, md5, package, errors) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)"
        " ON CONFLICT DO UPDATE SET sha256 = excluded.sha256 WHERE sha256 = '' RETURNING id");
    if (!insert)
        return insert.error();
    insert->bind(1, hostId).bind(2, *path).bind(3, i64(f.key.dev)).bind(4, i64(f.key.inode)).bind(5, f.mtimeNs);
    insert->bind(6, i64(f.size)).bind(7, f.ctimeNs).bind(8, std::int64_t(f.uid)).bind(9, std::int64_t(f.gid));
    insert->bind(10, std::int64_t(f.mode)).bind(11, f.ownerName).bind(12, f.groupName).bind(13, f.sha256);
    insert->bind(14, f.md5).bind(15, f.package).bind(16, stringsToJson(f.errors));
    auto row = insert->step();
    if (!row)
        return row.error();
    if (*row)
        return insert->integer(0);
    // The same file was stored by an earlier snapshot of this host with its digest already.
    auto find = m_db.statement("SELECT id FROM files WHERE host_id = ?1 AND path_id = ?2 AND dev = ?3 AND inode = ?4"
                               " AND mtime_ns = ?5");
    if (!find)
        return find.error();
    find->bind(1, hostId).bind(2, *path).bind(3, i64(f.key.dev)).bind(4, i64(f.key.inode)).bind(5, f.mtimeNs);
    auto found = find->step();
    if (!found)
        return found.error();
    if (!*found)
        return m_db.error("file row vanished while writing");
    return find->integer(0);
}

Result<std::int64_t> SnapshotWriter::writeProcess(std::int64_t snapshotId, const ProcessInfo &p)
{
    auto insert = m_db.statement(
        "INSERT INTO processes(snapshot_id, pid, start_time, ppid, uid, user, name, exe, cmdline, state,"
        " kernel_thread, hidden, namespace_hint, loader_env, errors)"
        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)");
    if (!insert)
        return insert.error();
    insert->bind(1, snapshotId).bind(2, std::int64_t(p.pid)).bind(3, i64(p.startTime)).bind(4, std::int64_t(p.ppid));
    insert->bind(5, std::int64_t(p.uid)).bind(6, p.user).bind(7, p.name).bind(8, p.exe);
    insert->bind(9, stringsToJson(p.cmdline)).bind(10, std::string(1, p.state));
    insert->bind(11, std::int64_t(p.kernelThread)).bind(12, std::int64_t(p.hidden)).bind(13, p.namespaceHint);
    insert->bind(14, mapToJson(p.loaderEnv)).bind(15, stringsToJson(p.errors));
    if (auto done = insert->run(); !done)
        return done.error();
    return m_db.lastInsertId();
}

Result<std::int64_t> SnapshotWriter::writeSnapshotRow(const ScanResult &scan)
{
    auto host = m_db.statement("INSERT INTO hosts(name) VALUES(?1) ON CONFLICT(name) DO UPDATE SET name = name RETURNING id");
    if (!host)
        return host.error();
    auto hostId = host->bind(1, scan.host.hostname).returnedId();
    if (!hostId)
        return hostId.error();
    auto snap = m_db.statement("INSERT INTO snapshots(host_id, scanned_at, boot_id, kernel, os_release, machine, stats)"
                               " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    if (!snap)
        return snap.error();
    snap->bind(1, *hostId).bind(2, scan.scannedAt).bind(3, scan.host.bootId).bind(4, scan.host.kernel);
    snap->bind(5, scan.host.osRelease).bind(6, scan.host.machine).bind(7, statsJson(scan.stats));
    if (auto done = snap->run(); !done)
        return Error{0, "cannot add the snapshot of " + scan.host.hostname + " at " + std::to_string(scan.scannedAt) +
                            " to " + m_db.path() + ": " + done.error().message};
    return m_db.lastInsertId();
}

Result<std::int64_t> SnapshotWriter::write(const ScanResult &scan, const HostFacts &facts)
{
    // Ids cached from a rolled-back transaction would point nowhere.
    m_paths.clear();
    m_verdicts.clear();
    m_shapes.clear();
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto snapshotId = writeSnapshotRow(scan);
    if (!snapshotId)
        return snapshotId.error();
    auto hostId = m_db.queryInt("SELECT host_id FROM snapshots WHERE id = " + std::to_string(*snapshotId));
    if (!hostId)
        return hostId.error();

    for (const auto &[key, value] : facts) {
        auto insert = m_db.statement("INSERT INTO snapshot_facts(snapshot_id, key, value) VALUES(?1, ?2, ?3)");
        if (!insert)
            return insert.error();
        if (auto done = insert->bind(1, *snapshotId).bind(2, key).bind(3, value).run(); !done)
            return done.error();
    }
    std::map<FileKey, std::int64_t> fileIds;
    for (const auto &[key, file] : scan.files) {
        auto id = writeFile(*hostId, file);
        if (!id)
            return id.error();
        fileIds.emplace(key, *id);
    }
    for (const auto &p : scan.processes) {
        auto processId = writeProcess(*snapshotId, p);
        if (!processId)
            return processId.error();
        for (const auto &m : p.modules) {
            auto path = pathId(m.path);
            if (!path)
                return path.error();
            auto verdict = verdictId(m.verdict);
            if (!verdict)
                return verdict.error();
            const std::uint64_t start = m.ranges.empty() ? 0 : m.ranges.front().start;
            auto shape = shapeId(m.confirmation, rangesText(m.ranges, start));
            if (!shape)
                return shape.error();
            auto insert = m_db.statement(
                "INSERT OR IGNORE INTO modules(snapshot_id, process_id, path_id, start, file_id, dev, inode, flags, level,"
                " verdict_id, shape_id) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
            if (!insert)
                return insert.error();
            insert->bind(1, *snapshotId).bind(2, *processId).bind(3, *path).bind(4, i64(start));
            // dev and inode are the file row's where one is named (readers take them from there).
            if (auto file = fileIds.find(m.file); file != fileIds.end() && !m.anonymousExec && !m.pseudo)
                insert->bind(5, file->second).bindNull(6).bindNull(7);
            else
                insert->bindNull(5).bind(6, i64(m.file.dev)).bind(7, i64(m.file.inode));
            insert->bind(8, moduleFlags(m)).bind(9, std::int64_t(m.verdict.level)).bind(10, *verdict).bind(11, *shape);
            if (auto done = insert->run(); !done)
                return done.error();
        }
    }
    for (const auto &f : scan.findings) {
        auto insert = m_db.statement("INSERT OR IGNORE INTO findings(snapshot_id, code, level, pid, text, technique,"
                                     " measure, evidence) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
        if (!insert)
            return insert.error();
        insert->bind(1, *snapshotId).bind(2, f.code).bind(3, std::int64_t(f.level)).bind(4, std::int64_t(f.pid));
        insert->bind(5, f.text).bind(6, f.technique).bind(7, f.measure).bind(8, evidenceToJson(f.evidence));
        if (auto done = insert->run(); !done)
            return done.error();
    }
    if (auto s = finishSnapshot(m_db, *snapshotId); !s)
        return s.error();
    if (auto s = tx->commit(); !s)
        return s.error();
    return *snapshotId;
}

Status finishSnapshot(const CaseDatabase &db, std::int64_t snapshotId)
{
    // Kernel-provided code ([vdso]) and nameless anonymous regions are not modules one can stack.
    // Grouped by file first (integer keys, a few hundred groups), then by SHA-256; only where
    // one path has several files with the same digest are its processes counted again, over
    // the module rows, so that a process mapping two of them counts once.
    auto stack = db.statement(
        "INSERT OR REPLACE INTO snapshot_module_stack(snapshot_id, path_id, sha256, processes, max_level)"
        " WITH per_file AS (SELECT path_id, file_id, count(DISTINCT process_id) AS processes, max(level) AS level"
        "  FROM modules WHERE snapshot_id = ?1 AND (flags & 16) = 0 GROUP BY path_id, file_id),"
        " keyed AS (SELECT g.path_id, coalesce(f.sha256, '') AS sha256, g.processes, g.level FROM per_file g"
        "  JOIN paths p ON p.id = g.path_id LEFT JOIN files f ON f.id = g.file_id WHERE p.path <> '')"
        " SELECT ?1, k.path_id, k.sha256, CASE WHEN count(*) = 1 THEN sum(k.processes) ELSE"
        "  (SELECT count(DISTINCT m.process_id) FROM modules m LEFT JOIN files f ON f.id = m.file_id"
        "   WHERE m.snapshot_id = ?1 AND m.path_id = k.path_id AND (m.flags & 16) = 0"
        "   AND coalesce(f.sha256, '') = k.sha256) END, max(k.level)"
        " FROM keyed k GROUP BY k.path_id, k.sha256");
    if (!stack)
        return stack.error();
    if (auto done = stack->bind(1, snapshotId).run(); !done)
        return done.error();
    auto complete = db.statement("UPDATE snapshots SET complete = 1 WHERE id = ?1");
    if (!complete)
        return complete.error();
    if (auto done = complete->bind(1, snapshotId).run(); !done)
        return done.error();
    return Ok{};
}

} // namespace loadlens::store
