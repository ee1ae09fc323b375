#pragma once
// Aggregates over a case for the history views, computed in SQL so no event list is loaded:
// the time span of the events, loaded images stacked across hosts and processes (most loaded or
// rarest first), and the findings of each snapshot by level.
#include "common/result.h"
#include "common/types.h"
#include "eventstats/event_query.h"
#include "store/case_database.h"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::eventstats {

struct TimeSpan {
    std::int64_t firstUs = 0;  // earliest event time
    std::int64_t lastUs = 0;   // latest event time (inclusive)
    std::int64_t events = 0;
};
// nullopt when no event matches.
Result<std::optional<TimeSpan>> eventTimeSpan(const store::CaseDatabase &db, const EventQuery &query);

// store::eventBuckets with the text and exact-level conditions of an EventQuery: counts per
// time bucket x level x kind, aggregated in SQL. `bucketSeconds` > 0.
Result<std::vector<store::EventBucket>> eventBuckets(const store::CaseDatabase &db, std::int64_t bucketSeconds,
                                                     const EventQuery &query);

enum class ImageOrder { MostLoaded, Rarest };

struct ImageStackEntry {
    std::string image;            // the loaded module (image_loaded), as the log spells it
    std::int64_t loads = 0;       // events
    std::int64_t hosts = 0;       // distinct hosts
    std::int64_t processes = 0;   // distinct loading executables (image)
    Level maxLevel = Level::Ok;
};

// Image-load events (kind "image-load") that match `query`, grouped by the loaded image
// (case-insensitively: Windows paths differ in case between events). MostLoaded: most loads
// first; Rarest: fewest hosts, then fewest processes, then fewest loads first. `limit` > 0;
// `maxHosts` > 0 keeps only images loaded on at most that many hosts.
Result<std::vector<ImageStackEntry>> loadedImageStack(const store::CaseDatabase &db, const EventQuery &query,
                                                      ImageOrder order, std::int64_t limit,
                                                      std::int64_t maxHosts = 0);

// Every host named by an imported event, with its event count and time span, by host name.
// Windows hosts of Sysmon logs often have no snapshot: this is how the case lists them.
struct EventHost {
    std::string host;
    std::int64_t events = 0;
    std::int64_t firstUs = 0;
    std::int64_t lastUs = 0;
};
Result<std::vector<EventHost>> eventHosts(const store::CaseDatabase &db);

// Findings per snapshot, counted by level (index = int(Level)). Snapshots without findings
// are absent.
using LevelCounts = std::array<std::int64_t, 5>;
Result<std::map<std::int64_t, LevelCounts>> findingsByLevel(const store::CaseDatabase &db);

} // namespace loadlens::eventstats
