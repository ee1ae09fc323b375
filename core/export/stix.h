#pragma once
// A STIX 2.1 bundle of a scan: the modules as observed-data over file, directory, process and
// user-account observables; an indicator and a sighting for each suspicious file (or finding).
// ATT&CK techniques and M1044 "Restrict Library Loading" are MITRE's objects: indicators name
// them in external references and point at the techniques' attack-patterns by MITRE's ids
// ("indicates" relationships), but the bundle never re-emits them.
#include "common/events.h"
#include "common/types.h"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <ostream>
#include <vector>

namespace loadlens::exporting {

// The producer identity: fixed, so that bundles from every LoadLens run share one creator.
inline constexpr const char *kLoadLensIdentityId = "identity--c7dca012-8e29-41df-a404-57da5c9f6c60";
inline constexpr const char *kLoadLensIdentityCreated = "2024-05-01T00:00:00.000Z";  // its one version

struct StixOptions {
    Level observedLevel = Level::Ok;    // modules below get no observed-data
    Level indicatorLevel = Level::High; // modules and findings at or above get indicator + sighting
    std::int64_t createdMicros = 0;     // created/modified of new objects; 0 = now
};

nlohmann::json stixBundle(const ScanResult &scan, const StixOptions &options = {});
// Several scans (hosts or times) and log events in one bundle: one identity per host name,
// events as observed-data (file and process), indicated and sighted at the indicator level.
nlohmann::json stixBundle(const std::vector<const ScanResult *> &scans, const std::vector<LoadEvent> &events,
                          const StixOptions &options = {});
void writeStix(std::ostream &out, const ScanResult &scan, const StixOptions &options = {});

} // namespace loadlens::exporting
