#pragma once
// Elastic Common Schema NDJSON, ready for the _bulk API: per document an action line
// {"index":{"_index":"..."}} and the document itself. Field names follow ECS 8.x (dll.*,
// process.*, file.*, threat.*, rule.*); what ECS has no field for lives under loadlens.*.
#include "common/events.h"
#include "common/types.h"

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>
#include <vector>

namespace loadlens::exporting {

inline constexpr const char *kEcsVersion = "8.11.0";

struct EcsOptions {
    std::string index;                // empty: "loadlens-modules" / "loadlens-events"
    std::string action = "index";     // "create" for a data stream
    bool actionLines = true;          // false: plain NDJSON, one document a line
    Level alertLevel = Level::Medium; // verdicts at or above are event.kind "alert"
};

// One document per process x module (event.category library), then one per finding.
nlohmann::json ecsModuleDocument(const ScanResult &scan, const ProcessInfo &process, const ModuleRecord &module,
                                 const EcsOptions &options);
nlohmann::json ecsFindingDocument(const ScanResult &scan, const Finding &finding, const EcsOptions &options);
nlohmann::json ecsEventDocument(const LoadEvent &event, const EcsOptions &options);

void writeEcsScan(std::ostream &out, const ScanResult &scan, const EcsOptions &options);
void writeEcsEvents(std::ostream &out, const std::vector<LoadEvent> &events, const EcsOptions &options);

} // namespace loadlens::exporting
