#include "audit/audit_classify.h"

#include "audit/audit_codes.h"
#include "audit/audit_facts.h"
#include "audit/audit_values.h"

namespace loadlens::audit {

namespace {

// Fields of the process record kept on the LoadEvent (raw numbers; names decoded).
constexpr std::string_view kProcessFields[] = {"arch", "syscall", "success", "exit", "a1",  "a2",
                                               "pid",  "ppid",    "auid",    "uid",  "euid", "gid",
                                               "comm", "exe",     "key",     "tty",  "ses"};
constexpr std::string_view kDecodedFields[] = {"comm", "exe", "key"};

bool contains(const std::string_view *begin, const std::string_view *end, std::string_view name)
{
    for (auto it = begin; it != end; ++it)
        if (*it == name)
            return true;
    return false;
}

std::string_view baseOf(std::string_view path)
{
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool unsetId(std::string_view id)
{
    return id.empty() || id == "4294967295" || id == "-1" || id == "unset";
}

} // namespace

EventClassifier::EventClassifier(std::string defaultHost)
    : m_defaultHost(defaultHost.empty() ? std::string("unknown") : std::move(defaultHost))
{
}

bool EventClassifier::gatherCheap(const AuditEvent &event, EventFacts &facts)
{
    for (const AuditRecord &record : event.records) {
        if (record.type == "PATH") {
            PathFacts path;
            m_splitter.forEach(record.type, record.body, [&](std::string_view name, std::string_view value) {
                if (name == "name")
                    path.logged = decodeValue(value);
                else if (name == "nametype" || name == "objtype")
                    path.nametype = value;
                else if (name == "mode")
                    path.mode = value;
                else if (name == "inode")
                    path.inode = value;
                else if (name == "ouid")
                    path.ouid = value;
            });
            if (!path.logged.empty() && path.logged != "(null)")
                facts.paths.push_back(std::move(path));
        } else if (record.type == "CWD") {
            m_splitter.forEach(record.type, record.body, [&](std::string_view name, std::string_view value) {
                if (name == "cwd")
                    facts.cwd = decodeValue(value);
            });
        } else if (record.type == "EXECVE" || record.type == "PROCTITLE") {
            // Cheap pre-check: the text itself or its hex spelling ("LD_" is 4C445F).
            if (record.body.find("LD_") != std::string_view::npos ||
                record.body.find("4C445F") != std::string_view::npos)
                facts.envHint = true;
        } else if (record.type == "CONFIG_CHANGE") {
            facts.configChange = true;
        }
    }
    // A relative name belongs to the directory of the PARENT item when that one is absolute,
    // else to the CWD.
    std::string parentDir;
    for (const PathFacts &path : facts.paths)
        if (path.nametype == "PARENT" && !path.logged.empty() && path.logged.front() == '/') {
            parentDir = path.logged;
            break;
        }
    bool anyClass = false;
    for (PathFacts &path : facts.paths) {
        if (path.logged.front() == '/')
            path.resolved = joinPath("", path.logged);
        else if (!parentDir.empty() && path.nametype != "PARENT")
            path.resolved = joinPath(parentDir, baseOf(path.logged));
        else if (!facts.cwd.empty() && facts.cwd.front() == '/')
            path.resolved = joinPath(facts.cwd, path.logged);
        else
            path.resolved = path.logged;
        if (path.nametype == "PARENT")
            continue;
        path.pathClass = classifyPath(path.resolved);
        anyClass = anyClass || path.pathClass != PathClass::None;
    }
    return anyClass || facts.envHint || facts.configChange;
}

void EventClassifier::gatherDetails(const AuditEvent &event, EventFacts &facts)
{
    const AuditRecord *processRecord = nullptr;
    for (const AuditRecord &record : event.records)
        if (record.type == "SYSCALL") {
            processRecord = &record;
            break;
        }
    ExecveArguments execve;
    for (const AuditRecord &record : event.records) {
        const bool isProcess = &record == processRecord;
        const bool isExecve = record.type == "EXECVE";
        const bool isTitle = record.type == "PROCTITLE";
        const bool isConfig = record.type == "CONFIG_CHANGE";
        const bool wantsProcess = !processRecord && facts.process.empty() && record.type != "PATH" &&
                                  record.type != "CWD" && !isExecve && !isTitle && record.type != "EOE";
        if (!isProcess && !isExecve && !isTitle && !isConfig && !wantsProcess)
            continue;
        m_splitter.forEach(record.type, record.body, [&](std::string_view name, std::string_view value) {
            if (isExecve) {
                execve.addField(name, value);
            } else if (isTitle) {
                if (name == "proctitle")
                    facts.proctitle = decodeProctitle(value);
            } else {
                if (isConfig)
                    facts.config.emplace(std::string(name), std::string(value));
                if (contains(std::begin(kProcessFields), std::end(kProcessFields), name) && !facts.process.count(name))
                    facts.process.emplace(std::string(name),
                                          contains(std::begin(kDecodedFields), std::end(kDecodedFields), name)
                                              ? decodeValue(value)
                                              : std::string(value));
            }
        });
    }
    facts.arguments = execve.arguments();
    facts.missingArguments = execve.missing();
    if (facts.envHint) {
        for (const std::string &argument : facts.arguments)
            findLoaderVariables(argument, "execve", facts.variables);
        if (facts.variables.empty())
            findLoaderVariables(facts.proctitle, "proctitle", facts.variables);
    }
    facts.access = processRecord ? syscallAccess(facts.get("arch"), facts.get("syscall"), facts.get("a1"), facts.get("a2"))
                                 : Access::Unknown;
}

std::string_view EventClassifier::classify(const AuditEvent &event, LoadEvent &out)
{
    EventFacts facts;
    if (!gatherCheap(event, facts))
        return kind::Irrelevant;
    gatherDetails(event, facts);
    Judgement judgement = judgeEvent(facts);
    if (judgement.kind == kind::Irrelevant)
        return kind::Irrelevant;
    out = LoadEvent();
    out.kind = std::string(judgement.kind);
    out.imageLoaded = std::move(judgement.imageLoaded);
    out.verdict = std::move(judgement.verdict);
    fillLoadEvent(event, facts, out);
    return judgement.kind;
}

void EventClassifier::fillLoadEvent(const AuditEvent &event, const EventFacts &facts, LoadEvent &out)
{
    out.source = "auditd";
    out.channel = "auditd";
    out.eventId = 0;
    out.timeUs = event.timeUs();
    out.host = event.node.empty() ? m_defaultHost : std::string(event.node);
    out.recordId = event.serial;
    out.pid = std::int64_t(parseUnsigned(facts.get("pid")).value_or(0));
    out.image = std::string(facts.get("exe"));
    const std::string_view auid = facts.get("auid");
    out.user = std::string(unsetId(auid) ? facts.get("uid") : auid);
    out.commandLine = facts.arguments.empty() ? facts.proctitle : joinCommandLine(facts.arguments);
    out.sourceOffset = event.offset;

    auto &fields = out.fields;
    fields["stamp"] = std::to_string(event.seconds) + "." + std::to_string(event.millis) + ":" +
                      std::to_string(event.serial);
    if (!event.node.empty())
        fields["node"] = std::string(event.node);
    std::string types;
    for (const AuditRecord &record : event.records) {
        if (!types.empty())
            types += ',';
        types += record.type;
    }
    fields["records"] = std::move(types);
    for (const auto &[name, value] : facts.process)
        if (name != "a1" && name != "a2")
            fields[name] = value;
    for (const auto &[name, value] : facts.config)
        fields["config." + name] = value;
    if (!facts.cwd.empty())
        fields["cwd"] = facts.cwd;
    if (!facts.arguments.empty())
        fields["argc"] = std::to_string(facts.arguments.size());
    if (facts.missingArguments)
        fields["execve.missing"] = std::to_string(facts.missingArguments);
    if (!facts.proctitle.empty())
        fields["proctitle"] = facts.proctitle;
    for (const LoaderVariable &variable : facts.variables)
        fields.emplace(variable.name, variable.value);
    std::string paths;
    for (const PathFacts &path : facts.paths) {
        if (path.pathClass == PathClass::None)
            continue;
        if (!paths.empty())
            paths += '\n';
        paths += path.resolved;
        if (path.resolved == out.imageLoaded) {
            fields["name"] = path.logged;
            fields["nametype"] = path.nametype;
            fields["mode"] = path.mode;
            fields["inode"] = path.inode;
            fields["ouid"] = path.ouid;
        }
    }
    if (!paths.empty())
        fields["paths"] = std::move(paths);
}

} // namespace loadlens::audit
