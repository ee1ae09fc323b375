#include "export/attack_catalog.h"
#include "export/ecs.h"
#include "export/ecs_common.h"
#include "export/export_support.h"
#include "verdict/reason_catalog.h"

namespace loadlens::exporting {

using nlohmann::json;

namespace {

json hostFields(const HostInfo &host)
{
    json out = {{"name", host.hostname}, {"hostname", host.hostname}, {"os", {{"type", "linux"}}}};
    if (!host.kernel.empty())
        out["os"]["kernel"] = host.kernel;
    if (!host.osRelease.empty())
        out["os"]["full"] = host.osRelease;
    if (!host.machine.empty())
        out["architecture"] = host.machine;
    if (!host.bootId.empty())
        out["boot"] = {{"id", host.bootId}};
    return out;
}

json processFields(const ProcessInfo &p)
{
    json out = {{"pid", p.pid}, {"name", p.name}, {"parent", {{"pid", p.ppid}}}};
    if (!p.exe.empty())
        out["executable"] = p.exe;
    if (!p.cmdline.empty()) {
        out["args"] = p.cmdline;
        out["args_count"] = p.cmdline.size();
        out["command_line"] = joined(p.cmdline, " ");
    }
    if (!p.loaderEnv.empty()) {
        json env = json::array();
        for (const auto &[key, value] : p.loaderEnv)
            env.push_back(key + "=" + value);
        out["env_vars"] = env;
    }
    return out;
}

json baseDocument(const ScanResult &scan, const Verdict &verdict, const char *category, const EcsOptions &options,
                  const char *dataset)
{
    json doc = {{"@timestamp", rfc3339FromSeconds(scan.scannedAt, 3)},
                {"ecs", {{"version", kEcsVersion}}},
                {"event",
                 {{"kind", ecs::kindFor(verdict.level, options)},
                  {"category", json::array({category})},
                  {"type", json::array({"info"})},
                  {"module", "loadlens"},
                  {"dataset", dataset},
                  {"severity", static_cast<int>(verdict.level)}}},
                {"host", hostFields(scan.host)},
                {"loadlens",
                 {{"verdict", ecs::verdictFor(verdict)},
                  {"measures", ecs::measuresFor(verdict.reasons)},
                  {"mitigation", {{"id", m1044::Id}, {"name", m1044::Name}, {"reference", m1044::Url}}}}}};
    if (json threat = ecs::threatFor(verdict.reasons); !threat.is_null())
        doc["threat"] = threat;
    if (json rule = ecs::ruleFor(verdict.reasons); !rule.is_null())
        doc["rule"] = rule;
    return doc;
}

std::string summaryOf(const Verdict &verdict)
{
    for (const auto &r : verdict.reasons)
        if (r.level == verdict.level)
            return r.text;
    return {};
}

} // namespace

json ecsModuleDocument(const ScanResult &scan, const ProcessInfo &p, const ModuleRecord &m, const EcsOptions &options)
{
    json doc = baseDocument(scan, m.verdict, "library", options, "loadlens.module");
    doc["message"] = std::string(levelName(m.verdict.level)) + ": " + (m.path.empty() ? "anonymous code" : m.path) +
                     " in " + p.name + " [" + std::to_string(p.pid) + "]" +
                     (m.verdict.reasons.empty() ? "" : ": " + summaryOf(m.verdict));
    doc["process"] = processFields(p);
    doc["user"] = {{"name", p.user}, {"id", std::to_string(p.uid)}};

    json dll = json::object();
    if (!m.path.empty()) {
        dll["path"] = m.path;
        dll["name"] = fileNameOf(m.path);
    }
    // ELF objects carry no Authenticode-style signature; an IMA signature is the nearest
    // thing, and its presence is all the scan establishes (it does not check it).
    const bool imaSigned = m.verdict.has(verdict::code::ImaSigned);
    dll["code_signature"] = {{"exists", imaSigned}};
    if (imaSigned)
        dll["code_signature"]["status"] = "ima-signature-present";

    if (const FileFacts *facts = factsFor(scan, m)) {
        json hash = json::object();
        if (!facts->sha256.empty())
            hash["sha256"] = facts->sha256;
        if (!facts->md5.empty())
            hash["md5"] = facts->md5;
        if (!hash.empty())
            dll["hash"] = hash;
        doc["file"] = {{"path", m.path},
                       {"name", fileNameOf(m.path)},
                       {"directory", directoryOf(m.path)},
                       {"owner", facts->ownerName},
                       {"group", facts->groupName},
                       {"uid", std::to_string(facts->uid)},
                       {"gid", std::to_string(facts->gid)},
                       {"mode", octalMode(facts->mode)},
                       {"size", facts->size},
                       {"inode", std::to_string(facts->key.inode)},
                       {"device", std::to_string(facts->key.dev)},
                       {"mtime", rfc3339FromMicros(facts->mtimeNs / 1000, 6)}};
        if (!hash.empty())
            doc["file"]["hash"] = hash;
        if (!facts->package.empty())
            doc["package"] = {{"name", facts->package}};
    }
    doc["dll"] = dll;
    doc["loadlens"]["module"] = {{"deleted", m.deleted},         {"memfd", m.memfd},
                                 {"anonymous_exec", m.anonymousExec}, {"pseudo", m.pseudo},
                                 {"executable", m.executable},   {"confirmation", m.confirmation}};
    return doc;
}

json ecsFindingDocument(const ScanResult &scan, const Finding &f, const EcsOptions &options)
{
    Verdict verdict;
    verdict.add(Reason{f.code, f.level, f.text, f.technique, f.measure, f.evidence});
    json doc = baseDocument(scan, verdict, f.pid ? "process" : "host", options, "loadlens.finding");
    doc["message"] = std::string(levelName(f.level)) + ": " + f.text;
    if (f.pid) {
        doc["process"] = {{"pid", f.pid}};
        for (const auto &p : scan.processes)
            if (p.pid == f.pid)
                doc["process"] = processFields(p);
    }
    return doc;
}

void writeEcsScan(std::ostream &out, const ScanResult &scan, const EcsOptions &options)
{
    for (const auto &p : scan.processes)
        for (const auto &m : p.modules)
            ecs::writeDocument(out, ecsModuleDocument(scan, p, m, options), options, "loadlens-modules");
    for (const auto &f : scan.findings)
        ecs::writeDocument(out, ecsFindingDocument(scan, f, options), options, "loadlens-modules");
}

} // namespace loadlens::exporting
