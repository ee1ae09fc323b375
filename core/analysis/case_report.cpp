#include "analysis/case_report.h"

#include "common/image_snapshot.h"

#include <ctime>
#include <iomanip>

namespace loadlens::analysis {

using nlohmann::json;

std::string utcTime(std::int64_t unixSeconds)
{
    const std::time_t t = static_cast<std::time_t>(unixSeconds);
    std::tm tm {};
    gmtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%SZ", &tm);
    return buffer;
}

namespace {

json summaryToJson(const SnapshotSummary &s)
{
    return {{"id", s.id},
            {"host", s.host},
            {"scanned_at", s.scannedAt},
            {"boot_id", s.bootId},
            {"kernel", s.kernel},
            {"os_release", s.osRelease},
            {"processes", s.processes},
            {"processes_with_errors", s.processesWithErrors},
            {"modules", s.modules},
            {"module_levels", {{"high", s.modulesAt(Level::High)},
                               {"medium", s.modulesAt(Level::Medium)},
                               {"low", s.modulesAt(Level::Low)},
                               {"info", s.modulesAt(Level::Info)},
                               {"ok", s.modulesAt(Level::Ok)}}},
            {"findings", s.findings},
            // A Windows image: its "processes" are the executables found on it, not running ones.
            {"kind", isImageSnapshot(s.bootId) ? "windows-image" : "live"},
            {"complete", s.complete}};
}

json changeToJson(const ModuleChange &c)
{
    json out = {{"change", std::string(changeKindName(c.kind))},
                {"path", c.path},
                {"hashes_before", c.hashesBefore},
                {"hashes_after", c.hashesAfter},
                {"processes_before", c.processesBefore},
                {"processes_after", c.processesAfter},
                {"level", std::string(levelName(c.level))}};
    if (!c.executable.empty())
        out["executable"] = c.executable;
    return out;
}

json findingToJson(const FindingChange &f)
{
    json evidence = json::object();
    for (const auto &[k, v] : f.evidence)
        evidence[k] = v;
    return {{"code", f.code}, {"level", std::string(levelName(f.level))}, {"text", f.text}, {"evidence", evidence}};
}

std::string shortHash(const std::string &sha)
{
    return sha.empty() ? std::string("(not hashed)") : sha.substr(0, 16);
}

std::string hashList(const std::vector<std::string> &hashes)
{
    std::string out;
    for (const auto &h : hashes) {
        if (!out.empty())
            out += ',';
        out += shortHash(h);
    }
    return out;
}

void writeChanges(std::ostream &out, const char *title, const std::vector<ModuleChange> &changes)
{
    out << title << " (" << changes.size() << ")\n";
    for (const auto &c : changes) {
        out << "  " << std::left << std::setw(13) << changeKindName(c.kind) << std::setw(7) << levelName(c.level);
        if (!c.executable.empty())
            out << c.executable << " -> ";
        out << c.path;
        if (c.kind == ChangeKind::HashChanged)
            out << "  " << hashList(c.hashesBefore) << " => " << hashList(c.hashesAfter);
        else
            out << "  " << hashList(c.kind == ChangeKind::Added ? c.hashesAfter : c.hashesBefore);
        out << "\n";
    }
}

} // namespace

json diffToJson(const SnapshotDiff &d)
{
    json processModules = json::array(), hostModules = json::array(), added = json::array(), resolved = json::array(),
         facts = json::array();
    for (const auto &c : d.processModules)
        processModules.push_back(changeToJson(c));
    for (const auto &c : d.hostModules)
        hostModules.push_back(changeToJson(c));
    for (const auto &f : d.newFindings)
        added.push_back(findingToJson(f));
    for (const auto &f : d.resolvedFindings)
        resolved.push_back(findingToJson(f));
    for (const auto &f : d.facts)
        facts.push_back({{"key", f.key},
                         {"before", f.before ? json(*f.before) : json(nullptr)},
                         {"after", f.after ? json(*f.after) : json(nullptr)}});
    return {{"before", summaryToJson(d.before)},   {"after", summaryToJson(d.after)},
            {"process_modules", processModules},   {"host_modules", hostModules},
            {"new_findings", added},               {"resolved_findings", resolved},
            {"fact_changes", facts}};
}

void writeDiff(std::ostream &out, const SnapshotDiff &d)
{
    out << "before: snapshot " << d.before.id << " of " << d.before.host << " at " << utcTime(d.before.scannedAt) << "\n";
    out << "after:  snapshot " << d.after.id << " of " << d.after.host << " at " << utcTime(d.after.scannedAt) << "\n\n";
    writeChanges(out, "Modules on the host", d.hostModules);
    writeChanges(out, "Modules per process executable", d.processModules);
    out << "New findings (" << d.newFindings.size() << ")\n";
    for (const auto &f : d.newFindings)
        out << "  " << std::left << std::setw(7) << levelName(f.level) << f.code << ": " << f.text << "\n";
    out << "Resolved findings (" << d.resolvedFindings.size() << ")\n";
    for (const auto &f : d.resolvedFindings)
        out << "  " << std::left << std::setw(7) << levelName(f.level) << f.code << ": " << f.text << "\n";
    out << "Host facts that differ (" << d.facts.size() << ")\n";
    for (const auto &f : d.facts) {
        out << "  " << f.key << "\n";
        out << "    before: " << (f.before ? *f.before : "(not recorded)") << "\n";
        out << "    after:  " << (f.after ? *f.after : "(not recorded)") << "\n";
    }
}

json stackToJson(const StackResult &s, StackBy by)
{
    json entries = json::array();
    for (const auto &e : s.entries) {
        json entry = {{by == StackBy::Name ? "name" : "path", e.module},
                      {"hosts", e.hosts},
                      {"processes", e.processes},
                      {"max_level", std::string(levelName(e.maxLevel))}};
        if (by == StackBy::Hash)
            entry["sha256"] = e.sha256;
        else
            entry["variants"] = e.variants;
        entries.push_back(entry);
    }
    return {{"hosts_in_case", s.hostsInCase}, {"snapshots_counted", s.snapshotsCounted}, {"modules", entries}};
}

void writeStack(std::ostream &out, const StackResult &s, StackBy by)
{
    out << s.entries.size() << " modules across " << s.hostsInCase << " hosts (" << s.snapshotsCounted
        << " snapshots), rarest first\n";
    out << std::left << std::setw(7) << "HOSTS" << std::setw(10) << "PROCS" << std::setw(7) << "LEVEL"
        << (by == StackBy::Hash ? std::string("SHA256            PATH") : std::string("VARIANTS  NAME")) << "\n";
    for (const auto &e : s.entries) {
        out << std::left << std::setw(7) << e.hosts << std::setw(10) << e.processes << std::setw(7) << levelName(e.maxLevel);
        if (by == StackBy::Hash)
            out << std::setw(18) << shortHash(e.sha256) << e.module << "\n";
        else
            out << std::setw(10) << e.variants << e.module << "\n";
    }
}

json whoLoadsToJson(const std::vector<CaseWhoLoadsHit> &hits)
{
    json out = json::array();
    for (const auto &h : hits)
        out.push_back({{"host", h.host},       {"snapshot", h.snapshotId},   {"scanned_at", h.scannedAt},
                       {"pid", h.pid},         {"process", h.process},       {"executable", h.executable},
                       // pid 0: an executable found on a Windows image (not running).
                       {"entry", h.pid == 0 ? "image-executable" : "process"},
                       {"user", h.user},       {"path", h.path},             {"sha256", h.sha256},
                       {"level", std::string(levelName(h.level))}});
    return out;
}

void writeWhoLoads(std::ostream &out, const std::vector<CaseWhoLoadsHit> &hits)
{
    out << std::left << std::setw(20) << "HOST" << std::setw(8) << "PID" << std::setw(16) << "PROCESS" << std::setw(7)
        << "LEVEL" << std::setw(18) << "SHA256" << "PATH\n";
    for (const auto &h : hits)
        out << std::left << std::setw(20) << h.host << std::setw(8) << (h.pid == 0 ? std::string("image") : std::to_string(h.pid))
            << std::setw(16) << h.process
            << std::setw(7) << levelName(h.level) << std::setw(18) << shortHash(h.sha256) << h.path << "\n";
    out << hits.size() << " module mappings\n";
}

json snapshotsToJson(const std::vector<SnapshotSummary> &snapshots)
{
    json out = json::array();
    for (const auto &s : snapshots)
        out.push_back(summaryToJson(s));
    return out;
}

void writeSnapshots(std::ostream &out, const std::vector<SnapshotSummary> &snapshots)
{
    // Ids of a ClickHouse case are long (derived from the snapshot's key): the column fits them.
    int idWidth = 6;
    for (const auto &s : snapshots)
        idWidth = std::max(idWidth, int(std::to_string(s.id).size()) + 1);
    out << std::left << std::setw(idWidth) << "ID" << std::setw(24) << "HOST" << std::setw(22) << "SCANNED" << std::setw(11)
        << "PROCESSES" << std::setw(10) << "MODULES" << std::setw(7) << "HIGH" << std::setw(8) << "MEDIUM" << std::setw(7)
        << "LOW" << std::setw(15) << "HOST-FINDINGS" << "NOTE\n";
    // HIGH/MEDIUM/LOW count modules by verdict; HOST-FINDINGS the host-level findings.
    for (const auto &s : snapshots) {
        // A long host name still gets a space before the next column.
        out << std::left << std::setw(idWidth) << s.id << std::setw(24) << (s.host.size() >= 24 ? s.host + " " : s.host)
            << std::setw(22) << utcTime(s.scannedAt) << std::setw(11) << s.processes << std::setw(10) << s.modules
            << std::setw(7) << s.modulesAt(Level::High)
            << std::setw(8) << s.modulesAt(Level::Medium) << std::setw(7) << s.modulesAt(Level::Low) << std::setw(15)
            << s.findings;
        if (!s.complete)
            out << "incomplete import ";
        if (isImageSnapshot(s.bootId))
            out << "Windows image: PROCESSES are the executables on it, none ran ";
        if (s.processesWithErrors > 0)
            out << s.processesWithErrors << " processes not fully read";
        out << "\n";
    }
}

json importReportToJson(const ImportReport &r)
{
    json skipped = json::array();
    for (const auto &s : r.skippedRecords)
        skipped.push_back({{"offset", s.offset}, {"reason", s.reason}});
    json recoveredSkipped = json::array();
    for (const auto &s : r.recoveredSkippedRecords)
        recoveredSkipped.push_back({{"offset", s.offset}, {"reason", s.reason}});
    return {{"file", r.file},         {"format", r.format},        {"records_read", r.recordsRead},
            {"imported", r.imported}, {"duplicates", r.duplicates}, {"skipped", r.skipped},
            {"skipped_records", skipped}, {"recovered", r.recovered}, {"recovered_imported", r.recoveredImported},
            {"recovered_duplicates", r.recoveredDuplicates}, {"recovered_replaced", r.recoveredReplaced},
            {"recovered_skipped", r.recoveredSkipped}, {"recovered_skipped_records", recoveredSkipped},
            {"counts_by_kind", r.countsByKind}, {"errors", r.errors},
            {"notes", r.notes},       {"complete", r.complete},    {"seconds", r.seconds}};
}

void writeImportReport(std::ostream &out, const ImportReport &r)
{
    out << r.file << " (" << (r.format.empty() ? "unknown" : r.format) << "): " << r.recordsRead << " records read, "
        << r.imported << " imported, " << r.duplicates << " already present";
    if (r.skipped)
        out << ", " << r.skipped << " skipped";
    out << (r.complete ? "" : " - INCOMPLETE") << " (" << std::fixed << std::setprecision(2) << r.seconds << " s)\n";
    for (const auto &[kind, n] : r.countsByKind)
        out << "  " << kind << ": " << n << "\n";
    if (r.recovered || r.recoveredSkipped) {
        out << "  " << r.recovered << " records recovered from slack/unallocated chunks: " << r.recoveredImported
            << " imported (marked recovered), " << r.recoveredDuplicates << " already present";
        if (r.recoveredSkipped)
            out << ", " << r.recoveredSkipped << " unreadable";
        out << "\n";
    }
    if (r.recoveredReplaced)
        out << "  " << r.recoveredReplaced << " recovered events replaced by their live record\n";
    for (const auto &n : r.notes)
        out << "  note: " << n << "\n";
}

void writeImportProblems(std::ostream &err, const ImportReport &r)
{
    for (const auto &s : r.skippedRecords)
        err << r.file << ": skipped the record at offset " << s.offset << ": " << s.reason << "\n";
    for (const auto &e : r.errors)
        err << (e.find(r.file) == std::string::npos ? r.file + ": " : std::string()) << e << "\n";
}

} // namespace loadlens::analysis
