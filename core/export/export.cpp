#include "export/export.h"

#include "export/scan_tables.h"
#include "export/table.h"

#include <cerrno>

namespace loadlens::exporting {

std::optional<ExportFormat> parseExportFormat(std::string_view name)
{
    if (name == "csv")
        return ExportFormat::Csv;
    if (name == "json")
        return ExportFormat::Json;
    if (name == "ecs")
        return ExportFormat::Ecs;
    if (name == "stix")
        return ExportFormat::Stix;
    return std::nullopt;
}

std::optional<ScanTable> parseScanTable(std::string_view name)
{
    if (name == "processes")
        return ScanTable::Processes;
    if (name == "modules")
        return ScanTable::Modules;
    if (name == "findings")
        return ScanTable::Findings;
    return std::nullopt;
}

namespace {

Table tableOf(const ExportData &data, ScanTable which)
{
    if (!data.scan)
        return eventsTable(data.events);
    switch (which) {
    case ScanTable::Processes:
        return processesTable(*data.scan);
    case ScanTable::Findings:
        return findingsTable(*data.scan);
    case ScanTable::Modules:
        break;
    }
    return modulesTable(*data.scan);
}

} // namespace

Status writeExport(std::ostream &out, const ExportData &data, const ExportRequest &request)
{
    switch (request.format) {
    case ExportFormat::Csv:
        writeCsv(out, tableOf(data, request.table));
        break;
    case ExportFormat::Json:
        writeJson(out, tableOf(data, request.table));
        break;
    case ExportFormat::Ecs:
        if (data.scan)
            writeEcsScan(out, *data.scan, request.ecs);
        else
            writeEcsEvents(out, data.events, request.ecs);
        break;
    case ExportFormat::Stix:
        if (!data.scan)
            return Error{EINVAL, "STIX export covers scans only; export log events as ecs, csv or json"};
        writeStix(out, *data.scan, request.stix);
        break;
    }
    if (!out)
        return Error{EIO, "writing the export failed"};
    return Ok{};
}

} // namespace loadlens::exporting
