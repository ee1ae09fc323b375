// loadlens-cli stack: how common each module is across the hosts of the case, rarest first.
#include "analysis/case_queries.h"
#include "analysis/case_report.h"
#include "arg_parser.h"
#include "casestore/case_store.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"

#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

namespace loadlens::cli {

namespace {

// stack --events: the images that image-load events name, grouped case-insensitively by path,
// counted in the store (SQLite or ClickHouse), rarest first.
int stackEvents(const std::string &location, const analysis::StackOptions &options, bool json, std::ostream &out)
{
    auto db = openStore(location, store::OpenMode::ReadOnly);
    if (!db)
        return failWith(db.error().message, 1);
    const std::int64_t limit = options.limit > 0 ? options.limit : 1000;
    auto stack = (*db)->loadedImageStack({}, eventstats::ImageOrder::Rarest, limit, options.maxHosts.value_or(0));
    if (!stack)
        return failWith(stack.error().message, 1);
    if (json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto &e : *stack)
            list.push_back({{"image", e.image}, {"loads", e.loads}, {"hosts", e.hosts}, {"processes", e.processes},
                            {"max_level", std::string(levelName(e.maxLevel))}});
        out << list.dump(1) << "\n";
        return 0;
    }
    out << "hosts  procs  loads  level   image\n";
    for (const auto &e : *stack) {
        char counts[64];
        std::snprintf(counts, sizeof counts, "%5lld  %5lld  %5lld  %-6s  ", static_cast<long long>(e.hosts),
                      static_cast<long long>(e.processes), static_cast<long long>(e.loads),
                      std::string(levelName(e.maxLevel)).c_str());
        out << counts << e.image << "\n";
    }
    out << stack->size() << " images\n";
    return 0;
}

int runStack(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--case").option("--rare").option("--by").option("--limit").flag("--all-snapshots").flag("--json")
        .flag("--events");
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
    if (parser.has("--events")) {
        if (parser.has("--by") || options.allSnapshots)
            return failWith("--by and --all-snapshots are for snapshots; --events groups loaded images by path", 2);
        return output.finish(stackEvents(casePathFrom(parser), options, parser.has("--json"), output.stream()));
    }

    auto db = openStore(casePathFrom(parser), store::OpenMode::ReadOnly);
    if (!db)
        return failWith(db.error().message, 1);
    auto result = (*db)->snapshotStack(options);
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
  --case FILE|URL        the case (default: $XDG_DATA_HOME/loadlens/case.sqlite), or a
                         ClickHouse case (clickhouse://HOST:PORT/DATABASE)
  --events               stack the images of the case's image-load events (Sysmon 7)
                         instead of snapshots
  --rare N               only modules seen on at most N hosts
  --by hash|name         group by path and SHA-256 (default) or by file name
  --limit N              at most N rows
  --all-snapshots        count every snapshot, not only the latest per host
  --json                 machine-readable output
)" + std::string(kOutputOptionHelp),
                      &runStack});

} // namespace loadlens::cli
