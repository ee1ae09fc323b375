// loadlens-cli import: files into the case, each by the importer its format calls for.
#include "analysis/case_report.h"
#include "arg_parser.h"
#include "casestore/import_target.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "ingest/importer.h"

#include <iostream>
#include <sstream>
#include <sys/stat.h>

namespace loadlens::cli {

namespace {

int runImport(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--case").option("--batch").option("--hijacklibs").option("--host").option("--time-budget")
        .flag("--json").flag("--quiet");
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    if (parser.positional().empty())
        return failWith("import needs at least one FILE", 2);
    auto batch = parser.integer("--batch");
    if (!batch)
        return failWith(batch.error().message, 2);
    auto budget = parser.integer("--time-budget");
    if (!budget)
        return failWith(budget.error().message, 2);
    ingest::ImportOptions settings;
    if (*batch) {
        if (**batch <= 0)
            return failWith("--batch needs a positive number (processes per transaction, or rows per INSERT on ClickHouse)", 2);
        settings.processesPerBatch = std::size_t(**batch);
    }
    if (*budget) {
        if (**budget <= 0)
            return failWith("--time-budget needs a positive number of seconds", 2);
        settings.timeBudgetSeconds = double(**budget);
    }
    settings.hijackLibsDir = parser.value("--hijacklibs").value_or("");
    settings.defaultHost = parser.value("--host").value_or("");
    if (parser.has("--hijacklibs")) {
        struct stat st {};
        if (settings.hijackLibsDir.empty() || ::stat(settings.hijackLibsDir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
            return failWith("--hijacklibs needs the directory of the HijackLibs dataset; '" + settings.hijackLibsDir +
                                "' is not a directory",
                            2);
    }
    // On ClickHouse there are no transactions: --batch sizes the INSERTs, of events and of each
    // snapshot table alike (a snapshot is stored whole or not at all however it is cut).
    const std::string location = casePathFrom(parser);
    const bool server = casestore::isServerLocation(location);
    if (server)
        settings.processesPerBatch = 0;
    settings.progress = progressLine(parser.has("--quiet"));
    // The dataset is loaded before the case is opened: a wrong --hijacklibs changes nothing.
    ingest::Importer importer(settings);
    for (const auto &problem : importer.datasetProblems())
        std::cerr << "loadlens-cli: " << problem << "\n";
    if (parser.has("--hijacklibs") && !importer.hasDataset())
        return failWith("--hijacklibs " + settings.hijackLibsDir + " holds no HijackLibs entry (*.yml)", 2);
    auto db = openStore(location, store::OpenMode::ReadWrite, server && *batch ? std::size_t(**batch) : 0);
    if (!db)
        return failWith(db.error().message, 1);
    const ingest::ImportTarget target = casestore::importTarget(**db);

    bool allComplete = true;
    nlohmann::json reports = nlohmann::json::array();
    for (const auto &file : parser.positional()) {
        ImportReport report = importer.importFile(target, file);
        clearProgressLine(settings.progress);
        allComplete = allComplete && report.complete && report.errors.empty();
        if (parser.has("--json"))
            reports.push_back(analysis::importReportToJson(report));
        else
            analysis::writeImportReport(std::cout, report);
        std::ostringstream problems;
        analysis::writeImportProblems(problems, report);
        std::istringstream lines(problems.str());
        for (std::string line; std::getline(lines, line);)
            std::cerr << "loadlens-cli: " << line << "\n";
    }
    if (parser.has("--json"))
        std::cout << reports.dump(1) << "\n";
    return allComplete ? 0 : 1;
}

} // namespace

LOADLENS_CLI_COMMAND({"import", "import bundles, Sysmon logs and audit logs into the case (idempotent)",
                      R"(Usage: loadlens-cli import [OPTIONS] FILE...

Imports each FILE into the case. The format is detected from the file's first bytes:
snapshot bundles (loadlens-cli collect, and windows-triage --bundle for Windows
images), Sysmon logs (EVTX, Event Viewer / wevtutil XML,
Sysmon for Linux syslog XML, the common JSON layouts) and raw auditd logs. The text formats
may be gzip-compressed (audit.log.1.gz): recognised by the gzip magic bytes, not the name; a
truncated .gz keeps the events read before the damage and is reported. Every event gets
its verdict on the way in. Importing a file again adds nothing (natural keys). An interrupted
import keeps what it committed; run it again to finish. Damaged records are skipped and
reported with their offsets; the rest is imported. EVTX records left in chunk slack or in
chunks past the header's chunk count are recovered: stored marked recovered (events shows
[recovered]), counted apart, never replacing a stored event.

Options:
  --case FILE|URL        the case (default: $XDG_DATA_HOME/loadlens/case.sqlite), or a
                         ClickHouse database: clickhouse://HOST:PORT/DATABASE (created if
                         missing)
  --hijacklibs DIR       the HijackLibs YAML dataset, to flag known hijackable DLLs loaded
                         from outside their expected locations (a DIR that does not exist
                         or holds no entry is an error: exit 2, nothing imported)
  --host NAME            host of audit records without node= (default "unknown")
  --time-budget SECONDS  stop reading one file after this long (the report says so)
  --batch N              a SQLite case: bundles' processes per transaction (default 64);
                         a ClickHouse case: rows per INSERT, of events and of each
                         snapshot table (default 100000; events also at most 16 MiB)
  --json                 print the per-file reports as JSON
  --quiet                no progress line on stderr

Per-file results go to standard output; errors and skipped records to standard error.
Exit status: 0 when every file was imported completely, 1 otherwise, 2 on bad arguments.
)",
                      &runImport});

} // namespace loadlens::cli
