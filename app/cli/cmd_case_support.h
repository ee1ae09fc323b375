#pragma once
// What the case commands (import, diff, stack, case, who-loads --case) share: where the case
// is, opening it with a message for the user, and the progress line.
#include "arg_parser.h"
#include "common/cancel.h"
#include "store/case_database.h"

#include <cstdint>
#include <memory>
#include <string>

namespace loadlens::casestore {
class CaseStore;
}

namespace loadlens::cli {

// --case FILE|URL, else $XDG_DATA_HOME/loadlens/case.sqlite.
std::string casePathFrom(const ArgParser &args);
// The SQLite case file (case check). ReadOnly: a missing case is an error that says how to make
// one; a ClickHouse URL is an error.
Result<store::CaseDatabase> openCase(const std::string &path, store::OpenMode mode);
// The case on any store (the event and snapshot commands, import): a file or a clickhouse:// URL.
// `batchRows`: rows per INSERT on ClickHouse (OpenOptions::batchRows).
Result<std::unique_ptr<casestore::CaseStore>> openStore(const std::string &location, store::OpenMode mode,
                                                       std::size_t batchRows = 0);

// A time in microseconds since the epoch as ISO 8601 UTC with microseconds.
std::string isoTime(std::int64_t us);

// Prints "loadlens-cli: MESSAGE" on stderr and returns `status`.
int failWith(const std::string &message, int status);

// A progress line on stderr when it is a terminal (and not --quiet); empty otherwise.
ProgressFn progressLine(bool quiet);
void clearProgressLine(const ProgressFn &progress);

} // namespace loadlens::cli
