#pragma once
// A Windows triage as one snapshot of the Windows host, in the form a case stores (the one a
// Linux collection has), so that Windows images sit beside Linux snapshots for stacking,
// who-loads and diffs.
//
// Nothing in an image runs, so its entries are not processes: each examined executable is a
// process-like entry with pid 0 (no Linux process has it) and, as its start time, a stable
// id made from its path; the snapshot's boot id is kWindowsImageBootId (common/types.h). Readers
// use those two marks (isImageSnapshot, pid 0) to show executables of an image, never running processes.
// Its modules are the executable itself and the DLLs its imports resolve to, as found on the
// image, with their SHA-256, signature state and verdict (the triage findings about that DLL
// for that executable). The triage findings are the snapshot's findings; the loader settings
// and the Windows version are its host facts.
#include "authenticode/authenticode.h"
#include "common/types.h"
#include "common/image_snapshot.h"
#include "store/host_facts.h"
#include "wintriage/triage.h"

#include <cstdint>
#include <string>
#include <string_view>

namespace loadlens::wintriage {

struct SnapshotOptions {
    std::string host;                                  // when the SYSTEM hive names no computer
    std::int64_t triagedAt = 0;                        // unix seconds: the snapshot's scan time
    // For the signature states of the DLLs: the triage's own trust store and catalogs.
    const authenticode::TrustStore *anchors = nullptr;
    const authenticode::CatalogIndex *catalogs = nullptr;
};

struct TriageSnapshot {
    ScanResult scan;
    store::HostFacts facts;
};

// The host name is the SYSTEM hive's ComputerName, else options.host, else the name of the
// root directory. Every resolved DLL and every executable is read and hashed once.
TriageSnapshot triageSnapshot(const TriageResult &result, const SnapshotOptions &options);

// The synthetic id of an executable of an image (a 63-bit hash of its path, without regard
// to case): the start time of its process-like entry.
std::uint64_t imageEntryId(std::string_view windowsPath);

} // namespace loadlens::wintriage
