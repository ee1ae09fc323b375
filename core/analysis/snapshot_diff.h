#pragma once
// What changed between two snapshots (usually of the same host): modules added, removed or
// with a different SHA-256, per process executable and for the host as a whole; findings that
// appeared or went away; and the loader configuration and other host facts that differ.
#include "analysis/case_queries.h"
#include "common/result.h"
#include "common/types.h"
#include "store/case_database.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::analysis {

enum class ChangeKind { Added, Removed, HashChanged };
std::string_view changeKindName(ChangeKind kind);  // "added", "removed", "hash-changed"

struct ModuleChange {
    ChangeKind kind = ChangeKind::Added;
    std::string executable;  // the process's executable ("[name]" when unreadable); empty host-wide
    std::string path;
    std::vector<std::string> hashesBefore;  // sorted; "" stands for "not hashed"
    std::vector<std::string> hashesAfter;
    std::int64_t processesBefore = 0;
    std::int64_t processesAfter = 0;
    Level level = Level::Ok;  // worst verdict of the module in either snapshot
};

struct FindingChange {
    std::string code;
    Level level = Level::Info;
    std::string text;
    Evidence evidence;
};

struct FactChange {
    std::string key;
    std::optional<std::string> before;  // nullopt: not recorded in that snapshot
    std::optional<std::string> after;
};

struct SnapshotDiff {
    SnapshotSummary before;
    SnapshotSummary after;
    std::vector<ModuleChange> processModules;  // per executable + module path
    std::vector<ModuleChange> hostModules;     // per module path, whole host
    std::vector<FindingChange> newFindings;
    std::vector<FindingChange> resolvedFindings;
    std::vector<FactChange> facts;
};

// Both snapshots must exist and be complete.
Result<SnapshotDiff> diffSnapshots(const store::CaseDatabase &db, std::int64_t before, std::int64_t after);

// What a diff reads of one snapshot, from whichever store holds it.
struct SnapshotModuleRow {
    std::string executable;  // the process's executable, "[name]" when unreadable; empty host-wide
    std::string path;
    std::string sha256;      // "" when not hashed
    std::int64_t processes = 0;
    Level level = Level::Ok;
};
struct SnapshotFindingRow {
    std::string code;
    Level level = Level::Info;
    std::string text;
    std::string evidenceJson;
};
struct SnapshotContents {
    SnapshotSummary summary;
    // Per executable, path and hash: the mapped modules (no [vdso], no nameless regions).
    std::vector<SnapshotModuleRow> processModules;
    // Per path and hash for the whole host (the module stack of the snapshot).
    std::vector<SnapshotModuleRow> hostModules;
    std::vector<SnapshotFindingRow> findings;
    std::map<std::string, std::string> facts;
};
// The diff of two snapshots' contents (what diffSnapshots computes once it has read them).
SnapshotDiff diffContents(const SnapshotContents &before, const SnapshotContents &after);

} // namespace loadlens::analysis
