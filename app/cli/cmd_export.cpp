// loadlens-cli export: a scan (or, later, a case) as CSV, JSON, ECS NDJSON or a STIX bundle.
#include "arg_parser.h"
#include "command_registry.h"
#include "pkg/hash_cache.h"

#include "export/export.h"
#include "report/scan_filter.h"
#include "scan/scanner.h"

#include <fstream>
#include <iostream>

namespace loadlens::cli {

namespace {

constexpr const char *kUsage =
    "usage: loadlens-cli export --format csv|json|ecs|stix [options]\n"
    "\n"
    "Exports a live scan. csv and json write one table; ecs writes Elastic Common Schema\n"
    "NDJSON for the _bulk API (an action line before each document); stix writes a STIX 2.1\n"
    "bundle (observed-data, indicators and sightings, ATT&CK attack-patterns, M1044).\n"
    "\n"
    "  --format F          csv, json, ecs or stix (required)\n"
    "  --table T           processes, modules (default) or findings; csv and json only\n"
    "  --pid N             only this process\n"
    "  --min-level L       only modules at or above ok|info|low|medium|high\n"
    "  -o FILE             write to FILE instead of standard output\n"
    "  --index NAME        ecs: the _index of the action lines (default loadlens-modules)\n"
    "  --no-action-lines   ecs: documents only, one a line\n"
    "  --alert-level L     ecs: event.kind alert from this level (default medium)\n"
    "  --hash-cache PATH   reuse file digests from this SQLite cache\n"
    "                      (default: $XDG_DATA_HOME/loadlens/hash-cache.sqlite)\n"
    "\n"
    "Examples:\n"
    "  loadlens-cli export --format csv --min-level medium -o modules.csv\n"
    "  loadlens-cli export --format ecs | curl -H 'Content-Type: application/x-ndjson' \\\n"
    "      --data-binary @- http://localhost:9200/_bulk\n"
    "  loadlens-cli export --format stix --pid 1234 -o case.stix.json\n";

// A live scan, narrowed like `loadlens-cli scan`.
exporting::ExportSource liveScanSource(scan::ScanOptions options, report::ScanFilter filter)
{
    return [options = std::move(options), filter = std::move(filter)]() -> Result<exporting::ExportData> {
        auto filtered = report::applyFilter(scan::runScan(options), filter);
        if (!filtered)
            return filtered.error();
        if (filter.pid && filtered->processes.empty() && filter.keepEmptyProcesses)
            return Error{ESRCH, "no process with pid " + std::to_string(*filter.pid)};
        return exporting::ExportData{std::move(filtered.value()), {}};
    };
}

int fail(int status, const std::string &message)
{
    std::cerr << "loadlens-cli export: " << message << "\n";
    return status;
}

int runExport(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--format").option("--table").option("--pid").option("--min-level").option("-o");
    parser.option("--index").option("--alert-level").option("--hash-cache").flag("--no-action-lines");
    if (auto parsed = parser.parse(args); !parsed)
        return fail(2, parsed.error().message);
    if (!parser.positional().empty())
        return fail(2, "unexpected argument '" + parser.positional().front() + "'");

    exporting::ExportRequest request;
    const auto format = exporting::parseExportFormat(parser.value("--format").value_or(""));
    if (!format)
        return fail(2, "--format must be csv, json, ecs or stix");
    request.format = *format;
    if (auto table = parser.value("--table")) {
        const auto which = exporting::parseScanTable(*table);
        if (!which)
            return fail(2, "--table must be processes, modules or findings");
        if (request.format != exporting::ExportFormat::Csv && request.format != exporting::ExportFormat::Json)
            return fail(2, "--table applies to csv and json; ecs and stix cover modules and findings");
        request.table = *which;
    }
    const auto levelOption = [&](const std::string &name, Level fallback) -> std::optional<Level> {
        const auto text = parser.value(name);
        return text ? parseLevel(*text) : std::optional<Level>(fallback);
    };
    const auto minLevel = levelOption("--min-level", Level::Ok);
    const auto alertLevel = levelOption("--alert-level", Level::Medium);
    if (!minLevel || !alertLevel)
        return fail(2, "levels are ok, info, low, medium or high");
    request.ecs.alertLevel = *alertLevel;
    request.ecs.index = parser.value("--index").value_or("");
    request.ecs.actionLines = !parser.has("--no-action-lines");
    auto pid = parser.integer("--pid");
    if (!pid)
        return fail(2, pid.error().message);

    scan::ScanOptions scanOptions;
    report::ScanFilter filter;
    if (*pid) {
        scanOptions.pid = static_cast<int>(**pid);
        scanOptions.probeHiddenPids = false;
        filter.pid = scanOptions.pid;
    }
    scanOptions.hashCachePath = parser.value("--hash-cache").value_or(pkg::defaultHashCachePath());
    filter.minLevel = *minLevel;
    filter.keepEmptyProcesses = *minLevel == Level::Ok;

    auto data = liveScanSource(scanOptions, filter)();
    if (!data)
        return fail(1, data.error().message);

    const auto outputPath = parser.value("-o");
    std::ofstream file;
    if (outputPath) {
        file.open(*outputPath, std::ios::binary | std::ios::trunc);
        if (!file)
            return fail(1, "cannot write " + *outputPath + ": " + std::strerror(errno));
    }
    std::ostream &out = outputPath ? static_cast<std::ostream &>(file) : std::cout;
    if (auto written = exporting::writeExport(out, *data, request); !written)
        return fail(1, written.error().message + (outputPath ? " (" + *outputPath + ")" : ""));
    out.flush();
    if (!out)
        return fail(1, "writing " + outputPath.value_or("standard output") + " failed");
    return 0;
}

} // namespace

LOADLENS_CLI_COMMAND({"export", "export a scan as CSV, JSON, ECS NDJSON or a STIX 2.1 bundle", kUsage, &runExport});

} // namespace loadlens::cli
