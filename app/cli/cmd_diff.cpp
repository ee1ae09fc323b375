// loadlens-cli diff: what changed between two snapshots.
#include "analysis/case_report.h"
#include "analysis/snapshot_diff.h"
#include "arg_parser.h"
#include "casestore/case_store.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"
#include "store/bundle_import.h"

#include <charconv>
#include <iostream>

namespace loadlens::cli {

namespace {

std::optional<std::int64_t> snapshotNumber(const std::string &text)
{
    std::int64_t value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0)
        return std::nullopt;
    return value;
}

// A bundle's snapshot, imported into a scratch case in memory.
Result<std::int64_t> loadBundle(const store::CaseDatabase &scratch, const std::string &file)
{
    ImportReport report = store::importBundle(scratch, file);
    if (!report.errors.empty())
        return Error{0, report.errors.front()};
    auto id = scratch.queryInt("SELECT max(id) FROM snapshots WHERE complete = 1");
    if (!id || *id == 0)
        return Error{0, file + " holds no complete snapshot"};
    return *id;
}

int runDiff(const std::vector<std::string> &args)
{
    ArgParser parser;
    withOutputOption(parser.option("--case").flag("--json"));
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    if (parser.positional().size() != 2)
        return failWith("diff needs two snapshots A and B (ids from 'loadlens-cli case', or two bundle files)", 2);
    const auto &a = parser.positional()[0];
    const auto &b = parser.positional()[1];
    const auto idA = snapshotNumber(a);
    const auto idB = snapshotNumber(b);
    if (bool(idA) != bool(idB))
        return failWith("diff compares two snapshot ids of the case, or two bundle files, not one of each", 2);
    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;

    Result<analysis::SnapshotDiff> diff = Error{0, ""};
    if (idA) {
        // Snapshots of the case, on whichever store holds it.
        auto store = openStore(casePathFrom(parser), store::OpenMode::ReadOnly);
        if (!store)
            return failWith(store.error().message, 1);
        diff = (*store)->diffSnapshots(*idA, *idB);
    } else {
        auto db = store::CaseDatabase::open(":memory:", store::OpenMode::ReadWrite);
        if (!db)
            return failWith(db.error().message, 1);
        auto first = loadBundle(*db, a);
        if (!first)
            return failWith(first.error().message, 1);
        auto second = loadBundle(*db, b);
        if (!second)
            return failWith(second.error().message, 1);
        diff = analysis::diffSnapshots(*db, *first, *second);
    }
    if (!diff)
        return failWith(diff.error().message, 1);
    if (parser.has("--json"))
        output.stream() << analysis::diffToJson(*diff).dump(1) << "\n";
    else
        analysis::writeDiff(output.stream(), *diff);
    return output.finish();
}

} // namespace

LOADLENS_CLI_COMMAND({"diff", "what changed between two snapshots (ids or bundle files)",
                      R"(Usage: loadlens-cli diff [OPTIONS] A B

Compares snapshot A (before) with snapshot B (after): modules added, removed or with a
different SHA-256, per process executable and for the host as a whole; findings that are
new or resolved; loader configuration and host facts that differ. A and B are snapshot ids
of the case ('loadlens-cli case' lists them) or two bundle files.

Options:
  --case FILE|URL        the case (default: $XDG_DATA_HOME/loadlens/case.sqlite), or a
                         ClickHouse case (clickhouse://HOST:PORT/DATABASE)
  --json                 machine-readable output
)" + std::string(kOutputOptionHelp),
                      &runDiff});

} // namespace loadlens::cli
