#pragma once
// A snapshot's high verdicts on the event timeline: each high module (once per file, with the
// number of processes that map it) and each high host finding becomes an event of source
// "snapshot" at the scan's time, so that a responder sees the snapshot beside the Sysmon and
// auditd events of the same hours, in one chart and one table. The verdicts are the snapshot's
// own (computed when it was scanned), not judged again.
#include "common/events.h"
#include "common/types.h"

#include <string>
#include <vector>

namespace loadlens::ingest {

inline constexpr const char *kSnapshotSource = "snapshot";
inline constexpr const char *kSnapshotChannel = "loadlens-snapshot";

// Keys depend on the host, the scan (time and boot id) and what was found, so importing the
// same bundle twice, into any store, gives the same events.
std::vector<LoadEvent> snapshotEvents(const ScanResult &scan, const std::string &sourceFile,
                                      Level minLevel = Level::High);

} // namespace loadlens::ingest
