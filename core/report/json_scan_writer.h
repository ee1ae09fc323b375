#pragma once
// The scan's JSON (same shape as json_report.h's scanToJson) written straight into a buffer:
// what `loadlens-cli scan --json` prints, fast enough for hosts with thousands of processes.
// Described by docs/scan.schema.json.
#include "common/types.h"

#include <string>

namespace loadlens::report {

void writeScanJson(std::string &out, const ScanResult &scan);

} // namespace loadlens::report
