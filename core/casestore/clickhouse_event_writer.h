#pragma once
// The event writer of a ClickHouse case, and the record that lets the event queries read the
// events table without FINAL where no key is stored twice.
#include "clickhouse/client.h"
#include "store/event_store.h"

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

namespace loadlens::casestore::detail {

struct EventInsertLimits {
    std::size_t rows = 100000;            // events per INSERT
    std::size_t bytes = 16u << 20;        // and at most about this many bytes of rows per INSERT
};

// Batched and idempotent (see clickhouse_schema.h): each batch's keys are looked up and the
// events already stored left out; the batch goes to the server as RowBinary on a connection of
// its own (`makeClient`) while the next batch is filled. `verify`: after the last
// insert, checks the partitions it touched (verifyEventPartitions); for one server, not a
// cluster's Distributed table.
std::unique_ptr<store::EventBatchWriter> clickhouseEventWriter(std::shared_ptr<clickhouse::Client> client,
                                                               std::function<std::unique_ptr<clickhouse::Client>()> makeClient,
                                                               std::string database, EventInsertLimits limits,
                                                               bool verify);

// For every partition of DB.events holding parts inserted since it was last checked: when no
// two of its rows share a key, records it in DB.events_verified up to its highest block number;
// else merges it (OPTIMIZE ... FINAL, which keeps the row inserted last, as FINAL does) and
// checks it again. A partition written to during the check stays unchecked.
Status verifyEventPartitions(clickhouse::Client &client, const std::string &db);

// True when every active part of DB.events lies within the checked blocks of its partition:
// then no key is stored twice and a query without FINAL gives the answer FINAL gives.
Result<bool> eventsVerified(clickhouse::Client &client, const std::string &db);

} // namespace loadlens::casestore::detail
