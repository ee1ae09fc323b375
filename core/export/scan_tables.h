#pragma once
// Tables built from a scan or from log events, the same rows whichever format they are
// written in. Column names are part of the export contract.
#include "common/events.h"
#include "common/types.h"
#include "export/table.h"

#include <vector>

namespace loadlens::exporting {

// pid, ppid, user, uid, name, exe, cmdline, state, modules, worst_level, loader_env, hidden,
// namespace, errors
Table processesTable(const ScanResult &scan);
// One row per process x module: pid, process, user, path, level, reasons, techniques,
// package, sha256, owner, mode, flags
Table modulesTable(const ScanResult &scan);
// code, level, pid, text, technique, measure, evidence
Table findingsTable(const ScanResult &scan);
// time, source, event_id, kind, host, record_id, pid, image, image_loaded, user, sha256, md5,
// signed, signature, signature_status, signature_state, level, reasons, source_file
Table eventsTable(const std::vector<LoadEvent> &events);

} // namespace loadlens::exporting
