#include "analysis/snapshot_diff.h"

#include "store/json_codec.h"

#include <map>
#include <set>

namespace loadlens::analysis {

using store::CaseDatabase;

std::string_view changeKindName(ChangeKind kind)
{
    switch (kind) {
    case ChangeKind::Added: return "added";
    case ChangeKind::Removed: return "removed";
    case ChangeKind::HashChanged: return "hash-changed";
    }
    return "added";
}

namespace {

struct Presence {
    std::set<std::string> hashes;
    std::int64_t processes = 0;
    Level level = Level::Ok;
};
using ModuleKey = std::pair<std::string, std::string>;  // executable, path
using ModuleSet = std::map<ModuleKey, Presence>;

ModuleSet moduleSet(const std::vector<SnapshotModuleRow> &rows)
{
    ModuleSet out;
    for (const auto &row : rows) {
        Presence &p = out[{row.executable, row.path}];
        p.hashes.insert(row.sha256);
        p.processes += row.processes;
        p.level = std::max(p.level, row.level);
    }
    return out;
}

Status readModules(const CaseDatabase &db, const std::string &sql, std::int64_t snapshot,
                   std::vector<SnapshotModuleRow> &out)
{
    auto stmt = db.statement(sql);
    if (!stmt)
        return stmt.error();
    stmt->bind(1, snapshot);
    return stmt->forEach([&](const store::Statement &row) {
        out.push_back({row.text(0), row.text(1), row.text(2), row.integer(3), store::levelFromInt(row.integer(4))});
    });
}

constexpr const char *kProcessModulesSql =
    "SELECT CASE WHEN pr.exe <> '' THEN pr.exe ELSE '[' || pr.name || ']' END, p.path, coalesce(f.sha256, ''),"
    " count(DISTINCT m.process_id), max(m.level) FROM modules m JOIN processes pr ON pr.id = m.process_id"
    " JOIN paths p ON p.id = m.path_id LEFT JOIN files f ON f.id = m.file_id"
    " WHERE m.snapshot_id = ?1 AND (m.flags & 16) = 0 AND p.path <> '' GROUP BY 1, 2, 3";
constexpr const char *kHostModulesSql =
    "SELECT '', p.path, s.sha256, s.processes, s.max_level FROM snapshot_module_stack s"
    " JOIN paths p ON p.id = s.path_id WHERE s.snapshot_id = ?1";

std::vector<ModuleChange> compare(const ModuleSet &before, const ModuleSet &after)
{
    std::vector<ModuleChange> out;
    auto change = [](ChangeKind kind, const ModuleKey &key, const Presence *b, const Presence *a) {
        ModuleChange c;
        c.kind = kind;
        c.executable = key.first;
        c.path = key.second;
        if (b) {
            c.hashesBefore.assign(b->hashes.begin(), b->hashes.end());
            c.processesBefore = b->processes;
            c.level = b->level;
        }
        if (a) {
            c.hashesAfter.assign(a->hashes.begin(), a->hashes.end());
            c.processesAfter = a->processes;
            c.level = std::max(c.level, a->level);
        }
        return c;
    };
    for (const auto &[key, b] : before) {
        auto it = after.find(key);
        if (it == after.end())
            out.push_back(change(ChangeKind::Removed, key, &b, nullptr));
        else if (it->second.hashes != b.hashes)
            out.push_back(change(ChangeKind::HashChanged, key, &b, &it->second));
    }
    for (const auto &[key, a] : after)
        if (!before.count(key))
            out.push_back(change(ChangeKind::Added, key, nullptr, &a));
    return out;
}

Status readFindings(const CaseDatabase &db, std::int64_t snapshot, std::vector<SnapshotFindingRow> &out)
{
    auto stmt = db.statement("SELECT code, level, text, evidence FROM findings WHERE snapshot_id = ?1");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, snapshot);
    return stmt->forEach([&](const store::Statement &row) {
        out.push_back({row.text(0), store::levelFromInt(row.integer(1)), row.text(2), row.text(3)});
    });
}

struct StoredFinding {
    FindingChange finding;
    std::string evidenceJson;
};

std::map<std::string, StoredFinding> findingMap(const std::vector<SnapshotFindingRow> &rows)
{
    std::map<std::string, StoredFinding> out;
    for (const auto &row : rows) {
        // Pids differ between scans; a finding is the same when its code and evidence are.
        const std::string key = row.code + '\n' + row.evidenceJson;
        out.emplace(key, StoredFinding{{row.code, row.level, row.text, store::evidenceFromJson(row.evidenceJson)},
                                       row.evidenceJson});
    }
    return out;
}

Result<std::map<std::string, std::string>> readFacts(const CaseDatabase &db, std::int64_t snapshot)
{
    auto stmt = db.statement("SELECT key, value FROM snapshot_facts WHERE snapshot_id = ?1");
    if (!stmt)
        return stmt.error();
    stmt->bind(1, snapshot);
    std::map<std::string, std::string> out;
    if (auto done = stmt->forEach([&](const store::Statement &row) {
        out.emplace(row.text(0), row.text(1));
    }); !done)
        return done.error();
    return out;
}

} // namespace

Result<SnapshotDiff> diffSnapshots(const CaseDatabase &db, std::int64_t before, std::int64_t after)
{
    SnapshotContents contents[2];
    const std::int64_t ids[2] = {before, after};
    for (int i = 0; i < 2; ++i) {
        const std::int64_t id = ids[i];
        SnapshotContents &c = contents[i];
        auto summary = snapshotSummary(db, id);
        if (!summary)
            return summary.error();
        if (!summary->complete)
            return Error{0, "snapshot " + std::to_string(id) + " in " + db.path() +
                                " is incomplete (its import was interrupted); import its bundle again"};
        c.summary = std::move(*summary);
        if (auto s = readModules(db, kProcessModulesSql, id, c.processModules); !s)
            return s.error();
        if (auto s = readModules(db, kHostModulesSql, id, c.hostModules); !s)
            return s.error();
        if (auto s = readFindings(db, id, c.findings); !s)
            return s.error();
        auto facts = readFacts(db, id);
        if (!facts)
            return facts.error();
        c.facts = std::move(*facts);
    }
    return diffContents(contents[0], contents[1]);
}

SnapshotDiff diffContents(const SnapshotContents &before, const SnapshotContents &after)
{
    SnapshotDiff diff;
    diff.before = before.summary;
    diff.after = after.summary;
    diff.processModules = compare(moduleSet(before.processModules), moduleSet(after.processModules));
    diff.hostModules = compare(moduleSet(before.hostModules), moduleSet(after.hostModules));

    const auto findingsBefore = findingMap(before.findings);
    const auto findingsAfter = findingMap(after.findings);
    for (const auto &[key, f] : findingsAfter)
        if (!findingsBefore.count(key))
            diff.newFindings.push_back(f.finding);
    for (const auto &[key, f] : findingsBefore)
        if (!findingsAfter.count(key))
            diff.resolvedFindings.push_back(f.finding);

    std::set<std::string> keys;
    for (const auto &[k, v] : before.facts)
        keys.insert(k);
    for (const auto &[k, v] : after.facts)
        keys.insert(k);
    for (const auto &key : keys) {
        auto b = before.facts.find(key);
        auto a = after.facts.find(key);
        std::optional<std::string> bv = b != before.facts.end() ? std::optional(b->second) : std::nullopt;
        std::optional<std::string> av = a != after.facts.end() ? std::optional(a->second) : std::nullopt;
        if (bv != av)
            diff.facts.push_back({key, bv, av});
    }
    return diff;
}

} // namespace loadlens::analysis
