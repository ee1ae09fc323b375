#include "eventstats/event_stats.h"

#include "store/json_codec.h"

namespace loadlens::eventstats {

Result<std::optional<TimeSpan>> eventTimeSpan(const store::CaseDatabase &db, const EventQuery &query)
{
    (void)db.ensureEventIndexes();
    const store::EventWhere where = store::eventWhere(query.storeFilter());
    auto stmt = db.statement("SELECT min(time_us), max(time_us), count(*) FROM events" + where.sql);
    if (!stmt)
        return stmt.error();
    where.bind(*stmt);
    auto row = stmt->step();
    if (!row)
        return row.error();
    if (!*row || stmt->isNull(0))
        return std::optional<TimeSpan>();
    return std::optional<TimeSpan>(TimeSpan{stmt->integer(0), stmt->integer(1), stmt->integer(2)});
}

Result<std::vector<store::EventBucket>> eventBuckets(const store::CaseDatabase &db, std::int64_t bucketSeconds,
                                                     const EventQuery &query)
{
    return store::eventBuckets(db, bucketSeconds, query.storeFilter());
}

Result<std::vector<ImageStackEntry>> loadedImageStack(const store::CaseDatabase &db, const EventQuery &query,
                                                      ImageOrder order, std::int64_t limit, std::int64_t maxHosts)
{
    if (limit <= 0)
        return Error{EINVAL, "the image list needs a positive limit"};
    (void)db.ensureEventIndexes();
    EventQuery loads = query;
    loads.filter.kind = "image-load";
    const store::EventWhere where = store::eventWhere(loads.storeFilter());
    const char *orderBy = order == ImageOrder::MostLoaded ? " ORDER BY loads DESC, hosts DESC, name"
                                                          : " ORDER BY hosts, processes, loads, name";
    // min(image_loaded) picks one spelling of a case-folded group deterministically.
    auto stmt = db.statement(
        "SELECT min(image_loaded), count(*) AS loads, count(DISTINCT host) AS hosts,"
        " count(DISTINCT lower(image)) AS processes, max(level), lower(image_loaded) AS name FROM events" +
        where.sql + " AND image_loaded <> '' GROUP BY name" +
        (maxHosts > 0 ? " HAVING hosts <= " + std::to_string(maxHosts) : std::string()) + orderBy + " LIMIT ?" +
        std::to_string(where.placeholders() + 1));
    if (!stmt)
        return stmt.error();
    where.bind(*stmt);
    stmt->bind(where.placeholders() + 1, limit);
    std::vector<ImageStackEntry> out;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        out.push_back({stmt->text(0), stmt->integer(1), stmt->integer(2), stmt->integer(3),
                       store::levelFromInt(stmt->integer(4))});
    }
    return out;
}

Result<std::vector<EventHost>> eventHosts(const store::CaseDatabase &db)
{
    auto stmt = db.statement("SELECT host, count(*), min(time_us), max(time_us) FROM events GROUP BY host ORDER BY host");
    if (!stmt)
        return stmt.error();
    std::vector<EventHost> out;
    if (auto done = stmt->forEach([&](const store::Statement &row) {
        out.push_back({row.text(0), row.integer(1), row.integer(2), row.integer(3)});
    }); !done)
        return done.error();
    return out;
}

Result<std::map<std::int64_t, LevelCounts>> findingsByLevel(const store::CaseDatabase &db)
{
    auto stmt = db.statement("SELECT snapshot_id, level, count(*) FROM findings GROUP BY snapshot_id, level");
    if (!stmt)
        return stmt.error();
    std::map<std::int64_t, LevelCounts> out;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const Level level = store::levelFromInt(stmt->integer(1));
        auto [it, inserted] = out.try_emplace(stmt->integer(0));
        if (inserted)
            it->second.fill(0);
        it->second[static_cast<std::size_t>(level)] += stmt->integer(2);
    }
    return out;
}

} // namespace loadlens::eventstats
