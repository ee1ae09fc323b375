#include "casestore/clickhouse_event_writer.h"

#include "casestore/clickhouse_schema.h"
#include "casestore/clickhouse_snapshots.h"
#include "casestore/clickhouse_store.h"
#include "store/json_codec.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <map>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

namespace loadlens::casestore::detail {

namespace {

using clickhouse::Client;
using clickhouse::quote;

// ClickHouse's RowBinary: strings as a LEB128 length and the bytes, integers little-endian.
// The server reads it without the unescaping and number parsing of TabSeparated.
class RowBinary {
public:
    explicit RowBinary(std::string &out) : m_out(out) {}
    RowBinary &text(std::string_view value)
    {
        std::uint64_t n = value.size();
        while (n >= 0x80) {
            m_out.push_back(static_cast<char>((n & 0x7f) | 0x80));
            n >>= 7;
        }
        m_out.push_back(static_cast<char>(n));
        m_out.append(value);
        return *this;
    }
    RowBinary &int64(std::int64_t value) { return fixed(static_cast<std::uint64_t>(value), 8); }
    RowBinary &int32(std::int32_t value) { return fixed(static_cast<std::uint32_t>(value), 4); }
    RowBinary &uint8(unsigned value) { return fixed(value, 1); }

private:
    RowBinary &fixed(std::uint64_t value, int bytes)
    {
        char buf[8];
        for (int i = 0; i < bytes; ++i, value >>= 8)
            buf[i] = static_cast<char>(value & 0xff);
        m_out.append(buf, static_cast<std::size_t>(bytes));
        return *this;
    }
    std::string &m_out;
};

// One event in clickhouseEventColumns() order and types (clickhouse_schema.cpp).
void appendEventRow(std::string &out, const LoadEvent &e, std::string_view key)
{
    RowBinary row(out);
    row.text(e.host).text(e.channel).text(key).int64(static_cast<std::int64_t>(e.recordId)).int64(e.timeUs)
        .text(e.source).int32(e.eventId).text(e.kind).uint8(static_cast<unsigned>(e.verdict.level))
        .text(store::reasonsToJson(e.verdict)).text(e.processGuid).int64(e.pid).text(e.image).text(e.imageLoaded)
        .text(e.user).text(e.hashes).text(e.signedField).text(e.signature).text(e.signatureStatus)
        .uint8(static_cast<unsigned>(e.signatureState)).text(e.commandLine).text(e.parentImage)
        .text(store::mapToJson(e.fields)).text(e.sourceFile).int64(static_cast<std::int64_t>(e.sourceOffset))
        .uint8(e.recovered ? 1 : 0);
}

std::string identity(std::string_view host, std::string_view channel, std::string_view key)
{
    std::string id;
    id.reserve(host.size() + channel.size() + key.size() + 2);
    id.append(host).push_back('\0');
    id.append(channel).push_back('\0');
    id.append(key);
    return id;
}

class ClickHouseEventWriter final : public store::EventBatchWriter {
public:
    ClickHouseEventWriter(std::shared_ptr<Client> client, std::function<std::unique_ptr<Client>()> makeClient,
                          std::string database, EventInsertLimits limits, bool verify)
        : m_client(std::move(client)), m_makeClient(std::move(makeClient)), m_database(std::move(database)),
          m_limits{std::max<std::size_t>(1, limits.rows), std::max<std::size_t>(1, limits.bytes)}, m_verify(verify)
    {
    }
    ~ClickHouseEventWriter() override
    {
        if (m_inflight.valid())
            m_inflight.wait();
    }

    Status add(const LoadEvent &e) override
    {
        if (m_error)
            return *m_error;
        const std::string key = store::eventKey(e);
        Pending p;
        p.id = identity(e.host, e.channel, key);
        p.hostSize = e.host.size();
        p.keyAt = e.host.size() + e.channel.size() + 2;
        p.timeUs = e.timeUs;
        p.recovered = e.recovered;
        if (m_rows.capacity() == 0)
            m_rows.reserve(std::min<std::size_t>(m_limits.bytes, 1u << 20));
        appendEventRow(m_rows, e, key);
        p.rowEnd = m_rows.size();
        m_pending.push_back(std::move(p));
        if (m_pending.size() >= m_limits.rows || m_rows.size() >= m_limits.bytes)
            return flush();
        return Ok{};
    }

    Status finish() override
    {
        if (m_error)
            return *m_error;
        if (auto s = flush(); !s)
            return s;
        if (auto s = awaitInsert(); !s)
            return s;
        // The events are stored whatever the check finds; a check that fails only leaves the
        // queries reading with FINAL.
        if (m_verify && m_inserted)
            (void)verifyEventPartitions(*m_client, m_database);
        return Ok{};
    }

    const std::optional<Error> &error() const override { return m_error; }
    const store::EventWriteCounts &counts() const override { return m_counts; }

private:
    struct Pending {
        std::string id;            // host \0 channel \0 key
        std::size_t hostSize = 0;  // id[0, hostSize) is the host
        std::size_t keyAt = 0;     // id[keyAt, end) is the key
        std::size_t rowEnd = 0;    // the row is m_rows[previous rowEnd, rowEnd)
        std::int64_t timeUs = 0;
        bool recovered = false;
    };

    // The events of the batch already stored: their identity, with whether a live row holds it
    // (true) or only recovered ones. The batch's hosts and time range (the sorting key's first
    // two columns) bound what the server reads; when nothing is stored there (a first import),
    // no key is looked up. Without FINAL: a key stored twice is still a key that is there.
    Result<std::unordered_map<std::string, bool>> storedKeys()
    {
        std::int64_t from = m_pending.front().timeUs, to = from;
        std::unordered_set<std::string_view> hosts;
        for (const auto &p : m_pending) {
            from = std::min(from, p.timeUs);
            to = std::max(to, p.timeUs);
            hosts.insert(std::string_view(p.id).substr(0, p.hostSize));
        }
        std::string range = " WHERE time_us >= " + std::to_string(from) + " AND time_us <= " + std::to_string(to);
        if (hosts.size() <= 1000) {
            std::string in;
            for (const auto &h : hosts)
                in.append(in.empty() ? "" : ",").append(quote(h));
            range += " AND host IN (" + in + ")";
        }
        auto present = rows(*m_client, "SELECT count() FROM " + m_database + ".events" + range, 1);
        if (!present)
            return present.error();
        std::unordered_map<std::string, bool> out;
        if (present->empty() || toInt(present->front()[0]) == 0)
            return out;
        // The keys travel as external data: parsed as rows, not as 100,000 SQL literals (a key
        // twice in it is harmless: it is a set).
        std::string keyRows;
        keyRows.reserve(m_pending.size() * 32);
        for (const auto &p : m_pending)
            keyRows.append(tsvEscape(std::string_view(p.id).substr(p.keyAt))).push_back('\n');
        const Client::ExternalTable batchKeys{"batch_keys", "event_key String", keyRows};
        auto found = rows(*m_client,
                          "SELECT host, channel, event_key, min(recovered) FROM " + m_database + ".events" + range +
                              " AND event_key IN batch_keys GROUP BY host, channel, event_key",
                          4, &batchKeys);
        if (!found)
            return found.error();
        for (const auto &r : *found)
            out.emplace(identity(r[0], r[1], r[2]), toInt(r[3]) == 0);
        return out;
    }

    // The batch being inserted: its counts are added once the server has stored it.
    Status awaitInsert()
    {
        if (!m_inflight.valid())
            return Ok{};
        Status inserted = m_inflight.get();
        if (!inserted)
            return fail(inserted.error());
        add(m_counts, m_inflightCounts);
        m_inflightCounts = {};
        m_inserted = true;
        return Ok{};
    }

    Status flush()
    {
        if (m_pending.empty())
            return Ok{};
        // The previous batch is stored before this one's keys are looked up (while it is being
        // stored, this one was encoded).
        if (auto s = awaitInsert(); !s)
            return s;
        auto stored = storedKeys();
        if (!stored)
            return fail(stored.error());
        // A key stored before, or seen earlier in this batch, is a duplicate, except that a
        // live event replaces a recovered one: inserted after it, it is the row FINAL and the
        // merges keep. A recovered row it replaces within the batch is not sent at all.
        constexpr std::size_t kNotSent = std::size_t(-1);
        struct Seen {
            bool live;
            std::size_t sent;  // index of the batch's row that holds it, or kNotSent
        };
        store::EventWriteCounts counts;
        std::unordered_map<std::string_view, Seen> seen;
        seen.reserve(m_pending.size());
        std::vector<bool> send(m_pending.size(), false);
        for (std::size_t i = 0; i < m_pending.size(); ++i) {
            const Pending &p = m_pending[i];
            auto it = seen.find(p.id);
            if (it == seen.end() && !stored->empty())
                if (auto before = stored->find(p.id); before != stored->end())
                    it = seen.emplace(p.id, Seen{before->second, kNotSent}).first;
            if (it == seen.end()) {
                seen.emplace(p.id, Seen{!p.recovered, i});
                send[i] = true;
                ++(p.recovered ? counts.recoveredImported : counts.imported);
            } else if (!p.recovered && !it->second.live) {
                ++counts.recoveredReplaced;
                if (it->second.sent != kNotSent)
                    send[it->second.sent] = false;
                it->second = Seen{true, i};
                send[i] = true;
                ++counts.imported;
            } else {
                ++(p.recovered ? counts.recoveredDuplicates : counts.duplicates);
            }
        }
        seen = {};
        stored->clear();
        const bool sendAll = std::all_of(send.begin(), send.end(), [](bool b) { return b; });
        std::string body;
        if (sendAll) {
            body = std::move(m_rows);
        } else {
            std::size_t begin = 0;
            for (std::size_t i = 0; i < m_pending.size(); begin = m_pending[i].rowEnd, ++i)
                if (send[i])
                    body.append(m_rows, begin, m_pending[i].rowEnd - begin);
        }
        m_pending.clear();
        m_rows = std::string();
        if (body.empty()) {
            add(m_counts, counts);
            return Ok{};
        }
        if (!m_inserter)
            m_inserter = m_makeClient();
        std::string columns;
        for (const auto &c : clickhouseEventColumns())
            columns.append(columns.empty() ? "" : ", ").append(c);
        m_inflightCounts = counts;
        m_inflight = std::async(std::launch::async,
                                [client = m_inserter.get(),
                                 sql = "INSERT INTO " + m_database + ".events (" + columns + ") FORMAT RowBinary",
                                 body = std::move(body)]() -> Status { return client->insert(sql, body); });
        return Ok{};
    }

    static void add(store::EventWriteCounts &to, const store::EventWriteCounts &from)
    {
        to.imported += from.imported;
        to.duplicates += from.duplicates;
        to.recoveredImported += from.recoveredImported;
        to.recoveredDuplicates += from.recoveredDuplicates;
        to.recoveredReplaced += from.recoveredReplaced;
    }

    Status fail(const Error &error)
    {
        // The batch is lost as a whole; the batches inserted before stay.
        m_pending.clear();
        m_rows = std::string();
        m_error = error;
        return error;
    }

    std::shared_ptr<Client> m_client;
    std::function<std::unique_ptr<Client>()> m_makeClient;
    std::unique_ptr<Client> m_inserter;
    std::future<Status> m_inflight;
    store::EventWriteCounts m_inflightCounts;
    std::string m_database;
    EventInsertLimits m_limits;
    bool m_verify;
    bool m_inserted = false;
    std::vector<Pending> m_pending;
    std::string m_rows;  // the pending events, RowBinary
    store::EventWriteCounts m_counts;
    std::optional<Error> m_error;
};

// Partition id -> the highest block number of its active parts.
Result<std::map<std::string, std::int64_t>> activeBlocks(Client &client, const std::string &db)
{
    auto found = rows(client,
                      "SELECT partition_id, max(max_block_number) FROM system.parts WHERE database = " + quote(db) +
                          " AND table = 'events' AND active GROUP BY partition_id",
                      2);
    if (!found)
        return found.error();
    std::map<std::string, std::int64_t> out;
    for (const auto &r : *found)
        out[r[0]] = toInt(r[1]);
    return out;
}

std::int64_t nowUs()
{
    return std::chrono::duration_cast<std::chrono::microseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

} // namespace

std::unique_ptr<store::EventBatchWriter> clickhouseEventWriter(std::shared_ptr<Client> client,
                                                               std::function<std::unique_ptr<Client>()> makeClient,
                                                               std::string database, EventInsertLimits limits,
                                                               bool verify)
{
    return std::make_unique<ClickHouseEventWriter>(std::move(client), std::move(makeClient), std::move(database),
                                                   limits, verify);
}

Status verifyEventPartitions(Client &client, const std::string &db)
{
    // Merges never store a key twice, so a partition without duplicates up to block N stays so
    // until a later insert, whose block is higher. The two counts are taken while no insert
    // went into the partition (its highest block the same before and after): the FINAL count
    // is then what merges cannot change, and the plain count equals it only without duplicates.
    for (int attempt = 0; attempt < 2; ++attempt) {
        auto before = activeBlocks(client, db);
        if (!before)
            return before.error();
        auto checked = rows(client, "SELECT partition_id, max(max_block) FROM " + db + ".events_verified GROUP BY partition_id", 2);
        if (!checked)
            return checked.error();
        std::map<std::string, std::int64_t> upTo;
        for (const auto &r : *checked)
            upTo[r[0]] = toInt(r[1]);
        bool merged = false;
        for (const auto &[partition, maxBlock] : *before) {
            if (maxBlock <= upTo[partition])
                continue;
            const std::string where = " WHERE startsWith(_part, " + quote(partition + "_") + ")";
            auto plain = rows(client, "SELECT count() FROM " + db + ".events" + where, 1);
            if (!plain)
                return plain.error();
            auto distinct = rows(client, "SELECT count() FROM " + db + ".events FINAL" + where, 1);
            if (!distinct)
                return distinct.error();
            auto after = activeBlocks(client, db);
            if (!after)
                return after.error();
            if ((*after)[partition] != maxBlock)
                continue;  // written to meanwhile: the next import checks it
            if (plain->empty() || distinct->empty() || plain->front()[0] != distinct->front()[0]) {
                // Keys stored twice (a live event over a recovered one, an import that raced):
                // merged, the partition holds each key once.
                if (auto s = client.query("OPTIMIZE TABLE " + db + ".events PARTITION ID " + quote(partition) + " FINAL");
                    !s)
                    return s.error();
                merged = true;
                continue;
            }
            if (auto s = client.insert("INSERT INTO " + db + ".events_verified (partition_id, max_block, verified_us) FORMAT TabSeparated",
                                       tsvEscape(partition) + "\t" + std::to_string(maxBlock) + "\t" +
                                           std::to_string(nowUs()) + "\n");
                !s)
                return s.error();
        }
        if (!merged)
            break;
    }
    return Ok{};
}

Result<bool> eventsVerified(Client &client, const std::string &db)
{
    auto found = rows(client,
                      "SELECT count() FROM system.parts ANY LEFT JOIN (SELECT partition_id, max(max_block) AS checked FROM " +
                          db + ".events_verified GROUP BY partition_id) USING partition_id WHERE database = " +
                          quote(db) + " AND table = 'events' AND active AND max_block_number > checked",
                      1);
    if (!found)
        return found.error();
    return !found->empty() && toInt(found->front()[0]) == 0;
}

} // namespace loadlens::casestore::detail
