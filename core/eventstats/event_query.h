#pragma once
// The event listing the GUI pages through: the store's filter (which also covers the free-text
// match and the exact level of a clicked chart segment) plus the total count a pager needs.
// Same order as store::listEvents (time, then id), so pages line up with it.
#include "common/events.h"
#include "common/result.h"
#include "store/case_database.h"
#include "store/event_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::eventstats {

struct EventQuery {
    store::EventFilter filter;  // limit/offset page the listing
    // Case-insensitive substring of host, image, image loaded, user, command line, signature or
    // hashes; empty = any.
    std::string text;
    // Exactly this level (one stacked segment of the timeline); minLevel still applies.
    std::optional<Level> level;

    store::EventFilter storeFilter() const;
};

Result<std::int64_t> countEvents(const store::CaseDatabase &db, const EventQuery &query);
Result<std::vector<LoadEvent>> listEvents(const store::CaseDatabase &db, const EventQuery &query);

} // namespace loadlens::eventstats
