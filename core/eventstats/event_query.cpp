#include "eventstats/event_query.h"

#include "store/json_codec.h"

#include <algorithm>
#include <cctype>

namespace loadlens::eventstats {

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

void BoundWhere::bind(store::Statement &statement) const
{
    for (std::size_t i = 0; i < order.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        if (order[i].first)
            statement.bind(index, texts[order[i].second]);
        else
            statement.bind(index, numbers[order[i].second]);
    }
}

BoundWhere whereOf(const EventQuery &query)
{
    BoundWhere w;
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
    const store::EventFilter &f = query.filter;
    number("level >=", static_cast<std::int64_t>(f.minLevel));
    if (query.level)
        number("level =", static_cast<std::int64_t>(*query.level));
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
    if (!query.text.empty())
        text(std::string("instr(") + kSearchedText + ",", asciiLower(query.text), ") > 0");
    return w;
}

Result<std::int64_t> countEvents(const store::CaseDatabase &db, const EventQuery &query)
{
    (void)db.ensureEventIndexes();
    const BoundWhere where = whereOf(query);
    auto stmt = db.statement("SELECT count(*) FROM events" + where.sql);
    if (!stmt)
        return stmt.error();
    where.bind(*stmt);
    auto row = stmt->step();
    if (!row)
        return row.error();
    return *row ? stmt->integer(0) : 0;
}

Result<std::vector<LoadEvent>> listEvents(const store::CaseDatabase &db, const EventQuery &query)
{
    if (query.text.empty() && !query.level)
        return store::listEvents(db, query.filter);  // the store's own query and decoding
    (void)db.ensureEventIndexes();
    // The store's listing has no text or exact-level condition: read the same columns in the same order.
    const BoundWhere where = whereOf(query);
    const int limitIndex = where.placeholders() + 1;
    auto stmt = db.statement(
        "SELECT host, channel, record_id, time_us, source, event_id, kind, level, reasons, process_guid, pid, image,"
        " image_loaded, user, hashes, signed, signature, signature_status, signature_state, command_line,"
        " parent_image, fields, source_file, source_offset FROM events" +
        where.sql + " ORDER BY time_us, id LIMIT ?" + std::to_string(limitIndex) + " OFFSET ?" +
        std::to_string(limitIndex + 1));
    if (!stmt)
        return stmt.error();
    where.bind(*stmt);
    stmt->bind(limitIndex, std::max<std::int64_t>(0, query.filter.limit))
        .bind(limitIndex + 1, std::max<std::int64_t>(0, query.filter.offset));
    std::vector<LoadEvent> out;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return row.error();
        if (!*row)
            break;
        const store::Statement &s = *stmt;
        LoadEvent e;
        e.host = s.text(0);
        e.channel = s.text(1);
        e.recordId = static_cast<std::uint64_t>(s.integer(2));
        e.timeUs = s.integer(3);
        e.source = s.text(4);
        e.eventId = static_cast<int>(s.integer(5));
        e.kind = s.text(6);
        e.verdict = store::verdictFromJson(store::levelFromInt(s.integer(7)), s.text(8));
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
        e.signatureState = state >= 0 && state <= static_cast<std::int64_t>(SignatureState::Unavailable)
            ? static_cast<SignatureState>(state)
            : SignatureState::Unknown;
        e.commandLine = s.text(19);
        e.parentImage = s.text(20);
        e.fields = store::mapFromJson(s.text(21));
        e.sourceFile = s.text(22);
        e.sourceOffset = static_cast<std::uint64_t>(s.integer(23));
        out.push_back(std::move(e));
    }
    return out;
}

} // namespace loadlens::eventstats
