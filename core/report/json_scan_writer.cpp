#include "report/json_scan_writer.h"

#include "report/json_stream.h"

#include <algorithm>

namespace loadlens::report {

namespace {

void writeEvidence(JsonStream &j, const Evidence &evidence)
{
    j.beginObject();
    for (const auto &[k, v] : evidence)
        j.field(k, v);
    j.endObject();
}

void writeVerdict(JsonStream &j, const Verdict &v)
{
    j.beginObject().field("level", levelName(v.level)).key("reasons").beginArray();
    for (const auto &r : v.reasons) {
        j.beginObject()
            .field("code", r.code)
            .field("level", levelName(r.level))
            .field("text", r.text)
            .field("technique", r.technique)
            .field("measure", r.measure)
            .key("evidence");
        writeEvidence(j, r.evidence);
        j.endObject();
    }
    j.endArray().endObject();
}

void writeModule(JsonStream &j, const ModuleRecord &m, const FileFacts *f)
{
    j.beginObject()
        .field("path", m.path)
        .field("dev", m.file.dev)
        .field("inode", m.file.inode)
        .field("deleted", m.deleted)
        .field("memfd", m.memfd)
        .field("anonymous_exec", m.anonymousExec)
        .field("pseudo", m.pseudo)
        .field("confirmation", m.confirmation)
        .key("ranges")
        .beginArray();
    for (const auto &r : m.ranges)
        j.beginObject().field("start", r.start).field("end", r.end).field("offset", r.offset).field("perms", r.perms)
            .endObject();
    j.endArray().key("verdict");
    writeVerdict(j, m.verdict);
    if (f) {
        j.key("file")
            .beginObject()
            .field("size", f->size)
            .field("uid", f->uid)
            .field("gid", f->gid)
            .field("owner", f->ownerName)
            .field("group", f->groupName)
            .field("mode", f->mode & 07777)
            .field("mtime_ns", f->mtimeNs)
            .field("sha256", f->sha256)
            .field("package", f->package)
            .endObject();
    }
    j.endObject();
}

void writeProcess(JsonStream &j, const ProcessInfo &p, const ScanResult &scan)
{
    Level worst = Level::Ok;
    for (const auto &m : p.modules)
        worst = std::max(worst, m.verdict.level);
    j.beginObject()
        .field("pid", p.pid)
        .field("ppid", p.ppid)
        .field("uid", p.uid)
        .field("user", p.user)
        .field("name", p.name)
        .field("exe", p.exe)
        .key("cmdline")
        .beginArray();
    for (const auto &arg : p.cmdline)
        j.value(arg);
    j.endArray()
        .field("start_time", p.startTime)
        .field("state", std::string(1, p.state))
        .field("kernel_thread", p.kernelThread)
        .field("hidden", p.hidden)
        .field("namespace", p.namespaceHint)
        .key("loader_env")
        .beginObject();
    for (const auto &[k, v] : p.loaderEnv)
        j.field(k, v);
    j.endObject().key("errors").beginArray();
    for (const auto &e : p.errors)
        j.value(e);
    j.endArray().field("worst_level", levelName(worst)).key("modules").beginArray();
    for (const auto &m : p.modules) {
        auto it = scan.files.find(m.file);
        writeModule(j, m, it != scan.files.end() && !m.anonymousExec && !m.pseudo ? &it->second : nullptr);
    }
    j.endArray().endObject();
}

} // namespace

void writeScanJson(std::string &out, const ScanResult &scan)
{
    JsonStream j(out);
    const auto &s = scan.stats;
    j.beginObject()
        .key("host")
        .beginObject()
        .field("hostname", scan.host.hostname)
        .field("kernel", scan.host.kernel)
        .field("os_release", scan.host.osRelease)
        .field("machine", scan.host.machine)
        .field("boot_id", scan.host.bootId)
        .endObject()
        .field("scanned_at", scan.scannedAt)
        .key("stats")
        .beginObject()
        .field("processes_listed", s.processesListed)
        .field("processes_scanned", s.processesScanned)
        .field("processes_inaccessible", s.processesInaccessible)
        .field("processes_vanished", s.processesVanished)
        .field("unique_files", s.uniqueFiles)
        .field("modules", s.modules)
        .field("cancelled", s.cancelled)
        .key("error_counts")
        .beginObject();
    for (const auto &[cause, n] : s.errorCounts)
        j.field(cause, n);
    j.endObject().endObject().key("processes").beginArray();
    for (const auto &p : scan.processes)
        writeProcess(j, p, scan);
    j.endArray().key("findings").beginArray();
    for (const auto &f : scan.findings) {
        j.beginObject()
            .field("code", f.code)
            .field("level", levelName(f.level))
            .field("pid", f.pid)
            .field("text", f.text)
            .field("technique", f.technique)
            .field("measure", f.measure)
            .key("evidence");
        writeEvidence(j, f.evidence);
        j.endObject();
    }
    j.endArray().endObject();
    out += '\n';
}

} // namespace loadlens::report
