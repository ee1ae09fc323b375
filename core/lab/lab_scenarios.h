#pragma once
// Lays out one scenario's files under its directory and says how to start its victim.
#include "common/result.h"
#include "lab/lab_catalog.h"
#include "lab/lab_process.h"

#include <string>

namespace loadlens::lab {

// Creates scenarioDir and what the scenario needs in it (copies from binDir, the lab log);
// nothing outside scenarioDir. The caller removes scenarioDir on failure.
Result<SpawnRequest> prepareScenario(const Scenario &scenario, const std::string &scenarioDir,
                                     const std::string &binDir);

// Carries out the scenario's mitigationCommands inside scenarioDir.
Status applyMitigation(const Scenario &scenario, const std::string &scenarioDir);

} // namespace loadlens::lab
