#include "store/event_store.h"

#include "store/json_codec.h"
#include "store/schema.h"
#include <algorithm>
#include <cctype>

namespace loadlens::store {

EventWriter::EventWriter(const CaseDatabase &db, EventWriterOptions options) : m_db(db), m_options(options)
{
    if (m_options.batchSize == 0)
        m_options.batchSize = 1;
    // A first bulk load is faster with the secondary indexes built once at the end.
    if (auto count = m_db.queryInt("SELECT count(*) FROM (SELECT 1 FROM events LIMIT 1)"); count && *count == 0) {
        if (m_db.exec(kDropEventIndexesSql))
            m_indexesDeferred = true;
    }
    if (auto recovered = m_db.queryInt("SELECT count(*) FROM (SELECT 1 FROM events WHERE recovered <> 0 LIMIT 1)");
        !recovered || *recovered > 0)
        m_recoveredRowsPossible = true;
    // Rows stored before content keys, from sources without record ids (schema version 1).
    if (auto legacy = m_db.queryInt("SELECT count(*) FROM (SELECT 1 FROM events WHERE record_id = 0 AND"
                                    " event_key GLOB 'r:0:*' AND source <> 'auditd' LIMIT 1)");
        legacy && *legacy > 0)
        m_legacyRows = true;
}

std::string eventKey(const LoadEvent &e)
{
    if (!e.contentKey.empty())
        return e.contentKey;
    // As the record_id column holds it (signed), so keys made by the version-2 migration in
    // SQL and keys made here agree.
    return "r:" + std::to_string(static_cast<std::int64_t>(e.recordId)) + ":" + std::to_string(e.timeUs);
}

Result<bool> EventWriter::claimLegacyRow(const LoadEvent &e, const std::string &key)
{
    // A version-1 row with the same host, channel, time, event id and fields is this event
    // stored under the old key (the first of the events that collided there): give it the new
    // key, so that importing the file again adds only the events that were lost.
    auto claim = m_db.statement(
        "UPDATE OR IGNORE events SET event_key = ?1 WHERE id = (SELECT id FROM events WHERE host = ?2 AND"
        " channel = ?3 AND event_key = ?4 AND event_id = ?5 AND fields = ?6 LIMIT 1)");
    if (!claim)
        return claim.error();
    claim->bind(1, key).bind(2, e.host).bind(3, e.channel).bind(4, "r:0:" + std::to_string(e.timeUs));
    claim->bind(5, std::int64_t(e.eventId)).bind(6, mapToJson(e.fields));
    auto changed = claim->run();
    if (!changed)
        return changed.error();
    return *changed > 0;
}

EventWriter::~EventWriter() = default;

namespace {

// Binds an event to ?1..?26 of the insert (and the replacing update) in column order.
void bindEvent(Statement &s, const LoadEvent &e, const std::string &key, const std::string &reasons,
               const std::string &fields)
{
    s.bind(1, e.host).bind(2, e.channel).bind(3, static_cast<std::int64_t>(e.recordId)).bind(4, e.timeUs);
    s.bind(5, e.source).bind(6, std::int64_t(e.eventId)).bind(7, e.kind);
    s.bind(8, std::int64_t(e.verdict.level)).bind(9, reasons).bind(10, e.processGuid).bind(11, e.pid);
    s.bind(12, e.image).bind(13, e.imageLoaded).bind(14, e.user).bind(15, e.hashes);
    s.bind(16, e.signedField).bind(17, e.signature).bind(18, e.signatureStatus);
    s.bind(19, std::int64_t(e.signatureState)).bind(20, e.commandLine).bind(21, e.parentImage);
    s.bind(22, fields).bind(23, e.sourceFile).bind(24, static_cast<std::int64_t>(e.sourceOffset));
    s.bind(25, key).bind(26, std::int64_t(e.recovered ? 1 : 0));
}

// Looked up once per event in the connection's statement cache: built once.
const std::string &insertEventSql()
{
    static const std::string sql =
        "INSERT OR IGNORE INTO events(host, channel, record_id, time_us, source, event_id, kind, level, reasons,"
        " process_guid, pid, image, image_loaded, user, hashes, signed, signature, signature_status, signature_state,"
        " command_line, parent_image, fields, source_file, source_offset, event_key, recovered) VALUES(?1, ?2, ?3,"
        " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26)";
    return sql;
}

const std::string &replaceRecoveredEventSql()
{
    static const std::string sql =
        "UPDATE events SET record_id = ?3, time_us = ?4, source = ?5, event_id = ?6, kind = ?7, level = ?8,"
        " reasons = ?9, process_guid = ?10, pid = ?11, image = ?12, image_loaded = ?13, user = ?14,"
        " hashes = ?15, signed = ?16, signature = ?17, signature_status = ?18, signature_state = ?19,"
        " command_line = ?20, parent_image = ?21, fields = ?22, source_file = ?23, source_offset = ?24,"
        " recovered = ?26 WHERE host = ?1 AND channel = ?2 AND event_key = ?25 AND recovered <> 0";
    return sql;
}

} // namespace

Status EventWriter::add(const LoadEvent &e)
{
    if (m_error)
        return *m_error;
    if (!m_tx) {
        auto tx = Transaction::begin(m_db);
        if (!tx) {
            m_error = tx.error();
            return tx.error();
        }
        m_tx.emplace(std::move(*tx));
    }
    const std::string key = eventKey(e);
    bool claimed = false;
    if (m_legacyRows && !e.contentKey.empty()) {
        auto c = claimLegacyRow(e, key);
        if (!c)
            return fail(c.error());
        claimed = *c;
    }
    const std::string reasons = reasonsToJson(e.verdict), fields = mapToJson(e.fields);
    auto insert = m_db.statement(insertEventSql());
    Result<std::int64_t> done = insert ? Result<std::int64_t>(0) : Result<std::int64_t>(insert.error());
    bool replaced = false;
    if (claimed) {
        done = 0;  // already present, now under its new key
    } else if (insert) {
        bindEvent(*insert, e, key, reasons, fields);
        done = insert->run();
        if (done && *done == 0 && !e.recovered && m_recoveredRowsPossible) {
            // The key is taken: by a live event (a duplicate), or by a recovered copy, which
            // the live record replaces whole.
            auto replace = m_db.statement(replaceRecoveredEventSql());
            if (!replace)
                return fail(replace.error());
            bindEvent(*replace, e, key, reasons, fields);
            done = replace->run();
            replaced = done && *done > 0;
        }
        if (done && *done > 0 && e.recovered)
            m_recoveredRowsPossible = true;
    }
    if (!done)
        return fail(done.error());
    if (e.recovered)
        (*done > 0 ? m_batch.recoveredImported : m_batch.recoveredDuplicates) += 1;
    else
        (*done > 0 ? m_batch.imported : m_batch.duplicates) += 1;
    if (replaced)
        m_batch.recoveredReplaced += 1;
    if (++m_inBatch >= m_options.batchSize)
        return commitBatch();
    return Ok{};
}

Status EventWriter::fail(const Error &error)
{
    // The batch is lost as a whole; what was committed before stays.
    m_tx.reset();
    m_inBatch = 0;
    m_batch = {};
    m_error = error;
    return error;
}

Status EventWriter::commitBatch()
{
    if (!m_tx)
        return Ok{};
    auto s = m_tx->commit();
    m_tx.reset();
    if (!s) {
        m_error = s.error();
        m_batch = {};
        m_inBatch = 0;
        return s;
    }
    m_counts.imported += m_batch.imported;
    m_counts.duplicates += m_batch.duplicates;
    m_counts.recoveredImported += m_batch.recoveredImported;
    m_counts.recoveredDuplicates += m_batch.recoveredDuplicates;
    m_counts.recoveredReplaced += m_batch.recoveredReplaced;
    m_batch = {};
    m_inBatch = 0;
    return Ok{};
}

Status EventWriter::finish()
{
    if (m_error)
        return *m_error;
    if (auto s = commitBatch(); !s)
        return s;
    if (m_indexesDeferred) {
        m_indexesDeferred = false;
        if (auto s = m_db.ensureEventIndexes(); !s) {
            m_error = s.error();
            return s;
        }
    }
    return Ok{};
}

EventSink EventBatchWriter::sink()
{
    return [this](LoadEvent &&event) { return add(event).ok(); };
}

void EventBatchWriter::fillReport(ImportReport &report) const
{
    const EventWriteCounts &c = counts();
    report.imported += c.imported;
    report.duplicates += c.duplicates;
    report.recoveredImported += c.recoveredImported;
    report.recoveredDuplicates += c.recoveredDuplicates;
    report.recoveredReplaced += c.recoveredReplaced;
    if (error()) {
        report.errors.push_back(error()->message);
        report.complete = false;
    }
}

namespace {

std::string asciiLower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// SQLite's lower() folds ASCII only, like asciiLower(), so both sides fold alike.
constexpr const char *kSearchedText =
    "lower(host || char(10) || image || char(10) || image_loaded || char(10) || user || char(10) ||"
    " command_line || char(10) || signature || char(10) || hashes)";

} // namespace

void EventWhere::bind(Statement &statement) const
{
    for (std::size_t i = 0; i < order.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        if (order[i].first)
            statement.bind(index, texts[order[i].second]);
        else
            statement.bind(index, numbers[order[i].second]);
    }
}

EventWhere eventWhere(const EventFilter &f)
{
    EventWhere w;
    const auto placeholder = [&w] { return " ?" + std::to_string(w.order.size()); };
    const auto number = [&](const std::string &condition, std::int64_t value) {
        w.numbers.push_back(value);
        w.order.emplace_back(false, w.numbers.size() - 1);
        w.sql += (w.sql.empty() ? " WHERE " : " AND ") + condition + placeholder();
    };
    const auto text = [&](const std::string &condition, const std::string &value, const char *suffix = "") {
        w.texts.push_back(value);
        w.order.emplace_back(true, w.texts.size() - 1);
        w.sql += (w.sql.empty() ? " WHERE " : " AND ") + condition + placeholder() + suffix;
    };
    number("level >=", static_cast<std::int64_t>(f.minLevel));
    if (f.exactLevel)
        number("level =", static_cast<std::int64_t>(*f.exactLevel));
    if (!f.source.empty())
        text("source =", f.source);
    if (f.eventId)
        number("event_id =", *f.eventId);
    if (!f.kind.empty())
        text("kind =", f.kind);
    if (f.fromUs)
        number("time_us >=", *f.fromUs);
    if (f.toUs)
        number("time_us <", *f.toUs);
    if (!f.host.empty())
        text("host =", f.host);
    if (!f.text.empty())
        text(std::string("instr(") + kSearchedText + ",", asciiLower(f.text), ") > 0");
    return w;
}

Result<std::int64_t> countEvents(const CaseDatabase &db, const EventFilter &filter)
{
    (void)db.ensureEventIndexes();
    const EventWhere where = eventWhere(filter);
    auto stmt = db.statement("SELECT count(*) FROM events" + where.sql);
    if (!stmt)
        return stmt.error();
    where.bind(*stmt);
    auto row = stmt->step();
    if (!row)
        return row.error();
    return *row ? stmt->integer(0) : 0;
}

Result<std::vector<LoadEvent>> listEvents(const CaseDatabase &db, const EventFilter &filter)
{
    (void)db.ensureEventIndexes();
    const EventWhere where = eventWhere(filter);
    const int limitIndex = where.placeholders() + 1;
    const std::string limits = " LIMIT ?" + std::to_string(limitIndex) + " OFFSET ?" + std::to_string(limitIndex + 1);
    auto stmt = db.statement(
        "SELECT host, channel, record_id, time_us, source, event_id, kind, level, reasons, process_guid, pid, image,"
        " image_loaded, user, hashes, signed, signature, signature_status, signature_state, command_line,"
        " parent_image, fields, source_file, source_offset, recovered FROM events" +
        where.sql + " ORDER BY time_us, id" + limits);
    if (!stmt)
        return stmt.error();
    where.bind(*stmt);
    stmt->bind(limitIndex, std::max<std::int64_t>(0, filter.limit)).bind(limitIndex + 1, std::max<std::int64_t>(0, filter.offset));
    std::vector<LoadEvent> out;
    if (auto done = stmt->forEach([&](const Statement &s) {
        LoadEvent e;
        e.host = s.text(0);
        e.channel = s.text(1);
        e.recordId = static_cast<std::uint64_t>(s.integer(2));
        e.timeUs = s.integer(3);
        e.source = s.text(4);
        e.eventId = static_cast<int>(s.integer(5));
        e.kind = s.text(6);
        e.verdict = verdictFromJson(levelFromInt(s.integer(7)), s.text(8));
        e.processGuid = s.text(9);
        e.pid = s.integer(10);
        e.image = s.text(11);
        e.imageLoaded = s.text(12);
        e.user = s.text(13);
        e.hashes = s.text(14);
        e.signedField = s.text(15);
        e.signature = s.text(16);
        e.signatureStatus = s.text(17);
        const auto state = s.integer(18);
        e.signatureState = state >= 0 && state <= int(SignatureState::Unavailable) ? SignatureState(state)
                                                                                   : SignatureState::Unknown;
        e.commandLine = s.text(19);
        e.parentImage = s.text(20);
        e.fields = mapFromJson(s.text(21));
        e.sourceFile = s.text(22);
        e.sourceOffset = static_cast<std::uint64_t>(s.integer(23));
        e.recovered = s.integer(24) != 0;
        out.push_back(std::move(e));
    }); !done)
        return done.error();
    return out;
}

namespace {

// Floor division of time_us by `widthUs`, so that times before 1970 land in the right bucket.
std::string floorSql(const std::string &value, std::int64_t widthUs)
{
    // Appended in place: GCC 12 at -O3 reports -Wrestrict false positives (bug 105329) for
    // chains of "literal" + std::string temporaries.
    const std::string width = std::to_string(widthUs);
    std::string sql = "(";
    sql.append(value).append(" - (((").append(value).append(") % ").append(width).append(") + ");
    sql.append(width).append(") % ").append(width).append(")");
    return sql;
}

// The start (microseconds) of the bucket holding time_us, in SQL.
std::string bucketSql(const BucketWidth &width)
{
    constexpr std::int64_t kDayUs = 86'400'000'000;
    constexpr std::int64_t kMondayUs = 4 * kDayUs;  // 1970-01-05, the first Monday after the epoch
    std::string seconds = "(";
    seconds.append(floorSql("time_us", 1'000'000)).append(" / 1000000)");
    auto startOf = [&](const char *unit) {
        std::string sql = "(CAST(strftime('%s', ";
        sql.append(seconds).append(", 'unixepoch', 'start of ").append(unit).append("') AS INTEGER) * 1000000)");
        return sql;
    };
    switch (width.unit) {
    case BucketUnit::Seconds: return floorSql("time_us", width.seconds * 1'000'000);
    case BucketUnit::Day: return floorSql("time_us", kDayUs);
    case BucketUnit::Week:
    {
        std::string shifted = "(time_us - ";
        shifted.append(std::to_string(kMondayUs)).append(")");
        std::string sql = "(";
        sql.append(floorSql(shifted, 7 * kDayUs)).append(" + ").append(std::to_string(kMondayUs)).append(")");
        return sql;
    }
    case BucketUnit::Month: return startOf("month");
    case BucketUnit::Year: return startOf("year");
    }
    return floorSql("time_us", 60'000'000);
}

} // namespace

Result<std::vector<EventBucket>> eventBuckets(const CaseDatabase &db, std::int64_t bucketSeconds,
                                              const EventFilter &filter)
{
    if (bucketSeconds <= 0)
        return Error{EINVAL, "the bucket width must be at least one second"};
    return eventBuckets(db, BucketWidth{BucketUnit::Seconds, bucketSeconds}, filter);
}

Result<std::vector<EventBucket>> eventBuckets(const CaseDatabase &db, const BucketWidth &width,
                                              const EventFilter &filter)
{
    if (width.unit == BucketUnit::Seconds && width.seconds <= 0)
        return Error{EINVAL, "the bucket width must be at least one second"};
    (void)db.ensureEventIndexes();
    const EventWhere where = eventWhere(filter);
    // Times outside what SQLite's date functions cover (before year 0, after 9999) have no
    // calendar bucket and are left out.
    auto stmt = db.statement("SELECT " + bucketSql(width) + " AS b, level, kind, source, count(*) FROM events" +
                             where.sql + " GROUP BY b, level, kind, source HAVING b IS NOT NULL ORDER BY b, level, kind, source");
    if (!stmt)
        return stmt.error();
    where.bind(*stmt);
    std::vector<EventBucket> out;
    if (auto done = stmt->forEach([&](const Statement &row) {
        out.push_back({row.integer(0), levelFromInt(row.integer(1)), row.text(2),
                       static_cast<std::uint64_t>(row.integer(4)), row.text(3)});
    }); !done)
        return done.error();
    return out;
}

} // namespace loadlens::store
