#pragma once
// The 100-byte header of a SQLite file, read without SQLite: format detection looks at it
// before choosing an importer, and open() uses it to notice a truncated file before queries
// fail half-way.
#include <cstdint>
#include <optional>
#include <string_view>

namespace loadlens::store {

struct SqliteHeader {
    std::uint32_t pageSize = 0;
    std::uint32_t pageCount = 0;   // in-header database size; 0 when not trustworthy
    std::int32_t applicationId = 0;
    std::uint32_t userVersion = 0;
};

inline constexpr std::size_t kSqliteHeaderSize = 100;

// nullopt unless `bytes` starts with the "SQLite format 3" magic and holds a whole header.
std::optional<SqliteHeader> parseSqliteHeader(std::string_view bytes);

} // namespace loadlens::store
