#include "casestore/clickhouse_store.h"

#include "casestore/clickhouse_event_writer.h"
#include "casestore/clickhouse_snapshots.h"

#include "store/json_codec.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <functional>

namespace loadlens::casestore {

std::string tsvEscape(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + 8);
    for (char c : text) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\t': out += "\\t"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\0': out += "\\0"; break;
        default: out += c;
        }
    }
    return out;
}

std::string tsvUnescape(std::string_view text)
{
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '\\' || i + 1 == text.size()) {
            out += text[i];
            continue;
        }
        const char c = text[++i];
        switch (c) {
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'r': out += '\r'; break;
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case '0': out += '\0'; break;
        default: out += c;  // \\ \' and anything else: the character itself
        }
    }
    return out;
}

std::vector<std::string> tsvFields(std::string_view line)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t tab = line.find('\t', start);
        out.push_back(tsvUnescape(line.substr(start, tab == std::string_view::npos ? std::string_view::npos
                                                                                   : tab - start)));
        if (tab == std::string_view::npos)
            return out;
        start = tab + 1;
    }
}

namespace detail {

using clickhouse::Client;

std::int64_t toInt(const std::string &text)
{
    // ClickHouse prints integers plainly; a malformed one reads as 0 rather than throwing.
    std::int64_t value = 0;
    bool negative = false;
    std::size_t i = 0;
    if (i < text.size() && text[i] == '-') {
        negative = true;
        ++i;
    }
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i)
        value = value * 10 + (text[i] - '0');
    return negative ? -value : value;
}

// Rows of a query, each split into its fields; a row with fewer than `columns` fields is a
// protocol error, not a crash. `table`: external data the query reads (Client::queryLines).
Result<std::vector<std::vector<std::string>>> rows(Client &client, const std::string &sql, std::size_t columns,
                                                   const Client::ExternalTable *table)
{
    std::vector<std::vector<std::string>> out;
    std::optional<Error> bad;
    const auto onLine = [&](std::string_view line) {
        auto fields = tsvFields(line);
        if (fields.size() < columns) {
            bad = Error{EPROTO, "unexpected reply from " + client.endpoint().display() + ": a row of " +
                                    std::to_string(fields.size()) + " fields where " + std::to_string(columns) +
                                    " were asked for"};
            return false;
        }
        out.push_back(std::move(fields));
        return true;
    };
    const std::string query = sql + " FORMAT TabSeparated";
    auto status = table ? client.queryLines(query, *table, onLine) : client.queryLines(query, onLine);
    if (bad)
        return *bad;
    if (!status)
        return status.error();
    return out;
}

} // namespace detail

namespace {

using clickhouse::Client;
using clickhouse::quote;
using detail::rows;
using detail::toInt;

std::string asciiLower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The same conditions as store::eventWhere, with values quoted as ClickHouse literals.
std::string whereSql(const store::EventFilter &f)
{
    std::string w = " WHERE level >= " + std::to_string(static_cast<int>(f.minLevel));
    if (f.exactLevel)
        w += " AND level = " + std::to_string(static_cast<int>(*f.exactLevel));
    if (!f.source.empty())
        w += " AND source = " + quote(f.source);
    if (f.eventId)
        w += " AND event_id = " + std::to_string(*f.eventId);
    if (!f.kind.empty())
        w += " AND kind = " + quote(f.kind);
    if (f.fromUs)
        w += " AND time_us >= " + std::to_string(*f.fromUs);
    if (f.toUs)
        w += " AND time_us < " + std::to_string(*f.toUs);
    if (!f.host.empty())
        w += " AND host = " + quote(f.host);
    // SQLite folds ASCII with lower() on both sides; positionCaseInsensitive folds ASCII too.
    if (!f.text.empty())
        w += " AND positionCaseInsensitive(concat(host, '\\n', image, '\\n', image_loaded, '\\n', user, '\\n',"
             " command_line, '\\n', signature, '\\n', hashes), " +
             quote(asciiLower(f.text)) + ") > 0";
    return w;
}

// ClickHouse types a literal by its value (3600000000 is a UInt32) and the arithmetic of mixed
// widths by rules of its own, where (x % w) + w can wrap: every operand is Int64.
std::string floorSql(const std::string &value, std::int64_t widthUs)
{
    const std::string width = "toInt64(" + std::to_string(widthUs) + ")";
    return "(" + value + " - (((" + value + ") % " + width + ") + " + width + ") % " + width + ")";
}

// The start (microseconds) of the bucket holding time_us: the arithmetic of store's bucketSql;
// months and years through ClickHouse's calendar functions in UTC (DateTime covers 1970-2106:
// events outside have no calendar bucket and are left out, like SQLite leaves out years
// outside 0-9999).
std::string bucketSql(const store::BucketWidth &width, std::string &extraCondition)
{
    constexpr std::int64_t kDayUs = 86'400'000'000;
    constexpr std::int64_t kMondayUs = 4 * kDayUs;
    const std::string seconds = "intDiv(" + floorSql("time_us", 1'000'000) + ", toInt64(1000000))";
    switch (width.unit) {
    case store::BucketUnit::Seconds: return floorSql("time_us", width.seconds * 1'000'000);
    case store::BucketUnit::Day: return floorSql("time_us", kDayUs);
    case store::BucketUnit::Week:
        return "(" + floorSql("(time_us - toInt64(" + std::to_string(kMondayUs) + "))", 7 * kDayUs) +
               " + toInt64(" + std::to_string(kMondayUs) + "))";
    case store::BucketUnit::Month:
    case store::BucketUnit::Year: {
        extraCondition = " AND time_us >= 0 AND time_us < 4294967296000000";
        const char *fn = width.unit == store::BucketUnit::Month ? "toStartOfMonth" : "toStartOfYear";
        return "(toInt64(toUInt32(" + std::string(fn) + "(toDateTime(" + seconds + ", 'UTC')))) * toInt64(" +
               std::to_string(kDayUs) + "))";
    }
    }
    return floorSql("time_us", 60'000'000);
}

const char *kEventSelect =
    "SELECT host, channel, record_id, time_us, source, event_id, kind, level, reasons, process_guid, pid, image,"
    " image_loaded, user, hashes, signed, signature, signature_status, signature_state, command_line,"
    " parent_image, fields, source_file, source_offset, recovered";

LoadEvent eventFromFields(const std::vector<std::string> &f)
{
    LoadEvent e;
    e.host = f[0];
    e.channel = f[1];
    e.recordId = static_cast<std::uint64_t>(toInt(f[2]));
    e.timeUs = toInt(f[3]);
    e.source = f[4];
    e.eventId = static_cast<int>(toInt(f[5]));
    e.kind = f[6];
    e.verdict = store::verdictFromJson(store::levelFromInt(toInt(f[7])), f[8]);
    e.processGuid = f[9];
    e.pid = toInt(f[10]);
    e.image = f[11];
    e.imageLoaded = f[12];
    e.user = f[13];
    e.hashes = f[14];
    e.signedField = f[15];
    e.signature = f[16];
    e.signatureStatus = f[17];
    const auto state = toInt(f[18]);
    e.signatureState = state >= 0 && state <= int(SignatureState::Unavailable) ? SignatureState(state)
                                                                               : SignatureState::Unknown;
    e.commandLine = f[19];
    e.parentImage = f[20];
    e.fields = store::mapFromJson(f[21]);
    e.sourceFile = f[22];
    e.sourceOffset = static_cast<std::uint64_t>(toInt(f[23]));
    e.recovered = toInt(f[24]) != 0;
    return e;
}

class ClickHouseStore final : public CaseStore {
public:
    ClickHouseStore(std::shared_ptr<Client> client, std::vector<std::pair<std::string, std::string>> settings,
                    ClickHouseStoreOptions options, bool distributed)
        : m_client(std::move(client)), m_settings(std::move(settings)), m_options(std::move(options)),
          m_db(m_client->endpoint().database), m_distributed(distributed)
    {
    }

    StoreKind kind() const override { return StoreKind::ClickHouse; }
    std::string location() const override { return m_client->endpoint().display(); }

    std::unique_ptr<store::EventBatchWriter> eventWriter() override
    {
        auto makeClient = [endpoint = m_client->endpoint(), settings = m_settings] {
            auto client = std::make_unique<Client>(endpoint);
            for (const auto &[name, value] : settings)
                client->setSetting(name, value);
            return client;
        };
        return detail::clickhouseEventWriter(m_client, std::move(makeClient), m_db,
                                             {m_options.batchRows, m_options.batchBytes}, !m_distributed);
    }

    Result<std::vector<LoadEvent>> listEvents(const store::EventFilter &filter) const override
    {
        auto found = rows(*m_client,
                          std::string(kEventSelect) + " FROM " + events() + whereSql(filter) +
                              " ORDER BY time_us, host, channel, record_id, event_key LIMIT " +
                              std::to_string(std::max<std::int64_t>(0, filter.offset)) + ", " +
                              std::to_string(std::max<std::int64_t>(0, filter.limit)),
                          25);
        if (!found)
            return found.error();
        std::vector<LoadEvent> out;
        out.reserve(found->size());
        for (const auto &r : *found)
            out.push_back(eventFromFields(r));
        return out;
    }

    Result<std::int64_t> countEvents(const store::EventFilter &filter) const override
    {
        auto found = rows(*m_client, "SELECT count() FROM " + events() + whereSql(filter), 1);
        if (!found)
            return found.error();
        return found->empty() ? 0 : toInt(found->front()[0]);
    }

    Result<std::vector<store::EventBucket>> eventBuckets(const store::BucketWidth &width,
                                                         const store::EventFilter &filter) const override
    {
        if (width.unit == store::BucketUnit::Seconds && width.seconds <= 0)
            return Error{EINVAL, "the bucket width must be at least one second"};
        std::string extra;
        const std::string bucket = bucketSql(width, extra);
        auto found = rows(*m_client,
                          "SELECT " + bucket + " AS b, level, kind, source, count() FROM " + events() +
                              whereSql(filter) + extra + " GROUP BY b, level, kind, source ORDER BY b, level, kind, source",
                          5);
        if (!found)
            return found.error();
        std::vector<store::EventBucket> out;
        out.reserve(found->size());
        for (const auto &r : *found)
            out.push_back({toInt(r[0]), store::levelFromInt(toInt(r[1])), r[2], static_cast<std::uint64_t>(toInt(r[4])),
                           r[3]});
        return out;
    }

    Result<std::optional<eventstats::TimeSpan>> eventTimeSpan(const store::EventFilter &filter) const override
    {
        auto found = rows(*m_client,
                          "SELECT min(time_us), max(time_us), count() FROM " + events() + whereSql(filter),
                          3);
        if (!found)
            return found.error();
        if (found->empty() || toInt(found->front()[2]) == 0)
            return std::optional<eventstats::TimeSpan>();
        const auto &r = found->front();
        return std::optional<eventstats::TimeSpan>(eventstats::TimeSpan{toInt(r[0]), toInt(r[1]), toInt(r[2])});
    }

    Result<std::vector<eventstats::ImageStackEntry>> loadedImageStack(const store::EventFilter &filter,
                                                                      eventstats::ImageOrder order,
                                                                      std::int64_t limit,
                                                                      std::int64_t maxHosts) const override
    {
        if (limit <= 0)
            return Error{EINVAL, "the image list needs a positive limit"};
        store::EventFilter loads = filter;
        loads.kind = "image-load";
        const char *orderBy = order == eventstats::ImageOrder::MostLoaded ? " ORDER BY loads DESC, hosts DESC, name"
                                                                          : " ORDER BY hosts, processes, loads, name";
        auto found = rows(*m_client,
                          "SELECT min(image_loaded), count() AS loads, uniqExact(host) AS hosts,"
                          " uniqExact(lower(image)) AS processes, max(level), lower(image_loaded) AS name FROM " +
                              events() + whereSql(loads) + " AND image_loaded != '' GROUP BY name" +
                              (maxHosts > 0 ? " HAVING hosts <= " + std::to_string(maxHosts) : std::string()) +
                              orderBy + " LIMIT " + std::to_string(limit),
                          5);
        if (!found)
            return found.error();
        std::vector<eventstats::ImageStackEntry> out;
        for (const auto &r : *found)
            out.push_back({r[0], toInt(r[1]), toInt(r[2]), toInt(r[3]), store::levelFromInt(toInt(r[4]))});
        return out;
    }

    ImportReport importBundle(const std::string &file, const store::BundleImportOptions &options) override
    {
        return detail::importBundle(*m_client, m_db, file, options, m_options.batchRows);
    }
    Result<std::vector<analysis::SnapshotSummary>> listSnapshots() const override
    {
        return detail::listSnapshots(*m_client, m_db, std::nullopt);
    }
    Result<analysis::StackResult> snapshotStack(const analysis::StackOptions &options) const override
    {
        return detail::stack(*m_client, m_db, options);
    }
    Result<std::vector<analysis::CaseWhoLoadsHit>> whoLoads(const std::string &needle,
                                                            bool allSnapshots) const override
    {
        return detail::whoLoads(*m_client, m_db, needle, allSnapshots);
    }
    Result<analysis::SnapshotDiff> diffSnapshots(std::int64_t before, std::int64_t after) const override
    {
        return detail::diffSnapshots(*m_client, m_db, before, after);
    }
    Result<store::StoredSnapshot> readSnapshot(std::int64_t snapshotId) const override
    {
        return detail::readSnapshot(*m_client, m_db, snapshotId);
    }

    Result<std::map<std::int64_t, eventstats::LevelCounts>> snapshotFindingLevels() const override
    {
        return detail::snapshotFindingLevels(*m_client, m_db);
    }

    Result<std::vector<eventstats::EventHost>> eventHosts() const override
    {
        auto found = rows(*m_client,
                          "SELECT host, count(), min(time_us), max(time_us) FROM " + events() +
                              " GROUP BY host ORDER BY host",
                          4);
        if (!found)
            return found.error();
        std::vector<eventstats::EventHost> out;
        for (const auto &r : *found)
            out.push_back({r[0], toInt(r[1]), toInt(r[2]), toInt(r[3])});
        return out;
    }

private:
    // The events table as a query reads it: without FINAL where each key is stored once
    // (clickhouse_event_writer.h), else with it. A Distributed table's parts are the shards'.
    std::string events() const
    {
        if (!m_distributed) {
            auto verified = detail::eventsVerified(*m_client, m_db);
            if (verified && *verified)
                return m_db + ".events";
        }
        return m_db + ".events FINAL";
    }

    std::shared_ptr<Client> m_client;
    std::vector<std::pair<std::string, std::string>> m_settings;  // what m_client sends
    ClickHouseStoreOptions m_options;
    std::string m_db;
    bool m_distributed;
};

// Errors of the bootstrap client name the system database; say which case was meant.
std::string displayNote(const clickhouse::Endpoint &endpoint)
{
    return " (opening the case " + endpoint.display() + ")";
}

std::int64_t nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// The schema version of the case; 0 when the database or the version table is missing.
Result<int> schemaVersion(Client &client, const std::string &db)
{
    auto exists = rows(client,
                       "SELECT count() FROM system.tables WHERE database = " + quote(db) +
                           " AND name = 'schema_version'",
                       1);
    if (!exists)
        return exists.error();
    if (exists->empty() || toInt(exists->front()[0]) == 0)
        return 0;
    auto version = rows(client, "SELECT max(version) FROM " + db + ".schema_version", 1);
    if (!version)
        return version.error();
    return version->empty() ? 0 : static_cast<int>(toInt(version->front()[0]));
}

Status migrate(Client &client, const ClickHouseSchemaOptions &schema, int from)
{
    for (const auto &m : clickhouseMigrations(schema)) {
        if (m.version <= from)
            continue;
        const auto failed = [&](const Error &e) {
            return Error{e.code, "cannot create the case schema (version " + std::to_string(m.version) +
                                     ") of database " + schema.database + ": " + e.message};
        };
        for (const auto &sql : m.statements)
            if (auto done = client.query(sql); !done)
                return failed(done.error());
        for (const auto &add : m.addColumns) {
            auto present = rows(client,
                                "SELECT count() FROM system.columns WHERE database = " + quote(schema.database) +
                                    " AND table = " + quote(add.table) + " AND name = " + quote(add.column),
                                1);
            if (!present)
                return failed(present.error());
            if (!present->empty() && toInt(present->front()[0]) > 0)
                continue;
            const std::string cluster = schema.cluster.empty() ? "" : " ON CLUSTER " + schema.cluster;
            if (auto done = client.query("ALTER TABLE " + schema.database + "." + add.table + cluster + " ADD COLUMN " +
                                         add.column + " " + add.declaration);
                !done)
                return failed(done.error());
        }
        auto recorded = client.insert("INSERT INTO " + schema.database + ".schema_version FORMAT TabSeparated",
                                      std::to_string(m.version) + "\t" + std::to_string(nowUs()) + "\t" +
                                          tsvEscape(m.description) + "\n");
        if (!recorded)
            return recorded.error();
    }
    return Ok{};
}

} // namespace

Result<std::unique_ptr<CaseStore>> openClickHouseStore(clickhouse::Endpoint endpoint, store::OpenMode mode,
                                                       const ClickHouseStoreOptions &options)
{
    if (!clickhouse::isPlainIdentifier(endpoint.database))
        return Error{EINVAL, "the ClickHouse database name must be letters, digits and _: '" + endpoint.database + "'"};
    if (!options.cluster.empty() && !clickhouse::isPlainIdentifier(options.cluster))
        return Error{EINVAL, "the ClickHouse cluster name must be letters, digits and _: '" + options.cluster + "'"};
    auto client = std::make_shared<Client>(std::move(endpoint));
    // The requests name the database they run in, and the case's may not exist yet: the schema
    // is read and made from `system`, with every name qualified.
    clickhouse::Endpoint bootstrapEndpoint = client->endpoint();
    bootstrapEndpoint.database = "system";
    Client bootstrap(bootstrapEndpoint);
    auto version = schemaVersion(bootstrap, client->endpoint().database);
    if (!version)
        return Error{version.error().code, version.error().message + displayNote(client->endpoint())};
    // Large batches: the duplicate check names up to a batch of keys in one IN list. Old logs
    // span many months, and one insert may touch all their partitions (servers from 19.x on
    // limit that to 100 by default). Only the settings the server knows are sent.
    const std::pair<const char *, const char *> wanted[] = {{"max_query_size", "268435456"},
                                                            {"max_ast_elements", "10000000"},
                                                            {"max_expanded_ast_elements", "10000000"},
                                                            {"max_partitions_per_insert_block", "0"}};
    std::string names;
    for (const auto &[name, value] : wanted)
        names.append(names.empty() ? "" : ", ").append(quote(name));
    auto known = rows(bootstrap, "SELECT name FROM system.settings WHERE name IN (" + names + ")", 1);
    if (!known)
        return Error{known.error().code, known.error().message + displayNote(client->endpoint())};
    std::vector<std::pair<std::string, std::string>> settings;
    for (const auto &[name, value] : wanted)
        if (std::any_of(known->begin(), known->end(), [&](const auto &r) { return r[0] == name; })) {
            client->setSetting(name, value);
            settings.emplace_back(name, value);
        }
    if (*version > kClickHouseSchemaVersion)
        return Error{EPROTO, client->endpoint().display() + " holds a case of schema version " +
                                 std::to_string(*version) + ", made by a newer LoadLens (this one knows up to " +
                                 std::to_string(kClickHouseSchemaVersion) + ")"};
    if (*version < kClickHouseSchemaVersion) {
        if (mode == store::OpenMode::ReadOnly && *version == 0)
            return Error{ENOENT, "no case in " + client->endpoint().display() +
                                     " (create it with 'loadlens-cli case init --case URL', or import into it)"};
        if (mode == store::OpenMode::ReadOnly)
            return Error{EPROTO, client->endpoint().display() + " holds a case of schema version " +
                                     std::to_string(*version) + "; open it once for writing (import) to upgrade it"};
        ClickHouseSchemaOptions schema{client->endpoint().database, options.cluster};
        if (auto s = migrate(bootstrap, schema, *version); !s)
            return s.error();
    }
    // A cluster's events are a Distributed table: its parts live on the shards.
    auto engine = rows(bootstrap,
                       "SELECT engine FROM system.tables WHERE database = " + quote(client->endpoint().database) +
                           " AND name = 'events'",
                       1);
    if (!engine)
        return Error{engine.error().code, engine.error().message + displayNote(client->endpoint())};
    const bool distributed = engine->empty() || engine->front()[0] == "Distributed";
    return std::unique_ptr<CaseStore>(
        std::make_unique<ClickHouseStore>(std::move(client), std::move(settings), options, distributed));
}

} // namespace loadlens::casestore
