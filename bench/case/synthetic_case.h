#pragma once
// Synthetic scans for benchmarks and bulk tests of the case database: hosts that run the
// same kinds of processes with the same shared libraries (same SHA-256 everywhere), plus a
// few rare modules (one host only) and a few hosts with another build of a common library.
#include "common/types.h"

namespace loadlens::bench {

struct SyntheticCaseOptions {
    int hosts = 200;
    int processesPerHost = 300;
    int modulesPerProcess = 100;
    int libraryPool = 400;      // distinct common libraries to draw from
    int processKinds = 40;      // processes of one kind load the same libraries
    int rangesPerModule = 4;
};

// The scan of host `hostIndex` (0-based); deterministic.
ScanResult syntheticScan(const SyntheticCaseOptions &options, int hostIndex);

// The rare library only host `hostIndex` loads (every 10th host has one).
std::string rareLibraryPath(int hostIndex);
bool hasRareLibrary(int hostIndex);

} // namespace loadlens::bench
