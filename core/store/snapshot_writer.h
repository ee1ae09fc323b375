#pragma once
// Writes a live scan into a case or bundle as one snapshot: host, processes (with what could
// not be read), one row per distinct file, one per module with its verdict, findings and host
// facts.
#include "common/result.h"
#include "common/types.h"
#include "store/case_database.h"
#include "store/host_facts.h"

#include <cstdint>
#include <string>
#include <unordered_map>

namespace loadlens::store {

// ModuleRecord booleans as stored in modules.flags.
inline constexpr std::int64_t kFlagDeleted = 1;
inline constexpr std::int64_t kFlagMemfd = 2;
inline constexpr std::int64_t kFlagAnonymousExec = 4;
inline constexpr std::int64_t kFlagExecutable = 8;
inline constexpr std::int64_t kFlagPseudo = 16;
std::int64_t moduleFlags(const ModuleRecord &module);

class SnapshotWriter {
public:
    explicit SnapshotWriter(const CaseDatabase &db) : m_db(db) {}

    // The whole scan in one transaction, marked complete at the end; returns the snapshot id.
    // The same host, scan time and boot id already present is an Error (nothing is written).
    Result<std::int64_t> write(const ScanResult &scan, const HostFacts &facts);

private:
    Result<std::int64_t> pathId(const std::string &path);
    Result<std::int64_t> verdictId(const Verdict &verdict);
    Result<std::int64_t> shapeId(const std::string &confirmation, const std::string &relativeRanges);
    Result<std::int64_t> writeFile(std::int64_t hostId, const FileFacts &file);
    Result<std::int64_t> writeProcess(std::int64_t snapshotId, const ProcessInfo &process);
    Result<std::int64_t> writeSnapshotRow(const ScanResult &scan);

    const CaseDatabase &m_db;
    std::unordered_map<std::string, std::int64_t> m_paths;
    std::unordered_map<std::string, std::int64_t> m_verdicts;
    std::unordered_map<std::string, std::int64_t> m_shapes;  // confirmation NUL relative ranges
};

// Fills the per-snapshot module aggregate and marks the snapshot complete; analysis reads only
// complete snapshots. Call inside the transaction that writes the last module rows.
Status finishSnapshot(const CaseDatabase &db, std::int64_t snapshotId);

// The last path component ("libc.so.6" of "/usr/lib/x86_64-linux-gnu/libc.so.6").
std::string moduleName(const std::string &path);

} // namespace loadlens::store
