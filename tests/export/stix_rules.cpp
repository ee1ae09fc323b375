#include "stix_rules.h"

#include "export/attack_catalog.h"
#include "export/stix.h"

#include <QRegularExpression>
#include <QString>

#include <map>
#include <set>
#include <string>

namespace loadlens::testing {

using nlohmann::json;
using namespace loadlens::exporting;

namespace {

const std::set<std::string> kObservableTypes{"file", "directory", "process", "user-account"};
const std::set<std::string> kSdoTypes{"attack-pattern", "campaign", "course-of-action", "grouping", "identity",
                                      "incident", "indicator", "infrastructure", "intrusion-set", "location",
                                      "malware", "malware-analysis", "note", "observed-data", "opinion", "report",
                                      "threat-actor", "tool", "vulnerability"};

// MITRE's objects the bundle may refer to without carrying them.
std::set<std::string> mitreIds()
{
    std::set<std::string> ids{std::string(m1044::StixId)};
    for (const char *t : {"T1574", "T1574.001", "T1574.006", "T1055", "T1620", "T1014"})
        if (const AttackTechnique *a = attackTechnique(t))
            ids.insert(std::string(a->stixId));
    return ids;
}

std::string typeOfId(const std::string &id) { return id.substr(0, id.find("--")); }

} // namespace

QStringList stixViolations(const json &bundle)
{
    QStringList bad;
    auto fail = [&](const json &o, const std::string &what) {
        bad << QString::fromStdString(o.value("id", std::string("?")) + ": " + what);
    };
    static const QRegularExpression idPattern(QStringLiteral(
        "^([a-z0-9][a-z0-9-]+[a-z0-9])--[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
    static const QRegularExpression timePattern(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));
    auto isTime = [&](const json &v) { return v.is_string() && timePattern.match(QString::fromStdString(v)).hasMatch(); };

    if (bundle.value("type", std::string()) != "bundle" || !idPattern.match(QString::fromStdString(bundle.value("id", std::string()))).hasMatch())
        bad << u"bundle: type or id"_qs;
    if (bundle.contains("spec_version"))
        bad << u"bundle: a 2.1 bundle has no spec_version"_qs;
    std::map<std::string, const json *> objects;
    for (const auto &o : bundle["objects"])
        objects[o.value("id", std::string())] = &o;
    const std::set<std::string> external = mitreIds();

    for (const auto &o : bundle["objects"]) {
        const std::string type = o.value("type", std::string());
        const std::string id = o.value("id", std::string());
        const auto match = idPattern.match(QString::fromStdString(id));
        if (!match.hasMatch() || match.captured(1).toStdString() != type)
            fail(o, "id does not match type--UUID");
        if (o.value("spec_version", std::string()) != "2.1")
            fail(o, "spec_version is not 2.1");
        if (external.count(id))
            fail(o, "re-emits MITRE's object");
        const bool sco = kObservableTypes.count(type) > 0;
        if (sco) {
            for (const char *k : {"created", "modified", "created_by_ref"})
                if (o.contains(k))
                    fail(o, std::string("an SCO has no ") + k);
        } else {
            if (!isTime(o.value("created", json())) || !isTime(o.value("modified", json())))
                fail(o, "created/modified missing or not millisecond UTC timestamps");
            else if (o["modified"].get<std::string>() < o["created"].get<std::string>())
                fail(o, "modified before created");
            if (type == "identity" && id == kLoadLensIdentityId) {
                if (o.contains("created_by_ref"))
                    fail(o, "the producer identity is its own creator");
            } else if (o.value("created_by_ref", std::string()) != kLoadLensIdentityId) {
                fail(o, "created by someone other than LoadLens: only the creator may publish a version");
            }
        }
        auto need = [&](std::initializer_list<const char *> keys) {
            for (const char *k : keys)
                if (!o.contains(k))
                    fail(o, std::string("lacks required ") + k);
        };
        if (type == "identity")
            need({"name"});
        else if (type == "indicator")
            need({"pattern", "pattern_type", "valid_from"});
        else if (type == "relationship")
            need({"relationship_type", "source_ref", "target_ref"});
        else if (type == "sighting")
            need({"sighting_of_ref"});
        else if (type == "observed-data")
            need({"first_observed", "last_observed", "number_observed", "object_refs"});
        else if (type == "directory")
            need({"path"});
        else if (type == "file" && !o.contains("hashes") && !o.contains("name"))
            fail(o, "a file needs hashes or name");
        if (type == "observed-data") {
            const auto n = o.value("number_observed", 0);
            if (n < 1 || n > 999999999 || o["object_refs"].empty() ||
                o.value("last_observed", std::string()) < o.value("first_observed", std::string()))
                fail(o, "number_observed, object_refs or the observed interval");
        }
        if (type == "sighting" && o.contains("count") && (o["count"].get<long long>() < 0 || o["count"].get<long long>() > 999999999))
            fail(o, "count out of range");
        if (o.contains("external_references"))
            for (const auto &r : o["external_references"])
                if (!r.contains("source_name") || !(r.contains("url") || r.contains("external_id") || r.contains("description")))
                    fail(o, "an external reference needs source_name and url, external_id or description");

        // What each reference may point to.
        auto expectRef = [&](const std::string &key, const std::string &ref, const std::set<std::string> &types) {
            const std::string target = typeOfId(ref);
            if (!types.empty() && !types.count(target))
                fail(o, key + " points to a " + target);
            if (!objects.count(ref) && !(key == "target_ref" && external.count(ref)))
                fail(o, key + " " + ref + " is not in the bundle");
        };
        for (auto it = o.begin(); it != o.end(); ++it) {
            const std::string key = it.key();
            std::set<std::string> types;
            if (key == "created_by_ref" || key == "where_sighted_refs")
                types = {"identity"};
            else if (key == "observed_data_refs")
                types = {"observed-data"};
            else if (key == "parent_directory_ref")
                types = {"directory"};
            else if (key == "image_ref")
                types = {"file"};
            else if (key == "creator_user_ref")
                types = {"user-account"};
            else if (key == "sighting_of_ref")
                types = kSdoTypes;
            else if (key == "object_refs")
                types = {"file", "directory", "process", "user-account", "relationship"};
            else if (!key.ends_with("_ref") && !key.ends_with("_refs"))
                continue;
            if (it.value().is_array())
                for (const auto &ref : it.value())
                    expectRef(key, ref.get<std::string>(), types);
            else
                expectRef(key, it.value().get<std::string>(), types);
        }
        if (type == "relationship" && o.value("relationship_type", std::string()) == "indicates" &&
            (typeOfId(o.value("source_ref", std::string())) != "indicator" ||
             typeOfId(o.value("target_ref", std::string())) != "attack-pattern"))
            fail(o, "indicates must go from an indicator to an attack-pattern here");
    }
    return bad;
}


} // namespace loadlens::testing
