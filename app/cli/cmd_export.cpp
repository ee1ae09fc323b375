// loadlens-cli export: a scan (or, later, a case) as CSV, JSON, ECS NDJSON or a STIX bundle.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "pkg/hash_cache.h"
#include "report_output.h"

#include "export/export.h"
#include "report/scan_filter.h"
#include "scan/scanner.h"

#include <iostream>

namespace loadlens::cli {

namespace {

constexpr const char *kUsage =
    "usage: loadlens-cli export --format csv|json|ecs|stix [options]\n"
    "\n"
    "Exports a live scan. csv and json write one table; ecs writes Elastic Common Schema\n"
    "NDJSON for the _bulk API (an action line before each document); stix writes a STIX 2.1\n"
    "bundle (observed-data, indicators and sightings; ATT&CK techniques and M1044 are\n"
    "referred to by MITRE's ids, never re-emitted).\n"
    "\n"
    "  --format F          csv, json, ecs or stix (required)\n"
    "  --table T           processes, modules (default) or findings; csv and json only\n"
    "  --pid N             only this process\n"
    "  --min-level L       only modules at or above ok|info|low|medium|high\n"
    "  -o, --output FILE   write to FILE (complete or not at all) instead of standard output\n"
    "  --index NAME        ecs: the _index of the action lines (default loadlens-modules)\n"
    "  --no-action-lines   ecs: documents only, one a line\n"
    "  --alert-level L     ecs: event.kind alert from this level (default medium)\n"
    "  --hash-cache PATH   reuse file digests from this SQLite cache\n"
    "                      (default: $XDG_DATA_HOME/loadlens/hash-cache.sqlite)\n"
    "  --quiet             no progress on standard error\n"
    "\n"
    "Examples:\n"
    "  loadlens-cli export --format csv --min-level medium -o modules.csv\n"
    "  loadlens-cli export --format ecs | curl -H 'Content-Type: application/x-ndjson' \\\n"
    "      --data-binary @- http://localhost:9200/_bulk\n"
    "  loadlens-cli export --format stix --pid 1234 -o case.stix.json\n";

// A live scan, narrowed like `loadlens-cli scan`, with a progress line on a terminal.
exporting::ExportSource liveScanSource(scan::ScanOptions options, report::ScanFilter filter, ProgressFn progress)
{
    return [options = std::move(options), filter = std::move(filter),
            progress = std::move(progress)]() -> Result<exporting::ExportData> {
        ScanResult scan = scan::runScan(options, progress);
        clearProgressLine(progress);
        auto filtered = report::applyFilter(std::move(scan), filter);
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
    parser.option("--index").option("--alert-level").option("--hash-cache").flag("--no-action-lines").flag("--quiet");
    withOutputOption(parser);
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

    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;
    auto data = liveScanSource(scanOptions, filter, progressLine(parser.has("--quiet")))();
    if (!data)
        return fail(1, data.error().message);
    if (auto written = exporting::writeExport(output.stream(), *data, request); !written)
        return fail(1, written.error().message);
    return output.finish();
}

} // namespace

LOADLENS_CLI_COMMAND({"export", "export a scan as CSV, JSON, ECS NDJSON or a STIX 2.1 bundle", kUsage, &runExport});

} // namespace loadlens::cli
