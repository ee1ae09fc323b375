#include "caseexport/case_export.h"

#include "casestore/case_store.h"
#include "export/ecs.h"
#include "export/export_support.h"
#include "export/scan_tables.h"
#include "export/stix.h"
#include "export/table.h"
#include "report/scan_filter.h"

#include <algorithm>
#include <cerrno>
#include <map>

namespace loadlens::caseexport {

std::optional<CaseData> parseCaseData(std::string_view name)
{
    if (name == "events")
        return CaseData::Events;
    if (name == "modules")
        return CaseData::Modules;
    if (name == "findings")
        return CaseData::Findings;
    if (name == "processes")
        return CaseData::Processes;
    return std::nullopt;
}

namespace {

using exporting::ExportFormat;
using exporting::Table;

Error cancelledError() { return Error{ECANCELED, "the export was cancelled"}; }

Result<CaseExportSummary> exportEvents(std::ostream &out, const casestore::CaseStore &store,
                                       const CaseExportRequest &request, const CancelToken &cancel)
{
    CaseExportSummary summary;
    store::EventFilter filter = request.filter;
    filter.limit = std::max<std::int64_t>(1, request.pageSize);
    filter.offset = 0;
    exporting::TableStream table(out, request.format == ExportFormat::Json);
    std::vector<LoadEvent> kept;  // STIX: one bundle over every event
    for (;;) {
        if (cancel.cancelled())
            return cancelledError();
        auto page = store.listEvents(filter);
        if (!page)
            return page.error();
        switch (request.format) {
        case ExportFormat::Csv:
        case ExportFormat::Json:
            table.write(exporting::eventsTable(*page));
            break;
        case ExportFormat::Ecs:
            exporting::writeEcsEvents(out, *page, request.ecs);
            break;
        case ExportFormat::Stix:
            for (auto &e : *page)
                kept.push_back(std::move(e));
            break;
        }
        summary.rows += static_cast<std::int64_t>(page->size());
        if (static_cast<std::int64_t>(page->size()) < filter.limit)
            break;
        filter.offset += filter.limit;
    }
    if (request.format == ExportFormat::Csv || request.format == ExportFormat::Json)
        table.finish(exporting::eventsTable({}).columns);
    if (request.format == ExportFormat::Stix)
        out << exporting::stixBundle({}, kept, request.stix).dump(1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
    return summary;
}

// The snapshots the request names, oldest first.
Result<std::vector<analysis::SnapshotSummary>> chooseSnapshots(const casestore::CaseStore &store,
                                                               const CaseExportRequest &request)
{
    auto all = store.listSnapshots();
    if (!all)
        return all.error();
    std::vector<analysis::SnapshotSummary> chosen;
    if (request.snapshotId) {
        for (const auto &s : *all)
            if (s.id == *request.snapshotId)
                chosen.push_back(s);
        if (chosen.empty())
            return Error{ENOENT, "the case has no snapshot " + std::to_string(*request.snapshotId) +
                                     " (loadlens-cli case list shows them)"};
        return chosen;
    }
    const auto &f = request.filter;
    std::map<std::string, analysis::SnapshotSummary> latest;
    for (const auto &s : *all) {
        const std::int64_t us = s.scannedAt * 1000000;
        if ((!f.host.empty() && s.host != f.host) || (f.fromUs && us < *f.fromUs) || (f.toUs && us >= *f.toUs))
            continue;
        if (request.allSnapshots) {
            chosen.push_back(s);
            continue;
        }
        auto [it, inserted] = latest.try_emplace(s.host, s);
        if (!inserted && (s.scannedAt > it->second.scannedAt || (s.scannedAt == it->second.scannedAt && s.id > it->second.id)))
            it->second = s;
    }
    for (auto &[host, s] : latest)
        chosen.push_back(std::move(s));
    std::sort(chosen.begin(), chosen.end(), [](const auto &a, const auto &b) {
        return a.scannedAt != b.scannedAt ? a.scannedAt < b.scannedAt : a.id < b.id;
    });
    return chosen;
}

Table tableOf(const ScanResult &scan, CaseData what)
{
    switch (what) {
    case CaseData::Processes:
        return exporting::processesTable(scan);
    case CaseData::Findings:
        return exporting::findingsTable(scan);
    case CaseData::Modules:
    case CaseData::Events:
        break;
    }
    return exporting::modulesTable(scan);
}

// host, snapshot_id and scanned_at before every row: rows of several snapshots stay apart.
Table withSnapshotColumns(Table table, const analysis::SnapshotSummary &s)
{
    table.columns.insert(table.columns.begin(), {"host", "snapshot_id", "scanned_at"});
    for (auto &row : table.rows) {
        row.resize(table.columns.size() - 3);  // a short row reads as nulls: keep its cells in place
        row.insert(row.begin(), {exporting::Cell::text(s.host), exporting::Cell::integer(s.id),
                                 exporting::Cell::text(exporting::rfc3339FromSeconds(s.scannedAt, 0))});
    }
    return table;
}

Result<CaseExportSummary> exportSnapshots(std::ostream &out, const casestore::CaseStore &store,
                                          const CaseExportRequest &request, const CancelToken &cancel)
{
    auto chosen = chooseSnapshots(store, request);
    if (!chosen)
        return chosen.error();

    CaseExportSummary summary;
    const Level minLevel = request.filter.minLevel;
    report::ScanFilter scanFilter;
    scanFilter.minLevel = minLevel;
    scanFilter.keepEmptyProcesses = minLevel == Level::Ok;
    exporting::TableStream table(out, request.format == ExportFormat::Json);
    std::vector<ScanResult> scans;  // STIX: one bundle over every snapshot
    for (const auto &s : *chosen) {
        if (cancel.cancelled())
            return cancelledError();
        auto stored = store.readSnapshot(s.id);
        if (!stored)
            return stored.error();
        if (stored->incomplete)
            summary.notes.push_back("snapshot " + std::to_string(s.id) + " of " + s.host +
                                    " is incomplete (its import was cut short): exported as far as it was stored");
        auto filtered = report::applyFilter(std::move(stored->scan), scanFilter);
        if (!filtered)
            return filtered.error();
        ScanResult &scan = *filtered;
        std::erase_if(scan.findings, [&](const Finding &f) { return f.level < minLevel; });
        if (request.format == ExportFormat::Ecs || request.format == ExportFormat::Stix) {
            // Both cover modules and findings: keep the one asked for.
            if (request.what == CaseData::Findings)
                scan.processes.clear();
            else
                scan.findings.clear();
        }
        ++summary.snapshots;
        Table rows = tableOf(scan, request.what);
        switch (request.format) {
        case ExportFormat::Csv:
        case ExportFormat::Json:
            summary.rows += static_cast<std::int64_t>(rows.rows.size());
            table.write(withSnapshotColumns(std::move(rows), s));
            break;
        case ExportFormat::Ecs:
            summary.rows += static_cast<std::int64_t>(rows.rows.size());
            exporting::writeEcsScan(out, scan, request.ecs);
            break;
        case ExportFormat::Stix:
            summary.rows += static_cast<std::int64_t>(rows.rows.size());
            scans.push_back(std::move(scan));
            break;
        }
    }
    if (request.format == ExportFormat::Csv || request.format == ExportFormat::Json)
        table.finish(withSnapshotColumns(tableOf(ScanResult{}, request.what), {}).columns);
    if (request.format == ExportFormat::Stix) {
        std::vector<const ScanResult *> pointers;
        for (const auto &scan : scans)
            pointers.push_back(&scan);
        out << exporting::stixBundle(pointers, {}, request.stix).dump(1, ' ', false, nlohmann::json::error_handler_t::replace)
            << "\n";
    }
    return summary;
}

} // namespace

Result<CaseExportSummary> exportCase(std::ostream &out, const casestore::CaseStore &store,
                                     const CaseExportRequest &request, const CancelToken &cancel)
{
    auto summary = request.what == CaseData::Events ? exportEvents(out, store, request, cancel)
                                                    : exportSnapshots(out, store, request, cancel);
    if (summary && !out)
        return Error{EIO, "writing the export failed"};
    return summary;
}

} // namespace loadlens::caseexport
