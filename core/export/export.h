#pragma once
// One entry point for "export this data in that format", shared by loadlens-cli export and
// (later) the GUI. Where the data comes from is a function: a live scan today, the case
// database once it exists.
#include "common/events.h"
#include "common/result.h"
#include "common/types.h"
#include "export/ecs.h"
#include "export/stix.h"

#include <functional>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

namespace loadlens::exporting {

enum class ExportFormat { Csv, Json, Ecs, Stix };
enum class ScanTable { Processes, Modules, Findings };

std::optional<ExportFormat> parseExportFormat(std::string_view name);  // "csv", "json", "ecs", "stix"
std::optional<ScanTable> parseScanTable(std::string_view name);         // "processes", "modules", "findings"

// What an export source yields: a scan, or log events (then `scan` is empty).
struct ExportData {
    std::optional<ScanResult> scan;
    std::vector<LoadEvent> events;
};
using ExportSource = std::function<Result<ExportData>()>;

struct ExportRequest {
    ExportFormat format = ExportFormat::Json;
    ScanTable table = ScanTable::Modules;  // csv/json of a scan; ecs and stix cover modules and findings
    EcsOptions ecs;
    StixOptions stix;
};

// Fails only for a combination that has no meaning yet (STIX of log events).
Status writeExport(std::ostream &out, const ExportData &data, const ExportRequest &request);

} // namespace loadlens::exporting
