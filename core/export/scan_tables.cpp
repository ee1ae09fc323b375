#include "export/scan_tables.h"

#include "export/export_support.h"

#include <algorithm>
#include <set>

namespace loadlens::exporting {

namespace {

Cell textOrNull(const std::string &s) { return s.empty() ? Cell::null() : Cell::text(s); }

std::string techniquesOf(const Verdict &verdict)
{
    std::vector<std::string> techniques;
    for (const auto &r : verdict.reasons)
        if (!r.technique.empty() && std::find(techniques.begin(), techniques.end(), r.technique) == techniques.end())
            techniques.push_back(r.technique);
    return joined(techniques, " ");
}

} // namespace

Table processesTable(const ScanResult &scan)
{
    Table t{{"pid", "ppid", "user", "uid", "name", "exe", "cmdline", "state", "modules", "worst_level",
             "loader_env", "hidden", "namespace", "errors"},
            {}};
    for (const auto &p : scan.processes) {
        Level worst = Level::Ok;
        for (const auto &m : p.modules)
            worst = std::max(worst, m.verdict.level);
        std::vector<std::string> env;
        for (const auto &[key, value] : p.loaderEnv)
            env.push_back(key + "=" + value);
        t.rows.push_back({Cell::integer(p.pid), Cell::integer(p.ppid), Cell::text(p.user), Cell::integer(p.uid),
                          Cell::text(p.name), textOrNull(p.exe), Cell::text(joined(p.cmdline, " ")),
                          Cell::text(std::string(1, p.state)), Cell::integer(static_cast<std::int64_t>(p.modules.size())),
                          Cell::text(std::string(levelName(worst))), Cell::text(joined(env, "; ")),
                          Cell::boolean(p.hidden), textOrNull(p.namespaceHint), Cell::text(joined(p.errors, "; "))});
    }
    return t;
}

Table modulesTable(const ScanResult &scan)
{
    Table t{{"pid", "process", "user", "path", "level", "reasons", "techniques", "package", "sha256", "owner",
             "mode", "flags"},
            {}};
    for (const auto &p : scan.processes) {
        for (const auto &m : p.modules) {
            const FileFacts *facts = factsFor(scan, m);
            t.rows.push_back({Cell::integer(p.pid), Cell::text(p.name), Cell::text(p.user), Cell::text(m.path),
                              Cell::text(std::string(levelName(m.verdict.level))),
                              Cell::text(joined(reasonCodes(m.verdict), " ")), Cell::text(techniquesOf(m.verdict)),
                              facts ? textOrNull(facts->package) : Cell::null(),
                              facts ? textOrNull(facts->sha256) : Cell::null(),
                              facts ? textOrNull(facts->ownerName) : Cell::null(),
                              facts ? Cell::text(octalMode(facts->mode)) : Cell::null(), Cell::text(moduleFlags(m))});
        }
    }
    return t;
}

Table findingsTable(const ScanResult &scan)
{
    Table t{{"code", "level", "pid", "text", "technique", "measure", "evidence"}, {}};
    for (const auto &f : scan.findings)
        t.rows.push_back({Cell::text(f.code), Cell::text(std::string(levelName(f.level))),
                          f.pid ? Cell::integer(f.pid) : Cell::null(), Cell::text(f.text), textOrNull(f.technique),
                          textOrNull(f.measure), Cell::text(evidenceText(f.evidence))});
    return t;
}

Table eventsTable(const std::vector<LoadEvent> &events)
{
    Table t{{"time", "source", "event_id", "kind", "host", "record_id", "pid", "image", "image_loaded", "user",
             "sha256", "md5", "signed", "signature", "signature_status", "signature_state", "level", "reasons",
             "source_file"},
            {}};
    for (const auto &e : events) {
        const auto hashes = parseSysmonHashes(e.hashes);
        const auto hash = [&](const char *name) {
            const auto it = hashes.find(name);
            return it == hashes.end() ? Cell::null() : Cell::text(it->second);
        };
        Cell signedCell = e.signedField == "true"    ? Cell::boolean(true)
                          : e.signedField == "false" ? Cell::boolean(false)
                                                     : Cell::null();
        t.rows.push_back({Cell::text(rfc3339FromMicros(e.timeUs, 6)), Cell::text(e.source), Cell::integer(e.eventId),
                          Cell::text(e.kind), Cell::text(e.host),
                          Cell::integer(static_cast<std::int64_t>(e.recordId)), Cell::integer(e.pid),
                          textOrNull(e.image), textOrNull(e.imageLoaded), textOrNull(e.user), hash("sha256"),
                          hash("md5"), signedCell, textOrNull(e.signature), textOrNull(e.signatureStatus),
                          Cell::text(std::string(signatureStateName(e.signatureState))),
                          Cell::text(std::string(levelName(e.verdict.level))),
                          Cell::text(joined(reasonCodes(e.verdict), " ")), textOrNull(e.sourceFile)});
    }
    return t;
}

} // namespace loadlens::exporting
