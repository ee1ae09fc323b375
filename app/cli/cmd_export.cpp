// loadlens-cli export: a live scan, or what a case holds, as CSV, JSON, ECS NDJSON or a STIX bundle.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "pkg/hash_cache.h"
#include "report_output.h"

#include "caseexport/case_export.h"
#include "casestore/case_store.h"
#include "export/export.h"
#include "report/scan_filter.h"
#include "scan/scanner.h"
#include "sysmon/timestamps.h"

#include <algorithm>
#include <iostream>

namespace loadlens::cli {

namespace {

constexpr const char *kUsage =
    "usage: loadlens-cli export --format csv|json|ecs|stix [options]\n"
    "       loadlens-cli export --case FILE|URL --what events|modules|findings|processes\n"
    "                           --format csv|json|ecs|stix [case options]\n"
    "\n"
    "Exports a live scan, or with --case what a case holds. csv and json write one table;\n"
    "ecs writes Elastic Common Schema NDJSON for the _bulk API (an action line before each\n"
    "document); stix writes a STIX 2.1 bundle (observed-data, indicators and sightings;\n"
    "ATT&CK techniques and M1044 are referred to by MITRE's ids, never re-emitted).\n"
    "\n"
    "  --format F          csv, json, ecs or stix (required)\n"
    "  --table T           processes, modules (default) or findings; csv and json only\n"
    "  --pid N             only this process\n"
    "  --min-level L       only modules (findings, events) at or above ok|info|low|medium|high\n"
    "  -o, --output FILE   write to FILE (complete or not at all) instead of standard output\n"
    "  --index NAME        ecs: the _index of the action lines (default loadlens-modules)\n"
    "  --no-action-lines   ecs: documents only, one a line\n"
    "  --alert-level L     ecs: event.kind alert from this level (default medium); stix of\n"
    "                      a case: indicators from this level (medium at least)\n"
    "  --hash-cache PATH   reuse file digests from this SQLite cache\n"
    "                      (default: $XDG_DATA_HOME/loadlens/hash-cache.sqlite)\n"
    "  --quiet             no progress on standard error\n"
    "\n"
    "Case options (events from any case; modules, findings and processes from the\n"
    "snapshots, by default the latest of each host):\n"
    "  --case FILE|URL     the case: a SQLite file or clickhouse://HOST:PORT/DATABASE\n"
    "  --what W            events, modules, findings or processes (default events)\n"
    "  --host H            only this host\n"
    "  --since T           events (or snapshots scanned) from T on: 2026-12-01,\n"
    "                      2026-12-01T10:00:00Z or epoch seconds\n"
    "  --until T           events (or snapshots scanned) before T\n"
    "  --source S          events of sysmon, auditd or snapshot (high verdicts of snapshots) only\n"
    "  --snapshot ID       only this snapshot\n"
    "  --all-snapshots     every snapshot in range, not the latest of each host\n"
    "\n"
    "Examples:\n"
    "  loadlens-cli export --format csv --min-level medium -o modules.csv\n"
    "  loadlens-cli export --format ecs | curl -H 'Content-Type: application/x-ndjson' \\\n"
    "      --data-binary @- http://localhost:9200/_bulk\n"
    "  loadlens-cli export --format stix --pid 1234 -o case.stix.json\n"
    "  loadlens-cli export --case case.sqlite --what events --min-level high --format ecs\n";

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

std::optional<std::int64_t> timeOption(const ArgParser &parser, const std::string &name, std::string &error)
{
    const auto text = parser.value(name);
    if (!text)
        return std::nullopt;
    auto us = sysmon::parseTimestampUs(*text);
    if (!us)
        error = name + " takes a date, an ISO 8601 time or epoch seconds, not '" + *text + "'";
    return us;
}

int runCaseExport(const ArgParser &parser, exporting::ExportRequest request, Level minLevel)
{
    caseexport::CaseExportRequest r;
    r.format = request.format;
    r.ecs = request.ecs;
    r.stix = request.stix;
    const auto what = caseexport::parseCaseData(parser.value("--what").value_or("events"));
    if (!what)
        return fail(2, "--what must be events, modules, findings or processes");
    r.what = *what;
    if (parser.has("--table") || parser.has("--pid"))
        return fail(2, "--table and --pid apply to a live scan; with --case use --what and --snapshot");
    if (r.what == caseexport::CaseData::Processes &&
        (r.format == exporting::ExportFormat::Ecs || r.format == exporting::ExportFormat::Stix))
        return fail(2, "--what processes is a table: use csv or json");
    r.filter.minLevel = minLevel;
    r.filter.host = parser.value("--host").value_or("");
    r.filter.source = parser.value("--source").value_or("");
    if (!r.filter.source.empty() && r.filter.source != "sysmon" && r.filter.source != "auditd" &&
        r.filter.source != "snapshot")
        return fail(2, "--source takes sysmon, auditd or snapshot, not '" + r.filter.source + "'");
    if (!r.filter.source.empty() && r.what != caseexport::CaseData::Events)
        return fail(2, "--source applies to events");
    std::string error;
    r.filter.fromUs = timeOption(parser, "--since", error);
    r.filter.toUs = timeOption(parser, "--until", error);
    if (!error.empty())
        return fail(2, error);
    auto snapshot = parser.integer("--snapshot");
    if (!snapshot)
        return fail(2, snapshot.error().message);
    r.snapshotId = *snapshot;
    r.allSnapshots = parser.has("--all-snapshots");
    if ((r.snapshotId || r.allSnapshots) && r.what == caseexport::CaseData::Events)
        return fail(2, "--snapshot and --all-snapshots apply to modules, findings and processes");
    // STIX: every event or module the filter keeps is observed; indicators from --alert-level.
    r.stix.observedLevel = minLevel;
    r.stix.indicatorLevel = std::max(request.ecs.alertLevel, Level::Medium);

    auto store = openStore(casePathFrom(parser), store::OpenMode::ReadOnly);
    if (!store)
        return fail(1, store.error().message);
    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;
    auto summary = caseexport::exportCase(output.stream(), **store, r);
    if (!summary)
        return fail(1, summary.error().message);
    for (const auto &note : summary->notes)
        std::cerr << "loadlens-cli export: " << note << "\n";
    if (!parser.has("--quiet"))
        std::cerr << "loadlens-cli export: " << summary->rows << (r.what == caseexport::CaseData::Events ? " events" : " rows")
                  << (r.what == caseexport::CaseData::Events ? std::string() : " from " + std::to_string(summary->snapshots) + " snapshots")
                  << "\n";
    return output.finish();
}

int runExport(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--format").option("--table").option("--pid").option("--min-level").option("-o");
    parser.option("--index").option("--alert-level").option("--hash-cache").flag("--no-action-lines").flag("--quiet");
    parser.option("--case").option("--what").option("--host").option("--since").option("--until").option("--source");
    parser.option("--snapshot").flag("--all-snapshots");
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
        if (request.format != exporting::ExportFormat::Csv && request.format != exporting::ExportFormat::Json &&
            !parser.has("--case"))
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
    if (parser.has("--case"))
        return runCaseExport(parser, request, *minLevel);
    for (const char *caseOnly : {"--what", "--host", "--since", "--until", "--source", "--snapshot", "--all-snapshots"})
        if (parser.has(caseOnly))
            return fail(2, std::string(caseOnly) + " applies to an export from a case (--case)");
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
