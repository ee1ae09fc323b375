#pragma once
// Narrowing a scan result the way the CLI options ask: by pid, module path pattern, minimum
// verdict level, or modules not vouched for by a package.
#include "common/result.h"
#include "common/types.h"

#include <optional>
#include <string>

namespace loadlens::report {

struct ScanFilter {
    std::optional<int> pid;
    std::string modulePattern;  // ECMAScript regex searched in the module path
    Level minLevel = Level::Ok;
    bool unsignedOnly = false;  // drop modules that are package-verified or IMA-signed
    bool keepEmptyProcesses = true;  // false: drop processes left with no module
};

// Fails only when the pattern is not a valid regular expression.
Result<ScanResult> applyFilter(ScanResult scan, const ScanFilter &filter);

} // namespace loadlens::report
