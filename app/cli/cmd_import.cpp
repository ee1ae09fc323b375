// loadlens-cli import: files into the case, each by the importer its format calls for.
#include "analysis/case_report.h"
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "store/bundle_import.h"
#include "store/format_detect.h"

#include <iostream>

namespace loadlens::cli {

namespace {

struct ImportSettings {
    std::size_t processesPerBatch = 64;
    ProgressFn progress;
};

// The one place where a file's format chooses its importer. Event logs (EVTX, Sysmon XML/JSON,
// auditd) get their importer here once core/evtx, core/sysmon and core/audit provide them,
// writing through store::EventWriter.
ImportReport importFile(const store::CaseDatabase &db, const std::string &file, const ImportSettings &settings)
{
    auto format = store::detectFileFormat(file);
    if (!format) {
        ImportReport report;
        report.file = file;
        report.complete = false;
        report.errors.push_back(format.error().message);
        return report;
    }
    switch (*format) {
    case store::FileFormat::Bundle: {
        store::BundleImportOptions options;
        options.processesPerBatch = settings.processesPerBatch;
        options.progress = settings.progress;
        return store::importBundle(db, file, options);
    }
    case store::FileFormat::Evtx:
    case store::FileFormat::Xml:
    case store::FileFormat::Json:
    case store::FileFormat::Auditd:
    case store::FileFormat::OtherSqlite:
    case store::FileFormat::Unknown:
        break;
    }
    ImportReport report;
    report.file = file;
    report.format = std::string(store::formatName(*format));
    report.complete = false;
    report.errors.push_back(*format == store::FileFormat::Unknown
                                ? "cannot import " + file + ": the format is not recognised"
                                : "cannot import " + file + ": format " + report.format + " is not supported yet");
    return report;
}

int runImport(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--case").option("--batch").flag("--json").flag("--quiet");
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    if (parser.positional().empty())
        return failWith("import needs at least one FILE", 2);
    auto batch = parser.integer("--batch");
    if (!batch)
        return failWith(batch.error().message, 2);
    ImportSettings settings;
    if (*batch) {
        if (**batch <= 0)
            return failWith("--batch needs a positive number of processes", 2);
        settings.processesPerBatch = std::size_t(**batch);
    }
    auto db = openCase(casePathFrom(parser), store::OpenMode::ReadWrite);
    if (!db)
        return failWith(db.error().message, 1);
    settings.progress = progressLine(parser.has("--quiet"));

    bool allComplete = true;
    nlohmann::json reports = nlohmann::json::array();
    for (const auto &file : parser.positional()) {
        ImportReport report = importFile(*db, file, settings);
        clearProgressLine(settings.progress);
        allComplete = allComplete && report.complete && report.errors.empty();
        if (parser.has("--json"))
            reports.push_back(analysis::importReportToJson(report));
        else
            analysis::writeImportReport(std::cout, report);
    }
    if (parser.has("--json"))
        std::cout << reports.dump(1) << "\n";
    return allComplete ? 0 : 1;
}

} // namespace

LOADLENS_CLI_COMMAND({"import", "import snapshot bundles into the case (idempotent)",
                      R"(Usage: loadlens-cli import [OPTIONS] FILE...

Imports each FILE into the case. The format is detected from the file's first bytes:
snapshot bundles (loadlens-cli collect) are imported; EVTX, XML, JSON and auditd logs are
recognised and reported as not supported yet. Importing a file again adds nothing. An
interrupted import keeps what it committed; run it again to finish.

Options:
  --case FILE            the case (default: $XDG_DATA_HOME/loadlens/case.sqlite)
  --batch N              processes per transaction (default 64)
  --json                 print the per-file reports as JSON
  --quiet                no progress line on stderr

Exit status: 0 when every file was imported completely, 1 otherwise, 2 on bad arguments.
)",
                      &runImport});

} // namespace loadlens::cli
