#pragma once
// Forward migrations of the case schema. Migration N turns a version N-1 database into
// version N; a new version appends one entry to the list in schema.cpp.
#include <span>

namespace loadlens::store {

struct Migration {
    int version;
    const char *sql;
};

std::span<const Migration> migrations();

// Secondary event indexes: left out during a bulk load into an empty table, built afterwards.
extern const char *const kEventIndexesSql;
extern const char *const kDropEventIndexesSql;

} // namespace loadlens::store
