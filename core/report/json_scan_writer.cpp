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

// `type` is the stream line's tag ("process"); null in the document, where the array says it.
void writeProcess(JsonStream &j, const ProcessInfo &p, const FactsLookup &facts, const char *type)
{
    Level worst = Level::Ok;
    for (const auto &m : p.modules)
        worst = std::max(worst, m.verdict.level);
    j.beginObject();
    if (type)
        j.field("type", type);
    j.field("pid", p.pid)
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
        .field("mount_namespace", p.mountNamespace)
        .key("container");
    if (p.container.empty())
        j.null();
    else
        j.beginObject().field("runtime", p.container.runtime).field("id", p.container.id).endObject();
    j.key("loader_env")
        .beginObject();
    for (const auto &[k, v] : p.loaderEnv)
        j.field(k, v);
    j.endObject().key("errors").beginArray();
    for (const auto &e : p.errors)
        j.value(e);
    j.endArray().field("worst_level", levelName(worst)).key("modules").beginArray();
    for (const auto &m : p.modules)
        writeModule(j, m, !m.anonymousExec && !m.pseudo && facts ? facts(m.file) : nullptr);
    j.endArray().endObject();
}

void writeFinding(JsonStream &j, const Finding &f, const char *type)
{
    j.beginObject();
    if (type)
        j.field("type", type);
    j.field("code", f.code)
        .field("level", levelName(f.level))
        .field("pid", f.pid)
        .field("text", f.text)
        .field("technique", f.technique)
        .field("measure", f.measure)
        .key("evidence");
    writeEvidence(j, f.evidence);
    j.endObject();
}

// "collector": the program that scanned, as it saw itself at start.
void writeCollector(JsonStream &j, const CollectorInfo &c)
{
    j.key("collector")
        .beginObject()
        .field("linkage", !c.known ? "unknown" : c.staticBinary ? "static" : "dynamic")
        .field("tainted", c.tainted())
        .key("loader_variables")
        .beginObject();
    for (const auto &[name, value] : c.loaderVariables)
        j.field(name, value);
    j.endObject().key("ld_so_preload").beginArray();
    for (const auto &entry : c.preloadFile)
        j.value(entry);
    j.endArray().key("injected_modules").beginArray();
    for (const auto &path : c.injectedModules)
        j.value(path);
    j.endArray().endObject();
}

// "host", "collector", "scanned_at" and "stats", inside an open object.
void writeHostAndStats(JsonStream &j, const ScanResult &scan)
{
    const auto &s = scan.stats;
    j.key("host")
        .beginObject()
        .field("hostname", scan.host.hostname)
        .field("kernel", scan.host.kernel)
        .field("os_release", scan.host.osRelease)
        .field("machine", scan.host.machine)
        .field("boot_id", scan.host.bootId)
        .endObject();
    writeCollector(j, scan.collector);
    j.field("scanned_at", scan.scannedAt)
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
    j.endObject().endObject();
}

} // namespace

void writeScanJson(std::string &out, const ScanResult &scan)
{
    const FactsLookup facts = [&scan](const FileKey &key) -> const FileFacts * {
        auto it = scan.files.find(key);
        return it != scan.files.end() ? &it->second : nullptr;
    };
    JsonStream j(out);
    j.beginObject();
    writeHostAndStats(j, scan);
    j.key("processes").beginArray();
    for (const auto &p : scan.processes)
        writeProcess(j, p, facts, nullptr);
    j.endArray().key("findings").beginArray();
    for (const auto &f : scan.findings)
        writeFinding(j, f, nullptr);
    j.endArray().endObject();
    out += '\n';
}

void writeStreamProcess(std::string &out, const ProcessInfo &process, const FactsLookup &facts)
{
    JsonStream j(out);
    writeProcess(j, process, facts, "process");
    out += '\n';
}

void writeStreamFinding(std::string &out, const Finding &finding)
{
    JsonStream j(out);
    writeFinding(j, finding, "finding");
    out += '\n';
}

void writeStreamSummary(std::string &out, const ScanResult &scan)
{
    JsonStream j(out);
    j.beginObject().field("type", "summary");
    writeHostAndStats(j, scan);
    j.endObject();
    out += '\n';
}

void writeStreamProgress(std::string &out, std::uint64_t done, std::uint64_t total, std::string_view step)
{
    JsonStream j(out);
    j.beginObject().field("type", "progress").field("done", done).field("total", total).field("step", step).endObject();
    out += '\n';
}

void writeStreamError(std::string &out, std::string_view message)
{
    JsonStream j(out);
    j.beginObject().field("type", "error").field("message", message).endObject();
    out += '\n';
}

} // namespace loadlens::report
