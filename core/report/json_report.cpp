#include "report/json_report.h"

namespace loadlens::report {

using nlohmann::json;

namespace {

json evidenceToJson(const Evidence &evidence)
{
    json out = json::object();
    for (const auto &[key, value] : evidence)
        out[key] = value;
    return out;
}

// Paths and command lines are bytes, not always UTF-8; replace what is not valid so that the
// output is always valid JSON.
std::string utf8(const std::string &s)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        bool valid = len > 0 && i + len <= s.size();
        for (std::size_t k = 1; valid && k < len; ++k)
            valid = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
        if (valid) {
            out.append(s, i, len);
            i += len;
        } else {
            out += "\xef\xbf\xbd";
            ++i;
        }
    }
    return out;
}

json collectorToJson(const CollectorInfo &c)
{
    json variables = json::object();
    for (const auto &[name, value] : c.loaderVariables)
        variables[utf8(name)] = utf8(value);
    json preload = json::array();
    for (const auto &entry : c.preloadFile)
        preload.push_back(utf8(entry));
    json injected = json::array();
    for (const auto &path : c.injectedModules)
        injected.push_back(utf8(path));
    return {{"linkage", !c.known ? "unknown" : c.staticBinary ? "static" : "dynamic"},
            {"tainted", c.tainted()},
            {"loader_variables", variables},
            {"ld_so_preload", preload},
            {"injected_modules", injected}};
}

} // namespace

json verdictToJson(const Verdict &verdict)
{
    json reasons = json::array();
    for (const auto &r : verdict.reasons) {
        reasons.push_back({{"code", r.code},
                           {"level", std::string(levelName(r.level))},
                           {"text", utf8(r.text)},
                           {"technique", r.technique},
                           {"measure", r.measure},
                           {"evidence", [&] {
                                json e = json::object();
                                for (const auto &[k, v] : r.evidence)
                                    e[k] = utf8(v);
                                return e;
                            }()}});
    }
    return {{"level", std::string(levelName(verdict.level))}, {"reasons", reasons}};
}

json moduleToJson(const ModuleRecord &m, const FileFacts *facts)
{
    json ranges = json::array();
    for (const auto &r : m.ranges)
        ranges.push_back({{"start", r.start}, {"end", r.end}, {"offset", r.offset}, {"perms", r.perms}});
    json out = {{"path", utf8(m.path)},
                {"dev", m.file.dev},
                {"inode", m.file.inode},
                {"deleted", m.deleted},
                {"memfd", m.memfd},
                {"anonymous_exec", m.anonymousExec},
                {"pseudo", m.pseudo},
                {"confirmation", m.confirmation},
                {"ranges", ranges},
                {"verdict", verdictToJson(m.verdict)}};
    if (facts) {
        out["file"] = {{"size", facts->size},
                       {"uid", facts->uid},
                       {"gid", facts->gid},
                       {"owner", utf8(facts->ownerName)},
                       {"group", utf8(facts->groupName)},
                       {"mode", facts->mode & 07777},
                       {"mtime_ns", facts->mtimeNs},
                       {"sha256", facts->sha256},
                       {"package", facts->package}};
    }
    return out;
}

json processToJson(const ProcessInfo &p, const ScanResult &scan)
{
    json cmdline = json::array();
    for (const auto &arg : p.cmdline)
        cmdline.push_back(utf8(arg));
    json env = json::object();
    for (const auto &[k, v] : p.loaderEnv)
        env[utf8(k)] = utf8(v);
    json errors = json::array();
    for (const auto &e : p.errors)
        errors.push_back(utf8(e));
    json modules = json::array();
    Level worst = Level::Ok;
    for (const auto &m : p.modules) {
        auto it = scan.files.find(m.file);
        modules.push_back(moduleToJson(m, it != scan.files.end() && !m.anonymousExec && !m.pseudo ? &it->second : nullptr));
        worst = std::max(worst, m.verdict.level);
    }
    return {{"pid", p.pid},
            {"ppid", p.ppid},
            {"uid", p.uid},
            {"user", utf8(p.user)},
            {"name", utf8(p.name)},
            {"exe", utf8(p.exe)},
            {"cmdline", cmdline},
            {"start_time", p.startTime},
            {"state", std::string(1, p.state)},
            {"kernel_thread", p.kernelThread},
            {"hidden", p.hidden},
            {"namespace", utf8(p.namespaceHint)},
            {"mount_namespace", p.mountNamespace},
            {"container", p.container.empty() ? json(nullptr)
                                              : json{{"runtime", utf8(p.container.runtime)}, {"id", utf8(p.container.id)}}},
            {"loader_env", env},
            {"errors", errors},
            {"worst_level", std::string(levelName(worst))},
            {"modules", modules}};
}

json findingToJson(const Finding &f)
{
    return {{"code", f.code},
            {"level", std::string(levelName(f.level))},
            {"pid", f.pid},
            {"text", utf8(f.text)},
            {"technique", f.technique},
            {"measure", f.measure},
            {"evidence", evidenceToJson(f.evidence)}};
}

json scanToJson(const ScanResult &scan)
{
    json processes = json::array();
    for (const auto &p : scan.processes)
        processes.push_back(processToJson(p, scan));
    json findings = json::array();
    for (const auto &f : scan.findings)
        findings.push_back(findingToJson(f));
    json errorCounts = json::object();
    for (const auto &[cause, count] : scan.stats.errorCounts)
        errorCounts[cause] = count;
    return {{"host",
             {{"hostname", utf8(scan.host.hostname)},
              {"kernel", scan.host.kernel},
              {"os_release", utf8(scan.host.osRelease)},
              {"machine", scan.host.machine},
              {"boot_id", scan.host.bootId}}},
            {"collector", collectorToJson(scan.collector)},
            {"scanned_at", scan.scannedAt},
            {"stats",
             {{"processes_listed", scan.stats.processesListed},
              {"processes_scanned", scan.stats.processesScanned},
              {"processes_inaccessible", scan.stats.processesInaccessible},
              {"processes_vanished", scan.stats.processesVanished},
              {"unique_files", scan.stats.uniqueFiles},
              {"modules", scan.stats.modules},
              {"cancelled", scan.stats.cancelled},
              {"error_counts", errorCounts}}},
            {"processes", processes},
            {"findings", findings}};
}

} // namespace loadlens::report
