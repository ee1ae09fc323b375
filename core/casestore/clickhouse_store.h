#pragma once
// The case on a ClickHouse server, over its HTTP interface (clickhouse::Client).
#include "casestore/case_store.h"
#include "casestore/clickhouse_schema.h"
#include "clickhouse/client.h"

#include <memory>

namespace loadlens::casestore {

struct ClickHouseStoreOptions {
    std::size_t batchRows = 100000;  // rows per INSERT (events; each snapshot table)
    std::size_t batchBytes = 16u << 20;  // events: and at most about this many bytes per INSERT
    std::string cluster;             // case init: create the cluster form of the schema
};

// Connects and checks the schema: ReadOnly needs a case there (schema version table); ReadWrite
// creates the database and tables or brings them to the current version.
Result<std::unique_ptr<CaseStore>> openClickHouseStore(clickhouse::Endpoint endpoint, store::OpenMode mode,
                                                       const ClickHouseStoreOptions &options = {});

// Text of TabSeparated fields: ClickHouse's escaping, both ways.
std::string tsvEscape(std::string_view text);
std::string tsvUnescape(std::string_view text);
std::vector<std::string> tsvFields(std::string_view line);

} // namespace loadlens::casestore
