#include "store/bundle_import.h"

#include "common/log.h"
#include "store/snapshot_writer.h"

#include <chrono>
#include <sqlite3.h>
#include <sys/stat.h>

namespace loadlens::store {

namespace {

// ATTACH takes a URI so the bundle can be attached read-only; every byte outside the
// unreserved set is percent-encoded.
std::string fileUri(const std::string &path)
{
    static const char *hex = "0123456789ABCDEF";
    std::string out = "file:";
    for (unsigned char c : path) {
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '/' || c == '-' ||
            c == '_' || c == '.' || c == '~') {
            out += char(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out + "?mode=ro";
}

class Attached {
public:
    explicit Attached(const CaseDatabase &db) : m_db(db) {}
    ~Attached()
    {
        if (m_attached)
            sqlite3_exec(m_db.handle(), "DETACH DATABASE bundle", nullptr, nullptr, nullptr);
    }
    Status attach(const std::string &file)
    {
        sqlite3_stmt *raw = nullptr;
        if (sqlite3_prepare_v2(m_db.handle(), "ATTACH DATABASE ?1 AS bundle", -1, &raw, nullptr) != SQLITE_OK)
            return m_db.error("cannot attach " + file + " to");
        const std::string uri = fileUri(file);
        sqlite3_bind_text(raw, 1, uri.c_str(), int(uri.size()), SQLITE_TRANSIENT);
        const int rc = sqlite3_step(raw);
        sqlite3_finalize(raw);
        if (rc != SQLITE_DONE)
            return m_db.error("cannot attach " + file + " to");
        m_attached = true;
        return Ok{};
    }

private:
    const CaseDatabase &m_db;
    bool m_attached = false;
};

// One bundle's import: counters and the statements that copy rows through the id maps.
class BundleImport {
public:
    BundleImport(const CaseDatabase &db, ImportReport &report, const BundleImportOptions &options, bool shapes)
        : m_db(db), m_report(report), m_options(options), m_shapes(shapes)
    {
    }

    Status run(const std::vector<std::int64_t> &snapshots);

private:
    // Runs an INSERT ... SELECT that copies `read` bundle rows of `kind`; counts imported/duplicates.
    Status copy(const std::string &kind, std::int64_t read, Statement &insert);
    Result<std::int64_t> count(const std::string &sql, std::int64_t a, std::int64_t b = 0, std::int64_t c = 0);
    Status prepareMaps();
    Status importSnapshot(std::int64_t bundleSnapshot);
    Status importProcesses(std::int64_t bundleSnapshot, std::int64_t caseSnapshot, std::int64_t lo, std::int64_t hi);

    const CaseDatabase &m_db;
    ImportReport &m_report;
    const BundleImportOptions &m_options;
    // The bundle keeps module ranges and confirmations in module_shapes (schema 4 on); older
    // bundles have them in each module row, absolute.
    const bool m_shapes;
    std::size_t m_processesDone = 0;
    std::size_t m_processesTotal = 0;
};

Result<std::int64_t> BundleImport::count(const std::string &sql, std::int64_t a, std::int64_t b, std::int64_t c)
{
    auto stmt = m_db.statement(sql);
    if (!stmt)
        return stmt.error();
    stmt->bind(1, a);
    if (sql.find("?2") != std::string::npos)
        stmt->bind(2, b);
    if (sql.find("?3") != std::string::npos)
        stmt->bind(3, c);
    auto row = stmt->step();
    if (!row)
        return row.error();
    return *row ? stmt->integer(0) : 0;
}

Status BundleImport::copy(const std::string &kind, std::int64_t read, Statement &insert)
{
    auto changed = insert.run();
    if (!changed)
        return changed.error();
    m_report.recordsRead += std::uint64_t(read);
    m_report.imported += std::uint64_t(*changed);
    m_report.duplicates += std::uint64_t(std::max<std::int64_t>(0, read - *changed));
    m_report.countsByKind[kind] += std::uint64_t(read);
    return Ok{};
}

Status BundleImport::prepareMaps()
{
    return m_db.exec(
        "CREATE TEMP TABLE IF NOT EXISTS import_path_map(bundle_id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL);"
        "CREATE TEMP TABLE IF NOT EXISTS import_verdict_map(bundle_id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL);"
        "CREATE TEMP TABLE IF NOT EXISTS import_file_map(bundle_id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL);"
        "CREATE TEMP TABLE IF NOT EXISTS import_process_map(bundle_id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL);"
        "CREATE TEMP TABLE IF NOT EXISTS import_shape_map(bundle_id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL);"
        "DELETE FROM import_path_map; DELETE FROM import_verdict_map; DELETE FROM import_file_map;"
        "DELETE FROM import_process_map; DELETE FROM import_shape_map;");
}

Status BundleImport::importSnapshot(std::int64_t bs)
{
    std::int64_t cs = 0;
    std::int64_t hostId = 0;
    {
        auto tx = Transaction::begin(m_db);
        if (!tx)
            return tx.error();
        if (auto s = prepareMaps(); !s)
            return s;
        auto host = m_db.statement("INSERT INTO hosts(name) SELECT h.name FROM bundle.snapshots s JOIN bundle.hosts h"
                                   " ON h.id = s.host_id WHERE s.id = ?1 ON CONFLICT(name) DO UPDATE SET name = name"
                                   " RETURNING id");
        if (!host)
            return host.error();
        auto hostRow = host->bind(1, bs).step();
        if (!hostRow)
            return hostRow.error();
        if (!*hostRow)
            return Error{0, "snapshot " + std::to_string(bs) + " of " + m_report.file + " names no host"};
        hostId = host->integer(0);
        host->reset();

        auto snapshot = m_db.statement(
            "INSERT OR IGNORE INTO snapshots(host_id, scanned_at, boot_id, kernel, os_release, machine, stats, complete)"
            " SELECT ?1, scanned_at, boot_id, kernel, os_release, machine, stats, 0 FROM bundle.snapshots WHERE id = ?2");
        if (!snapshot)
            return snapshot.error();
        snapshot->bind(1, hostId).bind(2, bs);
        if (auto s = copy("snapshots", 1, *snapshot); !s)
            return s;
        auto existing = m_db.statement("SELECT c.id, c.complete FROM snapshots c JOIN bundle.snapshots b"
                                       " ON c.scanned_at = b.scanned_at AND c.boot_id = b.boot_id WHERE b.id = ?1 AND c.host_id = ?2");
        if (!existing)
            return existing.error();
        auto row = existing->bind(1, bs).bind(2, hostId).step();
        if (!row || !*row)
            return row ? m_db.error("snapshot row missing after insert in") : row.error();
        cs = existing->integer(0);
        const bool alreadyComplete = existing->integer(1) != 0;
        existing->reset();
        if (alreadyComplete) {
            // Imported before: everything in it is a duplicate.
            for (const char *table : {"snapshot_facts", "processes", "modules", "findings"}) {
                auto n = count("SELECT count(*) FROM bundle." + std::string(table) + " WHERE snapshot_id = ?1", bs);
                if (!n)
                    return n.error();
                const std::string kind = std::string(table) == "snapshot_facts" ? "facts" : table;
                m_report.recordsRead += std::uint64_t(*n);
                m_report.duplicates += std::uint64_t(*n);
                m_report.countsByKind[kind] += std::uint64_t(*n);
            }
            m_report.notes.push_back("snapshot of " + std::to_string(bs) + " was already in the case");
            return tx->commit();
        }

        const std::string bundleHost = "(SELECT host_id FROM bundle.snapshots WHERE id = ?2)";
        struct Step {
            const char *kind;  // counted as records of this kind; nullptr for the id maps
            std::string countSql;
            std::string sql;
            bool hostScoped = false;  // ?1 is the case host (files) rather than the case snapshot
        };
        std::vector<Step> steps = {
            {"facts", "SELECT count(*) FROM bundle.snapshot_facts WHERE snapshot_id = ?1",
             "INSERT OR IGNORE INTO snapshot_facts(snapshot_id, key, value) SELECT ?1, key, value"
             " FROM bundle.snapshot_facts WHERE snapshot_id = ?2"},
            {nullptr, "", "INSERT OR IGNORE INTO paths(path, name) SELECT path, name FROM bundle.paths"},
            {nullptr, "", "INSERT INTO import_path_map SELECT b.id, c.id FROM bundle.paths b JOIN main.paths c ON c.path = b.path"},
            {nullptr, "", "INSERT OR IGNORE INTO verdicts(level, reasons) SELECT level, reasons FROM bundle.verdicts"},
            {nullptr, "", "INSERT INTO import_verdict_map SELECT b.id, c.id FROM bundle.verdicts b"
                          " JOIN main.verdicts c ON c.reasons = b.reasons"},
            {"files", "SELECT count(*) FROM bundle.files WHERE host_id = (SELECT host_id FROM bundle.snapshots WHERE id = ?1)",
             "INSERT OR IGNORE INTO files(host_id, path_id, dev, inode, mtime_ns, size, ctime_ns, uid, gid, mode, owner,"
             " grp, sha256, md5, package, errors) SELECT ?1, m.case_id, dev, inode, mtime_ns, size, ctime_ns, uid, gid,"
             " mode, owner, grp, sha256, md5, package, errors FROM bundle.files b JOIN import_path_map m"
             " ON m.bundle_id = b.path_id WHERE b.host_id = " + bundleHost, true},
            {nullptr, "", "INSERT INTO import_file_map SELECT b.id, c.id FROM bundle.files b JOIN import_path_map m"
                          " ON m.bundle_id = b.path_id JOIN main.files c ON c.host_id = ?1 AND c.path_id = m.case_id"
                          " AND c.dev = b.dev AND c.inode = b.inode AND c.mtime_ns = b.mtime_ns WHERE b.host_id = " + bundleHost,
             true},
            {"findings", "SELECT count(*) FROM bundle.findings WHERE snapshot_id = ?1",
             "INSERT OR IGNORE INTO findings(snapshot_id, code, level, pid, text, technique, measure, evidence)"
             " SELECT ?1, code, level, pid, text, technique, measure, evidence FROM bundle.findings WHERE snapshot_id = ?2"},
        };
        if (m_shapes) {
            steps.push_back({nullptr, "", "INSERT OR IGNORE INTO module_shapes(confirmation, ranges) SELECT confirmation,"
                                          " ranges FROM bundle.module_shapes"});
            steps.push_back({nullptr, "", "INSERT INTO import_shape_map SELECT b.id, c.id FROM bundle.module_shapes b"
                                          " JOIN main.module_shapes c ON c.confirmation = b.confirmation AND c.ranges = b.ranges"});
        } else {
            steps.push_back({nullptr, "", "INSERT OR IGNORE INTO module_shapes(confirmation, ranges) SELECT DISTINCT"
                                          " confirmation, loadlens_relative_ranges(start, ranges) FROM bundle.modules"
                                          " WHERE snapshot_id = ?2"});
        }
        for (const auto &step : steps) {
            auto stmt = m_db.statement(step.sql);
            if (!stmt)
                return stmt.error();
            if (step.sql.find("?1") != std::string::npos)
                stmt->bind(1, step.hostScoped ? hostId : cs);
            if (step.sql.find("?2") != std::string::npos)
                stmt->bind(2, bs);
            if (!step.kind) {
                if (auto done = stmt->run(); !done)
                    return done.error();
                continue;
            }
            auto n = count(step.countSql, bs);
            if (!n)
                return n.error();
            if (auto s = copy(step.kind, *n, *stmt); !s)
                return s;
        }
        if (auto s = tx->commit(); !s)
            return s;
    }

    std::vector<std::int64_t> processIds;
    {
        auto ids = m_db.statement("SELECT id FROM bundle.processes WHERE snapshot_id = ?1 ORDER BY id");
        if (!ids)
            return ids.error();
        ids->bind(1, bs);
        for (;;) {
            auto row = ids->step();
            if (!row)
                return row.error();
            if (!*row)
                break;
            processIds.push_back(ids->integer(0));
        }
    }
    const std::size_t perBatch = std::max<std::size_t>(1, m_options.processesPerBatch);
    for (std::size_t i = 0; i < processIds.size(); i += perBatch) {
        if (m_options.cancel.cancelled()) {
            m_report.complete = false;
            m_report.notes.push_back("cancelled; import the file again to finish it");
            return Ok{};
        }
        const std::size_t last = std::min(processIds.size(), i + perBatch) - 1;
        if (auto s = importProcesses(bs, cs, processIds[i], processIds[last]); !s)
            return s;
        m_processesDone += last - i + 1;
        if (m_options.progress)
            m_options.progress(m_processesDone, m_processesTotal, "importing " + m_report.file);
    }
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    if (auto s = finishSnapshot(m_db, cs); !s)
        return s;
    return tx->commit();
}

Status BundleImport::importProcesses(std::int64_t bs, std::int64_t cs, std::int64_t lo, std::int64_t hi)
{
    auto tx = Transaction::begin(m_db);
    if (!tx)
        return tx.error();
    auto processes = m_db.statement(
        "INSERT OR IGNORE INTO processes(snapshot_id, pid, start_time, ppid, uid, user, name, exe, cmdline, state,"
        " kernel_thread, hidden, namespace_hint, loader_env, errors) SELECT ?1, pid, start_time, ppid, uid, user, name,"
        " exe, cmdline, state, kernel_thread, hidden, namespace_hint, loader_env, errors FROM bundle.processes"
        " WHERE snapshot_id = ?2 AND id BETWEEN ?3 AND ?4 ORDER BY id");
    if (!processes)
        return processes.error();
    processes->bind(1, cs).bind(2, bs).bind(3, lo).bind(4, hi);
    auto processCount = count("SELECT count(*) FROM bundle.processes WHERE snapshot_id = ?1 AND id BETWEEN ?2 AND ?3", bs, lo, hi);
    if (!processCount)
        return processCount.error();
    if (auto s = copy("processes", *processCount, *processes); !s)
        return s;

    auto map = m_db.statement("INSERT OR REPLACE INTO import_process_map SELECT b.id, c.id FROM bundle.processes b"
                              " JOIN main.processes c ON c.snapshot_id = ?1 AND c.pid = b.pid AND c.start_time = b.start_time"
                              " WHERE b.snapshot_id = ?2 AND b.id BETWEEN ?3 AND ?4");
    if (!map)
        return map.error();
    if (auto done = map->bind(1, cs).bind(2, bs).bind(3, lo).bind(4, hi).run(); !done)
        return done.error();

    // dev and inode stay NULL where the module names a file with the same ones (the reader takes
    // the file's); a bundle row whose file is not mapped keeps them.
    const char *kNewLayout =
        "INSERT OR IGNORE INTO modules(snapshot_id, process_id, path_id, start, file_id, dev, inode, flags, level,"
        " verdict_id, shape_id) SELECT ?1, pm.case_id, path.case_id, b.start, fm.case_id,"
        " CASE WHEN b.dev IS NULL AND fm.case_id IS NULL THEN (SELECT dev FROM bundle.files WHERE id = b.file_id) ELSE b.dev END,"
        " CASE WHEN b.inode IS NULL AND fm.case_id IS NULL THEN (SELECT inode FROM bundle.files WHERE id = b.file_id) ELSE b.inode END,"
        " b.flags, b.level, vm.case_id, sm.case_id FROM bundle.modules b"
        " JOIN import_process_map pm ON pm.bundle_id = b.process_id"
        " JOIN import_path_map path ON path.bundle_id = b.path_id"
        " JOIN import_verdict_map vm ON vm.bundle_id = b.verdict_id"
        " JOIN import_shape_map sm ON sm.bundle_id = b.shape_id"
        " LEFT JOIN import_file_map fm ON fm.bundle_id = b.file_id"
        " WHERE b.snapshot_id = ?2 AND b.process_id BETWEEN ?3 AND ?4";
    const char *kOldLayout =
        "INSERT OR IGNORE INTO modules(snapshot_id, process_id, path_id, start, file_id, dev, inode, flags, level,"
        " verdict_id, shape_id) SELECT ?1, pm.case_id, path.case_id, b.start, fm.case_id,"
        " CASE WHEN fm.case_id IS NOT NULL AND bf.dev = b.dev AND bf.inode = b.inode THEN NULL ELSE b.dev END,"
        " CASE WHEN fm.case_id IS NOT NULL AND bf.dev = b.dev AND bf.inode = b.inode THEN NULL ELSE b.inode END,"
        " b.flags, b.level, vm.case_id, sh.id FROM bundle.modules b"
        " JOIN import_process_map pm ON pm.bundle_id = b.process_id"
        " JOIN import_path_map path ON path.bundle_id = b.path_id"
        " JOIN import_verdict_map vm ON vm.bundle_id = b.verdict_id"
        " JOIN main.module_shapes sh ON sh.confirmation = b.confirmation"
        " AND sh.ranges = loadlens_relative_ranges(b.start, b.ranges)"
        " LEFT JOIN import_file_map fm ON fm.bundle_id = b.file_id LEFT JOIN bundle.files bf ON bf.id = b.file_id"
        " WHERE b.snapshot_id = ?2 AND b.process_id BETWEEN ?3 AND ?4 ORDER BY 2, 3, 4";
    auto modules = m_db.statement(m_shapes ? kNewLayout : kOldLayout);
    if (!modules)
        return modules.error();
    modules->bind(1, cs).bind(2, bs).bind(3, lo).bind(4, hi);
    auto moduleCount = count("SELECT count(*) FROM bundle.modules WHERE snapshot_id = ?1 AND process_id BETWEEN ?2 AND ?3", bs, lo, hi);
    if (!moduleCount)
        return moduleCount.error();
    if (auto s = copy("modules", *moduleCount, *modules); !s)
        return s;
    return tx->commit();
}

Status BundleImport::run(const std::vector<std::int64_t> &snapshots)
{
    for (std::int64_t bs : snapshots) {
        auto n = count("SELECT count(*) FROM bundle.processes WHERE snapshot_id = ?1", bs);
        if (!n)
            return n.error();
        m_processesTotal += std::size_t(*n);
    }
    for (std::int64_t bs : snapshots) {
        if (auto s = importSnapshot(bs); !s)
            return s;
        if (!m_report.complete)
            break;
    }
    return Ok{};
}

} // namespace

Result<std::vector<std::int64_t>> completeBundleSnapshots(const CaseDatabase &bundle, const std::string &file,
                                                          ImportReport &report)
{
    auto dangling = bundle.queryInt("SELECT count(*) FROM pragma_foreign_key_check");
    if (!dangling)
        return dangling.error();
    if (*dangling > 0)
        return Error{0, "cannot import " + file + ": " + std::to_string(*dangling) + " rows refer to rows that are not there"};
    auto list = bundle.statement("SELECT id, complete FROM snapshots ORDER BY id");
    if (!list)
        return list.error();
    std::vector<std::int64_t> out;
    for (;;) {
        auto row = list->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        if (list->integer(1) != 0)
            out.push_back(list->integer(0));
        else
            report.notes.push_back("snapshot " + std::to_string(list->integer(0)) +
                                   " of the bundle is incomplete (its collection was interrupted) and was left out");
    }
    return out;
}

Result<bool> bundleHasModuleShapes(const CaseDatabase &bundle)
{
    // By the columns rather than the schema version: a file's tables are what they are.
    auto n = bundle.queryInt("SELECT count(*) FROM pragma_table_info('modules') WHERE name = 'shape_id'");
    if (!n)
        return n.error();
    return *n > 0;
}

namespace {

// Checks the bundle on its own connection (read-only, verified) and lists its complete
// snapshots; an incomplete one (collect interrupted) is noted and left out.
Result<std::vector<std::int64_t>> validateBundle(const CaseDatabase &db, const std::string &file, ImportReport &report,
                                                 bool &shapes)
{
    struct stat bundleSt {}, caseSt {};
    if (::stat(file.c_str(), &bundleSt) == 0 && ::stat(db.path().c_str(), &caseSt) == 0 &&
        bundleSt.st_dev == caseSt.st_dev && bundleSt.st_ino == caseSt.st_ino)
        return Error{EINVAL, "cannot import " + file + " into itself"};
    auto bundle = CaseDatabase::open(file, OpenMode::ReadBundle, true);
    if (!bundle)
        return bundle.error();
    auto layout = bundleHasModuleShapes(*bundle);
    if (!layout)
        return layout.error();
    shapes = *layout;
    return completeBundleSnapshots(*bundle, file, report);
}

} // namespace

ImportReport importBundle(const CaseDatabase &db, const std::string &file, const BundleImportOptions &options)
{
    const auto started = std::chrono::steady_clock::now();
    ImportReport report;
    report.file = file;
    report.format = "bundle";
    auto finish = [&] {
        report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
        return report;
    };
    auto fail = [&](const Error &e) {
        report.errors.push_back(e.message);
        report.complete = false;
        log::get("store")->warn("{}", e.message);
        return finish();
    };
    if (db.readOnly())
        return fail(Error{EROFS, "cannot import into " + db.path() + ": opened read-only"});
    bool shapes = true;
    auto snapshots = validateBundle(db, file, report, shapes);
    if (!snapshots)
        return fail(snapshots.error());
    if (snapshots->empty() && report.notes.empty())
        report.notes.push_back("the bundle holds no snapshot");
    Attached attached(db);
    if (auto s = attached.attach(file); !s)
        return fail(s.error());
    BundleImport import(db, report, options, shapes);
    if (auto s = import.run(*snapshots); !s)
        return fail(Error{s.error().code, "import of " + file + " stopped: " + s.error().message});
    return finish();
}

} // namespace loadlens::store
