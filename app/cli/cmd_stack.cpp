// loadlens-cli stack: how common each module is across the hosts of the case, rarest first.
#include "analysis/case_queries.h"
#include "analysis/case_report.h"
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"

#include <iostream>

namespace loadlens::cli {

namespace {

int runStack(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--case").option("--rare").option("--by").option("--limit").flag("--all-snapshots").flag("--json");
    withOutputOption(parser);
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    if (!parser.positional().empty())
        return failWith("stack takes no argument '" + parser.positional().front() + "'", 2);
    analysis::StackOptions options;
    const std::string by = parser.value("--by").value_or("hash");
    if (by == "name")
        options.by = analysis::StackBy::Name;
    else if (by != "hash")
        return failWith("--by takes name or hash, not '" + by + "'", 2);
    auto rare = parser.integer("--rare");
    auto limit = parser.integer("--limit");
    if (!rare || !limit)
        return failWith((rare ? limit.error() : rare.error()).message, 2);
    if (*rare) {
        if (**rare < 1)
            return failWith("--rare needs a number of hosts of at least 1", 2);
        options.maxHosts = **rare;
    }
    if (*limit)
        options.limit = std::max<long long>(0, **limit);
    options.allSnapshots = parser.has("--all-snapshots");
    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;

    auto db = openCase(casePathFrom(parser), store::OpenMode::ReadOnly);
    if (!db)
        return failWith(db.error().message, 1);
    auto result = analysis::stack(*db, options);
    if (!result)
        return failWith(result.error().message, 1);
    if (parser.has("--json"))
        output.stream() << analysis::stackToJson(*result, options.by).dump(1) << "\n";
    else
        analysis::writeStack(output.stream(), *result, options.by);
    return output.finish();
}

} // namespace

LOADLENS_CLI_COMMAND({"stack", "modules across the hosts of the case, rarest first",
                      R"(Usage: loadlens-cli stack [OPTIONS]

For each module (path + SHA-256, or file name only), on how many hosts and in how many
processes it appears, rarest first: what only one or two hosts load deserves a look.
Counts the latest snapshot of each host unless --all-snapshots.

Options:
  --case FILE            the case (default: $XDG_DATA_HOME/loadlens/case.sqlite)
  --rare N               only modules seen on at most N hosts
  --by hash|name         group by path and SHA-256 (default) or by file name
  --limit N              at most N rows
  --all-snapshots        count every snapshot, not only the latest per host
  --json                 machine-readable output
)" + std::string(kOutputOptionHelp),
                      &runStack});

} // namespace loadlens::cli
