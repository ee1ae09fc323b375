#pragma once
// The JSON shape of a scan. Stable: scripts rely on it. docs/scan.schema.json describes it and
// tests/app/tst_cli_scan_schema checks real output against it: a field added here goes there too.
#include "common/types.h"

#include <nlohmann/json.hpp>

namespace loadlens::report {

nlohmann::json verdictToJson(const Verdict &verdict);
nlohmann::json moduleToJson(const ModuleRecord &module, const FileFacts *facts);
nlohmann::json processToJson(const ProcessInfo &process, const ScanResult &scan);
nlohmann::json findingToJson(const Finding &finding);
nlohmann::json scanToJson(const ScanResult &scan);

} // namespace loadlens::report
