#pragma once
// Human-readable renderings for the terminal: the scan table, who-loads and explain.
#include "common/types.h"

#include <ostream>
#include <string>
#include <vector>

namespace loadlens::report {

void writeScanHeader(std::ostream &out, const ScanResult &scan);
void writeScanTable(std::ostream &out, const ScanResult &scan);
void writeScanSummary(std::ostream &out, const ScanResult &scan);

struct WhoLoadsHit {
    const ProcessInfo *process = nullptr;
    const ModuleRecord *module = nullptr;
};
// Modules whose path contains `needle` (a library name like "libssl" or a full path).
std::vector<WhoLoadsHit> whoLoads(const ScanResult &scan, const std::string &needle);
void writeWhoLoads(std::ostream &out, const std::vector<WhoLoadsHit> &hits);

// Everything known about one module of one process: flags, file facts, every reason with its
// technique, measure and evidence.
void writeExplain(std::ostream &out, const ScanResult &scan, const ProcessInfo &process, const ModuleRecord &module);

// "D" deleted, "M" memfd, "A" anonymous executable, "K" kernel-provided.
std::string moduleFlags(const ModuleRecord &module);
std::string reasonCodes(const Verdict &verdict);

} // namespace loadlens::report
