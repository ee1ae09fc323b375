#pragma once
// What the running program (the collector) knows about itself: static or dynamic, the loader
// variables and /etc/ld.so.preload it started under, and what of those it finds mapped into itself.
#include "common/types.h"

#include <string>

namespace loadlens::scan {

// Read once, at the first call; call it first thing in main() so that it describes the start.
const CollectorInfo &collectorInfo();

// The warning line for stderr when the collector is tainted; empty otherwise.
std::string collectorWarning(const CollectorInfo &collector);

// One sentence for reports: "static executable: no preload reaches it" and the like.
std::string collectorSummary(const CollectorInfo &collector);

} // namespace loadlens::scan
