#pragma once
// Questions asked of a whole case: which snapshots it holds, how modules stack up across hosts
// (rarest first), and who loads a given module anywhere. Only complete snapshots count.
#include "common/result.h"
#include "common/types.h"
#include "store/case_database.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::analysis {

struct SnapshotSummary {
    std::int64_t id = 0;
    std::string host;
    std::int64_t scannedAt = 0;
    std::string bootId;
    std::string kernel;
    std::string osRelease;
    std::int64_t processes = 0;
    std::int64_t processesWithErrors = 0;  // could not be read completely (e.g. not root)
    std::int64_t modules = 0;
    // Modules by the level of their verdict (index = int(Level)); they sum to `modules`.
    std::array<std::int64_t, 5> moduleLevels{};
    std::int64_t findings = 0;  // host-level findings (hidden process, preload file, ...), not modules
    bool complete = false;

    std::int64_t modulesAt(Level level) const { return moduleLevels[static_cast<std::size_t>(level)]; }
};

Result<std::vector<SnapshotSummary>> listSnapshots(const store::CaseDatabase &db);
Result<SnapshotSummary> snapshotSummary(const store::CaseDatabase &db, std::int64_t snapshotId);

enum class StackBy { Hash, Name };

struct StackOptions {
    StackBy by = StackBy::Hash;
    std::optional<std::int64_t> maxHosts;  // only modules seen on at most this many hosts
    std::int64_t limit = 0;                // 0 = all
    bool allSnapshots = false;             // default: the latest complete snapshot of each host
};

struct StackEntry {
    std::string module;        // full path (by hash) or file name (by name)
    std::string sha256;        // by hash; empty when the file was not hashed
    std::int64_t hosts = 0;
    std::int64_t processes = 0;  // process sightings, summed over the snapshots counted
    std::int64_t variants = 0;   // by name: distinct (path, hash) pairs under that name
    Level maxLevel = Level::Ok;
};

struct StackResult {
    std::int64_t hostsInCase = 0;
    std::int64_t snapshotsCounted = 0;
    std::vector<StackEntry> entries;  // fewest hosts first, then fewest processes
};

Result<StackResult> stack(const store::CaseDatabase &db, const StackOptions &options = {});

struct CaseWhoLoadsHit {
    std::string host;
    std::int64_t snapshotId = 0;
    std::int64_t scannedAt = 0;
    int pid = 0;
    std::string process;
    std::string executable;
    std::string user;
    std::string path;
    std::string sha256;
    Level level = Level::Ok;
};

// Modules whose path contains `needle`, in the latest snapshot of every host (or all snapshots).
Result<std::vector<CaseWhoLoadsHit>> whoLoads(const store::CaseDatabase &db, const std::string &needle,
                                              bool allSnapshots = false);

// The SQL of the snapshots a case-wide question looks at: one per host (latest) or all.
std::string chosenSnapshotsSql(bool allSnapshots);

} // namespace loadlens::analysis
