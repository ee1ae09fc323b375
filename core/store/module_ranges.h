#pragma once
// The mapped ranges of a module as the case stores them: relative to the module's start (its
// first range), so that one library mapped at different addresses in many processes has one
// stored form ("0-1000 r--p 0;1000-5000 r-xp 1000;..."), interned in module_shapes. The
// absolute form ("7f..-7f.. r--p 0;...") is what schema versions before 4 kept in each module row.
#include "common/types.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

struct sqlite3;

namespace loadlens::store {

// "start-end perms offset;..." in hex, each address minus `base` (modulo 2^64, so any base
// round-trips).
std::string rangesText(const std::vector<MappedRange> &ranges, std::uint64_t base = 0);
// Parses that form, adding `base` back; a malformed entry is left out.
std::vector<MappedRange> rangesFromText(std::string_view text, std::uint64_t base = 0);

// Registers loadlens_relative_ranges(start, absolute text) and loadlens_absolute_ranges(start,
// relative text) on a connection, for migrations and for imports of bundles of either form.
// Direct-only: a schema cannot call them.
int registerRangeFunctions(sqlite3 *db);

} // namespace loadlens::store
