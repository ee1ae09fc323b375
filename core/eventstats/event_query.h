#pragma once
// Event listing with what the store's EventFilter does not cover: a free-text match over the
// fields people search for, and the total count a pager needs. Same order as store::listEvents
// (time, then id), so pages line up with it.
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
};

Result<std::int64_t> countEvents(const store::CaseDatabase &db, const EventQuery &query);
Result<std::vector<LoadEvent>> listEvents(const store::CaseDatabase &db, const EventQuery &query);

// The WHERE clause both use (and the stats in event_stats.h): every value is bound, none is
// spliced into the SQL. Placeholders are numbered from 1.
struct BoundWhere {
    std::string sql;  // " WHERE ..." (always at least the level condition)
    std::vector<std::string> texts;
    std::vector<std::int64_t> numbers;
    std::vector<std::pair<bool, std::size_t>> order;  // (isText, index) per placeholder

    int placeholders() const { return static_cast<int>(order.size()); }
    void bind(store::Statement &statement) const;
};
BoundWhere whereOf(const EventQuery &query);

} // namespace loadlens::eventstats
