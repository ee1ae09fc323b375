// loadlens-cli case: what the case holds, and whether it is intact.
#include "analysis/case_queries.h"
#include "analysis/case_report.h"
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"

#include <iostream>
#include <sqlite3.h>

namespace loadlens::cli {

namespace {

int checkIntegrity(const store::CaseDatabase &db, std::ostream &out)
{
    auto stmt = db.statement("SELECT integrity_check FROM pragma_integrity_check");
    if (!stmt)
        return failWith(stmt.error().message, 1);
    bool ok = true;
    for (;;) {
        auto row = stmt->step();
        if (!row)
            return failWith(row.error().message, 1);
        if (!*row)
            break;
        const std::string line = stmt->text(0);
        ok = ok && line == "ok";
        out << line << "\n";
    }
    auto dangling = db.queryInt("SELECT count(*) FROM pragma_foreign_key_check");
    if (!dangling)
        return failWith(dangling.error().message, 1);
    if (*dangling > 0) {
        out << *dangling << " rows refer to rows that are not there\n";
        ok = false;
    }
    return ok ? 0 : 1;
}

int runCase(const std::vector<std::string> &args)
{
    ArgParser parser;
    withOutputOption(parser.option("--case").flag("--json"));
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    const std::string action = parser.positional().empty() ? "list" : parser.positional().front();
    if (parser.positional().size() > 1 || (action != "list" && action != "check" && action != "path"))
        return failWith("case takes one of list, check or path", 2);
    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;
    const std::string path = casePathFrom(parser);
    if (action == "path") {
        output.stream() << path << "\n";
        return output.finish();
    }
    auto db = openCase(path, store::OpenMode::ReadOnly);
    if (!db)
        return failWith(db.error().message, 1);
    if (action == "check")
        return output.finish(checkIntegrity(*db, output.stream()));
    auto snapshots = analysis::listSnapshots(*db);
    if (!snapshots)
        return failWith(snapshots.error().message, 1);
    if (parser.has("--json"))
        output.stream() << analysis::snapshotsToJson(*snapshots).dump(1) << "\n";
    else
        analysis::writeSnapshots(output.stream(), *snapshots);
    return output.finish();
}

} // namespace

LOADLENS_CLI_COMMAND({"case", "list the snapshots in the case, or check its integrity",
                      R"(Usage: loadlens-cli case [list|check|path] [OPTIONS]

  list                   the snapshots (id, host, time, counts); ids are what 'diff' takes
  check                  SQLite integrity and reference checks
  path                   print the case file in use

Options:
  --case FILE            the case (default: $XDG_DATA_HOME/loadlens/case.sqlite)
  --json                 machine-readable list
)" + std::string(kOutputOptionHelp),
                      &runCase});

} // namespace loadlens::cli
