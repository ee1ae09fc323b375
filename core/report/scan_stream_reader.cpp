#include "report/scan_stream_reader.h"

#include <nlohmann/json.hpp>

#include <limits>
#include <set>
#include <stdexcept>
#include <sys/stat.h>

namespace loadlens::report {

namespace {

using Json = nlohmann::ordered_json;  // evidence keeps its order

// Thrown inside this file only; feed() turns it into an Error.
struct BadField : std::runtime_error {
    using std::runtime_error::runtime_error;
};

const Json &member(const Json &object, const char *name)
{
    if (!object.is_object())
        throw BadField(std::string("expected an object holding \"") + name + "\"");
    auto it = object.find(name);
    if (it == object.end())
        throw BadField(std::string("\"") + name + "\" is missing");
    return *it;
}

std::string text(const Json &object, const char *name)
{
    const Json &v = member(object, name);
    if (!v.is_string())
        throw BadField(std::string("\"") + name + "\" is not a string");
    return v.get<std::string>();
}

bool flag(const Json &object, const char *name)
{
    const Json &v = member(object, name);
    if (!v.is_boolean())
        throw BadField(std::string("\"") + name + "\" is not true or false");
    return v.get<bool>();
}

std::uint64_t unsignedNumber(const Json &object, const char *name)
{
    const Json &v = member(object, name);
    if (!v.is_number_unsigned() && !(v.is_number_integer() && v.get<std::int64_t>() >= 0))
        throw BadField(std::string("\"") + name + "\" is not a whole number >= 0");
    return v.get<std::uint64_t>();
}

std::int64_t signedNumber(const Json &object, const char *name)
{
    const Json &v = member(object, name);
    if (v.is_number_unsigned() && v.get<std::uint64_t>() > std::uint64_t(std::numeric_limits<std::int64_t>::max()))
        throw BadField(std::string("\"") + name + "\" is out of range");
    if (!v.is_number_integer())
        throw BadField(std::string("\"") + name + "\" is not a whole number");
    return v.get<std::int64_t>();
}

int smallNumber(const Json &object, const char *name, std::int64_t min)
{
    const std::int64_t n = signedNumber(object, name);
    if (n < min || n > std::numeric_limits<int>::max())
        throw BadField(std::string("\"") + name + "\" is out of range");
    return static_cast<int>(n);
}

std::uint32_t id32(const Json &object, const char *name)
{
    const std::uint64_t n = unsignedNumber(object, name);
    if (n > std::numeric_limits<std::uint32_t>::max())
        throw BadField(std::string("\"") + name + "\" is out of range");
    return static_cast<std::uint32_t>(n);
}

Level level(const Json &object, const char *name)
{
    const std::string value = text(object, name);
    auto parsed = parseLevel(value);
    if (!parsed)
        throw BadField(std::string("\"") + name + "\" is not a level: \"" + value + "\"");
    return *parsed;
}

const Json &array(const Json &object, const char *name)
{
    const Json &v = member(object, name);
    if (!v.is_array())
        throw BadField(std::string("\"") + name + "\" is not a list");
    return v;
}

const Json &object(const Json &parent, const char *name)
{
    const Json &v = member(parent, name);
    if (!v.is_object())
        throw BadField(std::string("\"") + name + "\" is not an object");
    return v;
}

Evidence evidence(const Json &parent)
{
    Evidence out;
    for (const auto &[key, value] : object(parent, "evidence").items()) {
        if (!value.is_string())
            throw BadField("evidence \"" + key + "\" is not a string");
        out.emplace_back(key, value.get<std::string>());
    }
    return out;
}

Verdict verdict(const Json &parent)
{
    const Json &v = object(parent, "verdict");
    Verdict out;
    for (const Json &r : array(v, "reasons"))
        out.add(Reason{text(r, "code"), level(r, "level"), text(r, "text"), text(r, "technique"), text(r, "measure"),
                       evidence(r)});
    const Level stated = level(v, "level");
    if (stated < out.level)
        throw BadField("the verdict's \"level\" is below the worst of its reasons");
    out.level = stated;
    return out;
}

ModuleRecord module(const Json &m, std::map<FileKey, FileFacts> &files)
{
    ModuleRecord out;
    out.path = text(m, "path");
    out.file = FileKey{unsignedNumber(m, "dev"), unsignedNumber(m, "inode")};
    out.deleted = flag(m, "deleted");
    out.memfd = flag(m, "memfd");
    out.anonymousExec = flag(m, "anonymous_exec");
    out.pseudo = flag(m, "pseudo");
    out.confirmation = text(m, "confirmation");
    for (const Json &r : array(m, "ranges")) {
        MappedRange range{unsignedNumber(r, "start"), unsignedNumber(r, "end"), unsignedNumber(r, "offset"),
                          text(r, "perms")};
        if (range.end < range.start)
            throw BadField("a range ends before it starts");
        if (range.perms.size() == 4 && range.perms[2] == 'x')
            out.executable = true;
        out.ranges.push_back(std::move(range));
    }
    out.verdict = verdict(m);
    if (m.contains("file") && !out.anonymousExec && !out.pseudo) {
        const Json &f = object(m, "file");
        FileFacts facts;
        facts.key = out.file;
        facts.path = out.path;
        facts.size = unsignedNumber(f, "size");
        facts.uid = id32(f, "uid");
        facts.gid = id32(f, "gid");
        facts.ownerName = text(f, "owner");
        facts.groupName = text(f, "group");
        const std::uint64_t mode = unsignedNumber(f, "mode");
        if (mode > 07777)
            throw BadField("\"mode\" has more than permission bits");
        facts.mode = static_cast<std::uint32_t>(S_IFREG | mode);  // the stream keeps permission bits only
        facts.mtimeNs = signedNumber(f, "mtime_ns");
        facts.sha256 = text(f, "sha256");
        facts.package = text(f, "package");
        files.try_emplace(out.file, std::move(facts));  // many processes map one file: same facts
    }
    return out;
}

ProcessInfo process(const Json &p, std::map<FileKey, FileFacts> &files)
{
    ProcessInfo out;
    out.pid = smallNumber(p, "pid", 1);
    out.ppid = smallNumber(p, "ppid", 0);
    out.uid = id32(p, "uid");
    out.user = text(p, "user");
    out.name = text(p, "name");
    out.exe = text(p, "exe");
    for (const Json &arg : array(p, "cmdline")) {
        if (!arg.is_string())
            throw BadField("a \"cmdline\" entry is not a string");
        out.cmdline.push_back(arg.get<std::string>());
    }
    out.startTime = unsignedNumber(p, "start_time");
    const std::string state = text(p, "state");
    if (state.size() != 1)
        throw BadField("\"state\" is not one letter");
    out.state = state[0];
    out.kernelThread = flag(p, "kernel_thread");
    out.hidden = flag(p, "hidden");
    out.namespaceHint = text(p, "namespace");
    // Added later: older reports have neither.
    if (p.contains("mount_namespace"))
        out.mountNamespace = unsignedNumber(p, "mount_namespace");
    if (auto c = p.find("container"); c != p.end() && !c->is_null()) {
        if (!c->is_object())
            throw BadField("\"container\" is neither an object nor null");
        out.container.runtime = text(*c, "runtime");
        out.container.id = text(*c, "id");
    }
    for (const auto &[key, value] : object(p, "loader_env").items()) {
        if (!value.is_string())
            throw BadField("loader_env \"" + key + "\" is not a string");
        out.loaderEnv.emplace(key, value.get<std::string>());
    }
    for (const Json &e : array(p, "errors")) {
        if (!e.is_string())
            throw BadField("an \"errors\" entry is not a string");
        out.errors.push_back(e.get<std::string>());
    }
    for (const Json &m : array(p, "modules"))
        out.modules.push_back(module(m, files));
    return out;
}

Finding finding(const Json &f)
{
    return Finding{text(f, "code"),      level(f, "level"),       smallNumber(f, "pid", 0), text(f, "text"),
                   text(f, "technique"), text(f, "measure"), evidence(f)};
}

void summary(const Json &s, ScanResult &result)
{
    const Json &host = object(s, "host");
    result.host = HostInfo{text(host, "hostname"), text(host, "kernel"), text(host, "os_release"),
                           text(host, "machine"), text(host, "boot_id")};
    result.scannedAt = signedNumber(s, "scanned_at");
    // "collector" came with 0.1's static build; an older stream has none.
    if (const auto it = s.find("collector"); it != s.end() && it->is_object()) {
        const Json &c = *it;
        const std::string linkage = text(c, "linkage");
        result.collector.known = linkage == "static" || linkage == "dynamic";
        result.collector.staticBinary = linkage == "static";
        for (const auto &[name, value] : object(c, "loader_variables").items()) {
            if (!value.is_string())
                throw BadField("loader variable \"" + name + "\" is not text");
            result.collector.loaderVariables.emplace_back(name, value.get<std::string>());
        }
        for (const Json &entry : array(c, "ld_so_preload"))
            if (entry.is_string())
                result.collector.preloadFile.push_back(entry.get<std::string>());
        for (const Json &path : array(c, "injected_modules"))
            if (path.is_string())
                result.collector.injectedModules.push_back(path.get<std::string>());
    }
    const Json &stats = object(s, "stats");
    ScanStats out;
    out.processesListed = smallNumber(stats, "processes_listed", 0);
    out.processesScanned = smallNumber(stats, "processes_scanned", 0);
    out.processesInaccessible = smallNumber(stats, "processes_inaccessible", 0);
    out.processesVanished = smallNumber(stats, "processes_vanished", 0);
    out.uniqueFiles = smallNumber(stats, "unique_files", 0);
    out.modules = smallNumber(stats, "modules", 0);
    out.cancelled = flag(stats, "cancelled");
    for (const auto &[cause, count] : object(stats, "error_counts").items()) {
        if (!count.is_number_integer() || count.get<std::int64_t>() < 0
            || count.get<std::int64_t>() > std::numeric_limits<int>::max())
            throw BadField("error count \"" + cause + "\" is not a whole number >= 0");
        out.errorCounts.emplace(cause, count.get<int>());
    }
    result.stats = std::move(out);
}

} // namespace

Result<ScanStreamReader::Line> ScanStreamReader::feed(std::string_view line)
{
    const std::size_t number = ++m_lines;
    auto fail = [number](const std::string &why) {
        return Error{EINVAL, "line " + std::to_string(number) + " of the scan stream: " + why};
    };
    if (m_state != State::Open)
        return fail("more output after the stream ended");
    Json json = Json::parse(line, nullptr, false);
    if (json.is_discarded())
        return fail("not JSON");
    if (!json.is_object())
        return fail("not a JSON object");
    try {
        const std::string type = text(json, "type");
        Line out;
        if (type == "progress") {
            out.kind = Kind::Progress;
            out.done = unsignedNumber(json, "done");
            out.total = unsignedNumber(json, "total");
            out.step = text(json, "step");
        } else if (type == "process") {
            out.kind = Kind::Process;
            ProcessInfo p = process(json, m_result.files);
            if (!m_seen.insert({p.pid, p.startTime}).second)
                return fail("process " + std::to_string(p.pid) + " is listed twice");
            m_result.processes.push_back(std::move(p));
        } else if (type == "finding") {
            out.kind = Kind::Finding;
            m_result.findings.push_back(finding(json));
        } else if (type == "summary") {
            out.kind = Kind::Summary;
            summary(json, m_result);
            m_state = State::Complete;
        } else if (type == "error") {
            out.kind = Kind::Error;
            out.message = text(json, "message");
            m_state = State::Failed;
        } else {
            return fail("unknown \"type\": \"" + type + "\"");
        }
        return out;
    } catch (const BadField &bad) {
        return fail(bad.what());
    } catch (const nlohmann::json::exception &bad) {
        return fail(bad.what());
    }
}

} // namespace loadlens::report
