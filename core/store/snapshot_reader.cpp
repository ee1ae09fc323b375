#include "store/snapshot_reader.h"

#include "store/json_codec.h"
#include "store/snapshot_writer.h"

#include <charconv>
#include <map>
#include <nlohmann/json.hpp>
#include <string_view>
#include <unordered_map>

namespace loadlens::store {

namespace {

std::uint64_t u64(std::int64_t v) { return static_cast<std::uint64_t>(v); }

} // namespace

ScanStats statsFromJson(const std::string &text)
{
    ScanStats s;
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object())
        return s;
    auto integer = [&](const char *key) {
        const auto it = j.find(key);
        return it != j.end() && it->is_number_integer() ? it->get<int>() : 0;
    };
    s.processesListed = integer("processes_listed");
    s.processesScanned = integer("processes_scanned");
    s.processesInaccessible = integer("processes_inaccessible");
    s.processesVanished = integer("processes_vanished");
    s.uniqueFiles = integer("unique_files");
    s.modules = integer("modules");
    if (const auto it = j.find("cancelled"); it != j.end() && it->is_boolean())
        s.cancelled = it->get<bool>();
    if (const auto it = j.find("error_counts"); it != j.end() && it->is_object())
        for (const auto &[cause, count] : it->items())
            if (count.is_number_integer())
                s.errorCounts[cause] = count.get<int>();
    return s;
}

Result<StoredSnapshot> readSnapshot(const CaseDatabase &db, std::int64_t snapshotId)
{
    StoredSnapshot out;
    ScanResult &scan = out.scan;
    std::int64_t hostId = 0;
    {
        auto snap = db.statement("SELECT h.name, s.scanned_at, s.boot_id, s.kernel, s.os_release, s.machine, s.stats,"
                                 " s.complete, s.host_id FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE s.id = ?1");
        if (!snap)
            return snap.error();
        auto row = snap->bind(1, snapshotId).step();
        if (!row)
            return row.error();
        if (!*row)
            return Error{0, db.path() + " has no snapshot " + std::to_string(snapshotId)};
        scan.host.hostname = snap->text(0);
        scan.scannedAt = snap->integer(1);
        scan.host.bootId = snap->text(2);
        scan.host.kernel = snap->text(3);
        scan.host.osRelease = snap->text(4);
        scan.host.machine = snap->text(5);
        scan.stats = statsFromJson(snap->text(6));
        out.incomplete = snap->integer(7) == 0;
        hostId = snap->integer(8);
    }

    // The files the snapshot's modules name (file rows are per host, shared by its snapshots).
    {
        auto files = db.statement(
            "SELECT f.id, p.path, f.dev, f.inode, f.mtime_ns, f.size, f.ctime_ns, f.uid, f.gid, f.mode, f.owner, f.grp,"
            " f.sha256, f.md5, f.package, f.errors FROM files f JOIN paths p ON p.id = f.path_id"
            " WHERE f.host_id = ?1 AND f.id IN (SELECT file_id FROM modules WHERE snapshot_id = ?2 AND file_id IS NOT NULL)");
        if (!files)
            return files.error();
        files->bind(1, hostId).bind(2, snapshotId);
        auto status = files->forEach([&](const Statement &s) {
            FileFacts f;
            f.path = s.text(1);
            f.key = {u64(s.integer(2)), u64(s.integer(3))};
            f.mtimeNs = s.integer(4);
            f.size = u64(s.integer(5));
            f.ctimeNs = s.integer(6);
            f.uid = static_cast<std::uint32_t>(s.integer(7));
            f.gid = static_cast<std::uint32_t>(s.integer(8));
            f.mode = static_cast<std::uint32_t>(s.integer(9));
            f.ownerName = s.text(10);
            f.groupName = s.text(11);
            f.sha256 = s.text(12);
            f.md5 = s.text(13);
            f.package = s.text(14);
            f.errors = stringsFromJson(s.text(15));
            scan.files.emplace(f.key, std::move(f));
        });
        if (!status)
            return status.error();
    }

    std::unordered_map<std::int64_t, std::size_t> processIndex;
    {
        auto processes = db.statement(
            "SELECT id, pid, start_time, ppid, uid, user, name, exe, cmdline, state, kernel_thread, hidden,"
            " namespace_hint, loader_env, errors FROM processes WHERE snapshot_id = ?1 ORDER BY id");
        if (!processes)
            return processes.error();
        processes->bind(1, snapshotId);
        auto status = processes->forEach([&](const Statement &s) {
            ProcessInfo p;
            p.pid = static_cast<int>(s.integer(1));
            p.startTime = u64(s.integer(2));
            p.ppid = static_cast<int>(s.integer(3));
            p.uid = static_cast<std::uint32_t>(s.integer(4));
            p.user = s.text(5);
            p.name = s.text(6);
            p.exe = s.text(7);
            p.cmdline = stringsFromJson(s.text(8));
            const std::string state = s.text(9);
            p.state = state.empty() ? '?' : state.front();
            p.kernelThread = s.integer(10) != 0;
            p.hidden = s.integer(11) != 0;
            p.namespaceHint = s.text(12);
            p.loaderEnv = mapFromJson(s.text(13));
            p.errors = stringsFromJson(s.text(14));
            processIndex.emplace(s.integer(0), scan.processes.size());
            scan.processes.push_back(std::move(p));
        });
        if (!status)
            return status.error();
    }

    {
        // Verdicts repeat across thousands of modules: each distinct one is parsed once.
        std::unordered_map<std::int64_t, Verdict> verdicts;
        auto modules = db.statement(
            "SELECT m.process_id, p.path, m.file_id, coalesce(m.dev, f.dev), coalesce(m.inode, f.inode), m.flags,"
            " m.level, m.verdict_id, v.reasons, sh.confirmation, sh.ranges, m.start FROM modules m"
            " JOIN paths p ON p.id = m.path_id JOIN verdicts v ON v.id = m.verdict_id"
            " JOIN module_shapes sh ON sh.id = m.shape_id LEFT JOIN files f ON f.id = m.file_id"
            " WHERE m.snapshot_id = ?1 ORDER BY m.process_id, m.start");
        if (!modules)
            return modules.error();
        modules->bind(1, snapshotId);
        auto status = modules->forEach([&](const Statement &s) {
            const auto process = processIndex.find(s.integer(0));
            if (process == processIndex.end())
                return;
            ModuleRecord m;
            m.path = s.text(1);
            m.file = {u64(s.integer(3)), u64(s.integer(4))};
            const std::int64_t flags = s.integer(5);
            m.deleted = flags & kFlagDeleted;
            m.memfd = flags & kFlagMemfd;
            m.anonymousExec = flags & kFlagAnonymousExec;
            m.executable = flags & kFlagExecutable;
            m.pseudo = flags & kFlagPseudo;
            const std::int64_t verdictId = s.integer(7);
            auto verdict = verdicts.find(verdictId);
            if (verdict == verdicts.end())
                verdict = verdicts.emplace(verdictId, verdictFromJson(levelFromInt(s.integer(6)), s.text(8))).first;
            m.verdict = verdict->second;
            m.verdict.level = levelFromInt(s.integer(6));
            m.confirmation = s.text(9);
            m.ranges = rangesFromText(s.text(10), u64(s.integer(11)));
            scan.processes[process->second].modules.push_back(std::move(m));
        });
        if (!status)
            return status.error();
    }

    {
        auto findings = db.statement("SELECT code, level, pid, text, technique, measure, evidence FROM findings"
                                     " WHERE snapshot_id = ?1 ORDER BY id");
        if (!findings)
            return findings.error();
        findings->bind(1, snapshotId);
        auto status = findings->forEach([&](const Statement &s) {
            Finding f;
            f.code = s.text(0);
            f.level = levelFromInt(s.integer(1));
            f.pid = static_cast<int>(s.integer(2));
            f.text = s.text(3);
            f.technique = s.text(4);
            f.measure = s.text(5);
            f.evidence = evidenceFromJson(s.text(6));
            scan.findings.push_back(std::move(f));
        });
        if (!status)
            return status.error();
    }
    if (out.incomplete)
        scan.stats.cancelled = true;
    return out;
}

} // namespace loadlens::store
