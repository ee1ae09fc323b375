#pragma once
// Events (Sysmon, auditd) in the case: a batched writer for streaming parsers and the queries
// the views need. Natural key: host + channel + event key, where the event key is the record
// id and time when the source has a record id, and a hash of the event's content when it has
// none (LoadEvent::contentKey), so re-reading a log adds nothing and no two events merge.
#include "common/events.h"
#include "common/result.h"
#include "store/case_database.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loadlens::store {

struct EventWriterOptions {
    std::size_t batchSize = 5000;  // events per transaction
};

// What a writer stored, live and recovered events apart (LoadEvent::recovered).
struct EventWriteCounts {
    std::uint64_t imported = 0;             // live events stored (new, or replacing a recovered copy)
    std::uint64_t duplicates = 0;           // live events already stored
    std::uint64_t recoveredImported = 0;    // recovered events stored as new
    std::uint64_t recoveredDuplicates = 0;  // recovered events whose key was taken (live or recovered)
    std::uint64_t recoveredReplaced = 0;    // stored recovered events a live event replaced
};

// What the importer writes events through, whichever store holds the case: events are added
// one by one and stored in batches, idempotently (an event already stored counts as a
// duplicate); an error stops the writer and keeps the batches stored before it. A recovered
// event never replaces a stored one; a live event replaces a stored recovered event with its
// key, whichever was imported first.
class EventBatchWriter {
public:
    virtual ~EventBatchWriter() = default;
    virtual Status add(const LoadEvent &event) = 0;
    virtual Status finish() = 0;  // stores the last batch
    virtual const std::optional<Error> &error() const = 0;
    virtual const EventWriteCounts &counts() const = 0;  // of committed batches
    std::uint64_t imported() const { return counts().imported; }
    std::uint64_t duplicates() const { return counts().duplicates; }

    // For parsers: an EventSink that adds each event and returns false after the first error
    // (then error() says why).
    EventSink sink();
    // Adds the writer's counts (imported, duplicates) and its error to a parser's report.
    void fillReport(ImportReport &report) const;
};

// INSERT OR IGNORE in batches of `batchSize`, each one transaction. An error rolls back the
// current batch only (earlier batches stay) and stops the writer. Into an empty events table
// the secondary indexes are dropped for the load and rebuilt by finish().
class EventWriter : public EventBatchWriter {
public:
    explicit EventWriter(const CaseDatabase &db, EventWriterOptions options = {});
    EventWriter(const EventWriter &) = delete;
    EventWriter &operator=(const EventWriter &) = delete;
    ~EventWriter() override;  // rolls back an unfinished batch

    Status add(const LoadEvent &event) override;
    Status finish() override;  // commits the last batch, builds deferred indexes
    const std::optional<Error> &error() const override { return m_error; }
    const EventWriteCounts &counts() const override { return m_counts; }

private:
    Status commitBatch();
    Status fail(const Error &error);
    Result<bool> claimLegacyRow(const LoadEvent &event, const std::string &key);
    const CaseDatabase &m_db;
    EventWriterOptions m_options;
    std::optional<Transaction> m_tx;
    std::size_t m_inBatch = 0;
    EventWriteCounts m_batch;
    EventWriteCounts m_counts;
    bool m_indexesDeferred = false;
    bool m_recoveredRowsPossible = false;  // a live event may find a recovered row with its key
    bool m_legacyRows = false;  // version-1 rows of sources without record ids are present
    std::optional<Error> m_error;
};

// The event_key column of an event: its content key, or "r:<record id>:<time us>".
std::string eventKey(const LoadEvent &event);

struct EventFilter {
    std::string source;                 // "sysmon", "auditd"; empty = any
    std::optional<int> eventId;
    std::string kind;                   // empty = any
    Level minLevel = Level::Ok;
    std::optional<std::int64_t> fromUs;  // inclusive
    std::optional<std::int64_t> toUs;    // exclusive
    std::string host;                   // empty = any
    // Case-insensitive (ASCII) substring of host, image, image loaded, user, command line,
    // signature or hashes; empty = any.
    std::string text;
    std::optional<Level> exactLevel;    // exactly this level (one segment of a stacked chart)
    std::int64_t limit = 1000;          // listEvents only
    std::int64_t offset = 0;
};

// The WHERE clause of every event query: each value bound, none spliced into the SQL.
// Placeholders are numbered from 1; the clause always holds at least the level condition.
struct EventWhere {
    std::string sql;  // " WHERE level >= ?1 AND ..."
    std::vector<std::string> texts;
    std::vector<std::int64_t> numbers;
    std::vector<std::pair<bool, std::size_t>> order;  // (isText, index) per placeholder

    int placeholders() const { return static_cast<int>(order.size()); }
    void bind(Statement &statement) const;
};
EventWhere eventWhere(const EventFilter &filter);

// Ordered by time, then id.
Result<std::vector<LoadEvent>> listEvents(const CaseDatabase &db, const EventFilter &filter);
// How many events the filter matches (limit and offset aside).
Result<std::int64_t> countEvents(const CaseDatabase &db, const EventFilter &filter);

struct EventBucket {
    std::int64_t startUs = 0;  // bucket start (see BucketWidth)
    Level level = Level::Ok;
    std::string kind;
    std::uint64_t count = 0;
    std::string source;  // "sysmon", "auditd"
};

// A chart bucket: a fixed number of seconds (below a day), or a calendar unit in UTC: a day
// (from midnight), an ISO week (from Monday), a month (from the 1st), a year (from January 1).
enum class BucketUnit { Seconds, Day, Week, Month, Year };
struct BucketWidth {
    BucketUnit unit = BucketUnit::Seconds;
    std::int64_t seconds = 60;  // BucketUnit::Seconds only
    bool operator==(const BucketWidth &) const = default;
};

// Counts per time bucket × verdict level × kind × source, aggregated in SQL (no event is loaded).
// Buckets of `bucketSeconds` start at multiples of it since the epoch.
Result<std::vector<EventBucket>> eventBuckets(const CaseDatabase &db, std::int64_t bucketSeconds,
                                              const EventFilter &filter);
// The same with calendar-aligned buckets for the calendar units.
Result<std::vector<EventBucket>> eventBuckets(const CaseDatabase &db, const BucketWidth &width,
                                              const EventFilter &filter);

} // namespace loadlens::store
