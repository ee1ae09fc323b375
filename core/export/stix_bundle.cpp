#include "export/stix.h"

#include "export/attack_catalog.h"
#include "export/export_support.h"
#include "export/stix_ids.h"

#include <chrono>
#include <map>
#include <set>

namespace loadlens::exporting {

using nlohmann::json;

namespace {

std::string patternLiteral(const std::string &value)
{
    std::string out = "'";
    for (char c : value) {
        if (c == '\\' || c == '\'')
            out += '\\';
        out += c;
    }
    return out + "'";
}

// What a suspicious module or finding is recognised by, as a STIX pattern.
std::string filePattern(const std::string &path, const FileFacts *facts)
{
    if (facts && !facts->sha256.empty())
        return "[file:hashes.'SHA-256' = " + patternLiteral(facts->sha256) + "]";
    const std::string dir = directoryOf(path);
    std::string pattern = "[file:name = " + patternLiteral(fileNameOf(path));
    if (!dir.empty())
        pattern += " AND file:parent_directory_ref.path = " + patternLiteral(dir);
    return pattern + "]";
}

std::string processPattern(int pid) { return "[process:pid = " + std::to_string(pid) + "]"; }

class BundleBuilder {
public:
    explicit BundleBuilder(const StixOptions &options)
        : m_options(options), m_now(rfc3339FromMicros(options.createdMicros ? options.createdMicros : nowMicros(), 3))
    {
        // The producer identity: one fixed version, so that every export carries the same object
        // rather than a new version of it stamped with the export time.
        json producer = {{"type", "identity"}, {"spec_version", "2.1"}, {"id", kLoadLensIdentityId},
                         {"created", kLoadLensIdentityCreated}, {"modified", kLoadLensIdentityCreated}};
        producer["name"] = "LoadLens";
        producer["identity_class"] = "system";
        producer["description"] = "Inventory of loaded code and library-loading hijack checks (ATT&CK M1044).";
        add(producer);
    }

    // The modules and findings of one scan (one host at one time).
    void addScan(const ScanResult &scan)
    {
        m_scan = &scan;
        m_observed = rfc3339FromSeconds(scan.scannedAt, 3);
        m_hostId = hostIdentity(scan.host.hostname);
        addModules();
        addFindings();
        m_scan = nullptr;
    }

    // Log events: each at or above the observed level becomes observed-data over the file it
    // names (with the hashes the event gives) and its process; those at or above the indicator
    // level are indicated and sighted on their host like suspicious modules, one indicator per
    // file and host however many events name it.
    void addEvents(const std::vector<LoadEvent> &events)
    {
        struct Group {
            std::string pattern, name, hostId, first, last;
            std::vector<const Reason *> reasons;
            std::vector<std::string> observed;
        };
        std::map<std::pair<std::string, std::string>, Group> groups;
        for (const auto &e : events) {
            if (e.verdict.level < m_options.observedLevel)
                continue;
            const std::string when = rfc3339FromMicros(e.timeUs, 3);
            const std::string hostId = hostIdentity(e.host);
            const std::string path = !e.imageLoaded.empty() ? e.imageLoaded : e.image;
            if (path.empty())
                continue;  // nothing observable
            const auto hashes = parseSysmonHashes(e.hashes);
            FileFacts facts;
            if (auto it = hashes.find("sha256"); it != hashes.end())
                facts.sha256 = toLower(it->second);
            if (auto it = hashes.find("md5"); it != hashes.end())
                facts.md5 = toLower(it->second);
            const bool hashed = !facts.sha256.empty() || !facts.md5.empty();
            json refs = json::array({fileRef(path, hashed ? &facts : nullptr)});
            if (e.pid > 0 || !e.image.empty())
                refs.push_back(eventProcessRef(e, hostId));
            json observed = sdo("observed-data");
            observed["first_observed"] = when;
            observed["last_observed"] = when;
            observed["number_observed"] = 1;
            observed["object_refs"] = refs;
            const std::string observedId = add(observed);
            if (e.verdict.level < m_options.indicatorLevel)
                continue;
            const std::string pattern = filePattern(path, !facts.sha256.empty() ? &facts : nullptr);
            Group &g = groups[{hostId, pattern}];
            if (g.pattern.empty()) {
                g.pattern = pattern;
                g.name = fileNameOf(path);
                g.hostId = hostId;
                g.first = g.last = when;
            }
            g.first = std::min(g.first, when);
            g.last = std::max(g.last, when);
            for (const auto &r : e.verdict.reasons)
                g.reasons.push_back(&r);
            g.observed.push_back(observedId);
        }
        for (const auto &[key, g] : groups) {
            m_hostId = g.hostId;
            m_observed = g.first;
            const std::string id = indicator(g.pattern, g.name, g.reasons);
            sighting(id, g.observed, g.first, g.last);
        }
    }

private:
    void addModules()
    {
        // Suspicious modules grouped by what identifies them, so that one file mapped into
        // twenty processes gives one indicator sighted twenty times.
        struct Group {
            std::string pattern, name;
            std::vector<const Reason *> reasons;
            std::vector<std::string> observed;
        };
        std::map<std::string, Group> groups;
        for (const auto &p : m_scan->processes) {
            for (const auto &m : p.modules) {
                if (m.pseudo || m.verdict.level < m_options.observedLevel)
                    continue;
                const FileFacts *facts = factsFor(*m_scan, m);
                json refs = json::array({processRef(p)});
                if (!m.path.empty() && !m.anonymousExec)
                    refs.insert(refs.begin(), fileRef(m.path, facts));
                json observed = sdo("observed-data");
                observed["first_observed"] = m_observed;
                observed["last_observed"] = m_observed;
                observed["number_observed"] = 1;
                observed["object_refs"] = refs;
                const std::string observedId = add(observed);
                if (m.verdict.level < m_options.indicatorLevel)
                    continue;
                const std::string pattern =
                    m.anonymousExec || m.path.empty() ? processPattern(p.pid) : filePattern(m.path, facts);
                Group &g = groups[pattern];
                g.pattern = pattern;
                g.name = m.anonymousExec ? "anonymous executable memory in " + p.name : fileNameOf(m.path);
                for (const auto &r : m.verdict.reasons)
                    g.reasons.push_back(&r);
                g.observed.push_back(observedId);
            }
        }
        for (const auto &[pattern, g] : groups)
            sighting(indicator(g.pattern, g.name, g.reasons), g.observed);
    }

    void addFindings()
    {
        for (const auto &f : m_scan->findings) {
            if (f.level < m_options.indicatorLevel)
                continue;
            std::string pattern;
            for (const auto &[key, value] : f.evidence)
                if (key == "path" && pattern.empty())
                    pattern = filePattern(value, nullptr);
            if (pattern.empty() && f.pid)
                pattern = processPattern(f.pid);
            if (pattern.empty())
                continue;  // nothing observable to match on (a host-wide state)
            const Reason reason{f.code, f.level, f.text, f.technique, f.measure, f.evidence};
            sighting(indicator(pattern, f.code, {&reason}), {});
        }
    }

public:
    json bundle() const
    {
        return {{"type", "bundle"}, {"id", stixRandomId("bundle")}, {"objects", m_objects}};
    }

private:
    static std::string toLower(std::string s)
    {
        for (char &c : s)
            if (c >= 'A' && c <= 'Z')
                c = static_cast<char>(c - 'A' + 'a');
        return s;
    }

    // One identity per host name in the bundle.
    std::string hostIdentity(const std::string &name)
    {
        const std::string shown = name.empty() ? std::string("unknown host") : name;
        if (auto it = m_hostIds.find(shown); it != m_hostIds.end())
            return it->second;
        json host = sdo("identity");
        host["name"] = shown;
        host["identity_class"] = "system";
        return m_hostIds[shown] = add(host);
    }

    // The process of an event: one object per host, pid and image.
    std::string eventProcessRef(const LoadEvent &e, const std::string &hostId)
    {
        const std::string key = hostId + "\n" + std::to_string(e.pid) + "\n" + e.image;
        if (auto it = m_processIds.find(key); it != m_processIds.end())
            return it->second;
        json process = {{"type", "process"}, {"spec_version", "2.1"}, {"id", stixRandomId("process")}};
        if (e.pid > 0)
            process["pid"] = e.pid;
        if (!e.commandLine.empty())
            process["command_line"] = e.commandLine;
        if (!e.image.empty())
            process["image_ref"] = fileRef(e.image, nullptr);
        return m_processIds[key] = add(process);
    }

    static std::int64_t nowMicros()
    {
        return std::chrono::duration_cast<std::chrono::microseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }

    json common(const std::string &type, const std::string &id) const
    {
        return {{"type", type}, {"spec_version", "2.1"}, {"id", id}, {"created", m_now}, {"modified", m_now}};
    }

    json sdo(const std::string &type) const
    {
        json object = common(type, stixRandomId(type));
        object["created_by_ref"] = kLoadLensIdentityId;
        return object;
    }

    std::string add(json object)
    {
        std::string id = object["id"];
        if (m_ids.insert(id).second)
            m_objects.push_back(std::move(object));
        return id;
    }

    std::string sco(json object, const json &contributing)
    {
        object["spec_version"] = "2.1";
        object["id"] = stixScoId(object["type"].get<std::string>(), contributing);
        return add(std::move(object));
    }

    std::string directoryRef(const std::string &path)
    {
        return sco({{"type", "directory"}, {"path", path}}, {{"path", path}});
    }

    std::string fileRef(const std::string &path, const FileFacts *facts)
    {
        json file = {{"type", "file"}, {"name", fileNameOf(path)}};
        json contributing = {{"name", fileNameOf(path)}};
        if (facts && (!facts->sha256.empty() || !facts->md5.empty())) {
            json hashes = json::object();
            if (!facts->sha256.empty())
                hashes["SHA-256"] = facts->sha256;
            if (!facts->md5.empty())
                hashes["MD5"] = facts->md5;
            file["hashes"] = hashes;
            // Section 2.9 / 6.7: of the hashes only one contributes, MD5 before SHA-256.
            contributing["hashes"] = facts->md5.empty() ? json{{"SHA-256", facts->sha256}} : json{{"MD5", facts->md5}};
        }
        if (facts && facts->size > 0)  // events give digests without a size
            file["size"] = facts->size;
        if (const std::string dir = directoryOf(path); !dir.empty() && path.rfind("/memfd:", 0) != 0) {
            file["parent_directory_ref"] = directoryRef(dir);
            contributing["parent_directory_ref"] = file["parent_directory_ref"];
        }
        return sco(file, contributing);
    }

    std::string userRef(const ProcessInfo &p)
    {
        json user = {{"type", "user-account"}, {"user_id", std::to_string(p.uid)}, {"account_type", "unix"}};
        if (!p.user.empty() && p.user != std::to_string(p.uid))
            user["account_login"] = p.user;
        json contributing = user;
        contributing.erase("type");
        return sco(user, contributing);
    }

    // Process has no ID contributing properties in STIX 2.1, so its id is a UUIDv4; it is
    // made once per pid so that all of a process's modules refer to the same object.
    std::string processRef(const ProcessInfo &p)
    {
        const std::string key = m_hostId + "\n" + std::to_string(p.pid);
        if (auto it = m_processIds.find(key); it != m_processIds.end())
            return it->second;
        json process = {{"type", "process"}, {"spec_version", "2.1"}, {"id", stixRandomId("process")}, {"pid", p.pid}};
        if (!p.cmdline.empty())
            process["command_line"] = joined(p.cmdline, " ");
        if (!p.exe.empty())
            process["image_ref"] = fileRef(p.exe, nullptr);
        process["creator_user_ref"] = userRef(p);
        if (!p.loaderEnv.empty())
            process["environment_variables"] = p.loaderEnv;
        return m_processIds[key] = add(process);
    }

    // MITRE's ATT&CK objects are referred to by their ids (relationships) and by external
    // references, never emitted: an object carrying MITRE's id with our created/modified would be
    // a new version of it, which STIX reserves for its creator (MITRE). A consumer holding the
    // ATT&CK data set resolves the ids; for techniques the catalog does not know, only the
    // external reference names them.
    static json attackReference(const std::string &technique)
    {
        return {{"source_name", "mitre-attack"}, {"external_id", technique}, {"url", attackTechniqueUrl(technique)}};
    }

    void relationship(const std::string &type, const std::string &source, const std::string &target)
    {
        json r = sdo("relationship");
        r["relationship_type"] = type;
        r["source_ref"] = source;
        r["target_ref"] = target;
        add(r);
    }

    std::string indicator(const std::string &pattern, const std::string &name, const std::vector<const Reason *> &reasons)
    {
        json ind = sdo("indicator");
        std::vector<std::string> texts;
        std::set<std::string> techniques;
        Level level = Level::Ok;
        for (const Reason *r : reasons) {
            texts.push_back(r->text);
            if (!r->technique.empty())
                techniques.insert(r->technique);
            level = std::max(level, r->level);
        }
        ind["name"] = std::string("LoadLens ") + std::string(levelName(level)) + ": " + name;
        ind["description"] = joined(texts, " ");
        ind["indicator_types"] = json::array({"anomalous-activity"});
        ind["pattern"] = pattern;
        ind["pattern_type"] = "stix";
        ind["pattern_version"] = "2.1";
        ind["valid_from"] = m_observed;
        json references = json::array();
        std::set<std::string> measures;
        for (const auto &technique : techniques)
            references.push_back(attackReference(technique));
        for (const Reason *r : reasons)
            if (!r->measure.empty())
                measures.insert(r->measure);
        if (!measures.empty()) {
            std::vector<std::string> list(measures.begin(), measures.end());
            references.push_back({{"source_name", "mitre-attack"},
                                  {"external_id", m1044::Id},
                                  {"url", m1044::Url},
                                  {"description", std::string(m1044::Name) + " (" +
                                                      std::string(m1044::StixId) + "): " + joined(list, "; ")}});
        }
        if (!references.empty())
            ind["external_references"] = references;
        const std::string id = add(ind);
        for (const auto &technique : techniques)
            if (const AttackTechnique *t = attackTechnique(technique))
                relationship("indicates", id, std::string(t->stixId));
        return id;
    }

    void sighting(const std::string &indicatorId, const std::vector<std::string> &observed,
                  const std::string &first = {}, const std::string &last = {})
    {
        json s = sdo("sighting");
        s["sighting_of_ref"] = indicatorId;
        s["where_sighted_refs"] = json::array({m_hostId});
        s["first_seen"] = first.empty() ? m_observed : first;
        s["last_seen"] = last.empty() ? m_observed : last;
        s["count"] = observed.empty() ? 1 : observed.size();
        if (!observed.empty())
            s["observed_data_refs"] = observed;
        add(s);
    }

    const ScanResult *m_scan = nullptr;
    const StixOptions &m_options;
    std::string m_now;
    std::string m_observed;
    std::string m_hostId;
    json m_objects = json::array();
    std::set<std::string> m_ids;
    std::map<std::string, std::string> m_processIds;  // by host identity and pid (and image, for events)
    std::map<std::string, std::string> m_hostIds;     // by host name
};

} // namespace

json stixBundle(const ScanResult &scan, const StixOptions &options)
{
    BundleBuilder builder(options);
    builder.addScan(scan);
    return builder.bundle();
}

json stixBundle(const std::vector<const ScanResult *> &scans, const std::vector<LoadEvent> &events,
                const StixOptions &options)
{
    BundleBuilder builder(options);
    for (const ScanResult *scan : scans)
        builder.addScan(*scan);
    builder.addEvents(events);
    return builder.bundle();
}

void writeStix(std::ostream &out, const ScanResult &scan, const StixOptions &options)
{
    out << stixBundle(scan, options).dump(1, ' ', false, json::error_handler_t::replace) << "\n";
}

} // namespace loadlens::exporting
