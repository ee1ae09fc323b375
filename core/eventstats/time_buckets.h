#pragma once
// The time buckets of the event chart: a width chosen for the visible span, calendar-aligned in
// UTC from a day up (day, ISO week, month, year), each labelled by its real start. The store
// groups events by the same buckets in SQL (store::eventBuckets with a BucketWidth).
#include "common/result.h"
#include "eventstats/event_query.h"
#include "store/case_database.h"
#include "store/event_store.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::eventstats {

using store::BucketUnit;
using store::BucketWidth;

// The start of the bucket holding `timeUs` and the start of the bucket after `startUs`.
std::int64_t bucketFloorUs(const BucketWidth &width, std::int64_t timeUs);
std::int64_t bucketNextUs(const BucketWidth &width, std::int64_t startUs);

// A readable width giving about `target` buckets over `spanUs`: 1 s ... 12 h, then a day, a
// week, a month, a year.
BucketWidth bucketWidthFor(std::int64_t spanUs, int target = 48);

// "30 s", "5 min", "6 h", "day", "week", "month", "year".
std::string bucketWidthText(const BucketWidth &width);

// The axis label of the bucket starting at `startUs`: "2020" (year), "2020-03" (month),
// "2020-03-02" (day, week); below a day "14:05" or "14:05:30", prefixed with the date when the
// day differs from the previous label's (`previousStartUs`; none for the first label).
std::string bucketLabel(const BucketWidth &width, std::int64_t startUs, std::optional<std::int64_t> previousStartUs);

// "YYYY-MM-DD HH:MM:SS" in UTC; with ".ffffff" when `microseconds` and the time has a fraction.
std::string utcText(std::int64_t timeUs, bool microseconds = false);

// Counts of the events matching `query` per bucket × level × kind × source, in SQL.
Result<std::vector<store::EventBucket>> eventBuckets(const store::CaseDatabase &db, const BucketWidth &width,
                                                     const EventQuery &query);

} // namespace loadlens::eventstats
