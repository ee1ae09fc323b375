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

// Wine, for the Windows scenario: the loader (wine64) and its server, found at run time.
struct WineTools {
    std::string loader;
    std::string server;
};
bool usesWine(const Scenario &scenario);
// The error says what to install when Wine is missing.
Result<WineTools> findWine();

// What must end before a scenario's directory goes, besides its victim: for the Wine scenario
// the prefix's wineserver and every Windows process it started (wineserver -k, then whatever
// still runs with the scenario's WINEPREFIX is killed). Nothing for the others.
Status teardownScenario(const std::string &scenarioDir);

} // namespace loadlens::lab
