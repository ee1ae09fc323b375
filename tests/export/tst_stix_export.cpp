// STIX 2.1 bundles, read back: object shapes, ids (UUIDv5 recomputed independently with QUuid
// for observables, UUIDv4 for the rest), references that resolve, ATT&CK and M1044 objects,
// indicator patterns and sightings of the preloaded library from a real scan.
#include <QtTest>

#include "export_fixture.h"
#include "stix_rules.h"
#include "export/attack_catalog.h"
#include "export/stix.h"
#include "export/stix_ids.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUuid>

#include <nlohmann/json.hpp>

#include <map>
#include <set>
#include <sstream>

using namespace loadlens;
using namespace loadlens::exporting;
using nlohmann::json;
using loadlens::testing::stixViolations;

namespace {

const std::set<std::string> kObservableTypes{"file", "directory", "process", "user-account"};

json bundleOf(const ScanResult &scan, const StixOptions &options = {})
{
    std::ostringstream out;
    writeStix(out, scan, options);
    return json::parse(out.str());
}

QUuid uuidOf(const std::string &id)
{
    const auto dashes = id.find("--");
    return QUuid::fromString(QString::fromStdString(id.substr(dashes + 2)));
}

std::map<std::string, json> byId(const json &bundle)
{
    std::map<std::string, json> out;
    for (const auto &o : bundle["objects"])
        out[o["id"].get<std::string>()] = o;
    return out;
}

std::vector<json> ofType(const json &bundle, const std::string &type)
{
    std::vector<json> out;
    for (const auto &o : bundle["objects"])
        if (o["type"] == type)
            out.push_back(o);
    return out;
}

// The id an independent implementation gives: RFC 8785 form of the ID contributing
// properties (QJsonDocument sorts members and writes compact UTF-8), UUIDv5 in the STIX namespace.
std::string expectedScoId(const json &object)
{
    static const std::map<std::string, std::vector<std::string>> contributing{
        {"file", {"hashes", "name", "extensions", "parent_directory_ref"}},
        {"directory", {"path"}},
        {"user-account", {"account_type", "user_id", "account_login"}}};
    const std::string type = object["type"];
    json subset = json::object();
    for (const auto &key : contributing.at(type)) {
        if (!object.contains(key))
            continue;
        if (key == "hashes") {
            const json &h = object[key];
            subset[key] = h.contains("MD5") ? json{{"MD5", h["MD5"]}} : json{{"SHA-256", h["SHA-256"]}};
        } else {
            subset[key] = object[key];
        }
    }
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(subset.dump()));
    const QUuid ns(QString::fromLatin1(kStixScoNamespace.data(), qsizetype(kStixScoNamespace.size())));
    const QUuid id = QUuid::createUuidV5(ns, doc.toJson(QJsonDocument::Compact));
    return type + "--" + id.toString(QUuid::WithoutBraces).toStdString();
}

// Every "*_ref" and "*_refs" value anywhere inside `value`.
void collectRefs(const json &value, const std::string &key, std::vector<std::string> &out)
{
    const bool isRef = key.size() > 4 && (key.ends_with("_ref") || key.ends_with("_refs"));
    if (value.is_object()) {
        for (auto it = value.begin(); it != value.end(); ++it)
            collectRefs(it.value(), it.key(), out);
    } else if (value.is_array()) {
        for (const auto &v : value)
            collectRefs(v, key, out);
    } else if (isRef && value.is_string()) {
        out.push_back(value.get<std::string>());
    }
}

ScanResult unicodeScan()
{
    ScanResult scan;
    scan.host.hostname = "h\xc3\xa9te";
    scan.scannedAt = 1714564800;
    ProcessInfo p;
    p.pid = 77;
    p.uid = 1000;
    p.user = "alice";
    p.name = "app";
    p.exe = "/opt/app/bin/app";
    ModuleRecord m;
    m.path = "/opt/app/lib/biblioth\xc3\xa8que-\xe6\x97\xa5\xe6\x9c\xac \"x\".so";
    m.file = {42, 4242};
    m.verdict.add(Reason{"writable-path", Level::High, "writable", "T1574.006", "measure", {}});
    p.modules.push_back(m);
    scan.processes.push_back(p);
    FileFacts facts;
    facts.key = m.file;
    facts.sha256 = std::string(64, 'a');
    facts.md5 = std::string(32, 'b');
    scan.files[m.file] = facts;
    return scan;
}

} // namespace

class TestStixExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(m_fixture.start(), qPrintable(m_fixture.error()));
        m_bundle = bundleOf(m_fixture.scan());
    }

    void uuidVersion5KnownAnswer()
    {
        // RFC 4122 DNS namespace, the example the Python documentation gives.
        const auto dns = parseUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8");
        QVERIFY(dns);
        QCOMPARE(uuid5(*dns, "python.org"), std::string("886313e1-3b8a-5372-9b90-0c9aee199e5d"));
        QVERIFY(!parseUuid("6ba7b810-9dad-11d1-80b4-00c04fd430c"));
        QVERIFY(!parseUuid("6ba7b810x9dad-11d1-80b4-00c04fd430c8"));
        QCOMPARE(QUuid::fromString(QString::fromStdString(uuid4())).version(), QUuid::Random);
    }

    void everyObjectIsWellFormed()
    {
        QCOMPARE(m_bundle["type"].get<std::string>(), std::string("bundle"));
        QVERIFY(m_bundle["id"].get<std::string>().starts_with("bundle--"));
        QVERIFY(!m_bundle.contains("spec_version"));  // STIX 2.1 bundles have none
        static const QRegularExpression idPattern(
            QStringLiteral("^([a-z0-9-]+)--[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
        static const QRegularExpression timePattern(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)"));
        std::set<std::string> ids;
        for (const auto &o : m_bundle["objects"]) {
            const std::string text = o.dump();
            const std::string type = o["type"];
            const std::string id = o["id"];
            QVERIFY2(ids.insert(id).second, ("duplicate id " + id).c_str());
            const auto match = idPattern.match(QString::fromStdString(id));
            QVERIFY2(match.hasMatch(), text.c_str());
            QCOMPARE(match.captured(1).toStdString(), type);
            QCOMPARE(o["spec_version"].get<std::string>(), std::string("2.1"));
            if (kObservableTypes.count(type)) {
                QVERIFY2(!o.contains("created"), text.c_str());
                continue;
            }
            for (const char *key : {"created", "modified"})
                QVERIFY2(o.contains(key) && timePattern.match(QString::fromStdString(o[key])).hasMatch(), text.c_str());
        }
    }

    void idsAreDeterministicForObservablesOnly()
    {
        for (const auto &o : m_bundle["objects"]) {
            const std::string type = o["type"];
            const QUuid uuid = uuidOf(o["id"]);
            QCOMPARE(uuid.variant(), QUuid::DCE);
            if (type == "file" || type == "directory" || type == "user-account") {
                QCOMPARE(uuid.version(), QUuid::Sha1);
                QCOMPARE(o["id"].get<std::string>(), expectedScoId(o));
            } else {
                QCOMPARE(uuid.version(), QUuid::Random);  // process has no contributing properties
            }
        }
        // A second export of the same scan: the same observables, new domain objects.
        const json again = bundleOf(m_fixture.scan());
        const auto collect = [](const json &bundle, std::set<std::string> &scos, std::set<std::string> &sightings) {
            for (const auto &o : bundle["objects"]) {
                if (o["type"] == "file" || o["type"] == "directory" || o["type"] == "user-account")
                    scos.insert(o["id"].get<std::string>());
                if (o["type"] == "sighting")
                    sightings.insert(o["id"].get<std::string>());
            }
        };
        std::set<std::string> first, second, firstSightings, secondSightings;
        collect(m_bundle, first, firstSightings);
        collect(again, second, secondSightings);
        QVERIFY(!first.empty());
        QCOMPARE(first, second);
        QVERIFY(!firstSightings.empty());
        for (const auto &id : firstSightings)
            QVERIFY(!secondSightings.count(id));
    }

    void unicodeNamesHashTheSameAsAnIndependentCanonicalForm()
    {
        const json bundle = bundleOf(unicodeScan());
        int files = 0;
        for (const auto &o : bundle["objects"]) {
            if (o["type"] != "file" && o["type"] != "directory")
                continue;
            ++files;
            QCOMPARE(o["id"].get<std::string>(), expectedScoId(o));
        }
        QVERIFY(files >= 3);  // the module, its directory, the executable (and its directory)
        const auto indicators = ofType(bundle, "indicator");
        QCOMPARE(indicators.size(), size_t(1));
        QCOMPARE(indicators[0]["pattern"].get<std::string>(), "[file:hashes.'SHA-256' = '" + std::string(64, 'a') + "']");
    }

    void bundlesKeepTheStix21Rules_data()
    {
        QTest::addColumn<int>("which");
        QTest::addRow("real scan with a preloaded library") << 0;
        QTest::addRow("unicode names") << 1;
        QTest::addRow("findings and a technique ATT&CK does not list") << 2;
    }

    void bundlesKeepTheStix21Rules()
    {
        QFETCH(int, which);
        json bundle;
        if (which == 0) {
            bundle = m_bundle;
        } else if (which == 1) {
            bundle = bundleOf(unicodeScan());
        } else {
            ScanResult scan = unicodeScan();
            scan.processes.front().modules.front().verdict.add(
                Reason{"made-up", Level::High, "text", "T9999.999", "Some measure", {}});
            scan.findings.push_back(Finding{"preload-file-present", Level::High, 77, "text", "T1574.006",
                                            "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage",
                                            {{"path", "/etc/ld.so.preload"}}});
            bundle = bundleOf(scan);
        }
        const QStringList bad = stixViolations(bundle);
        QVERIFY2(bad.isEmpty(), qPrintable(bad.join(u'\n')));
        QVERIFY(!ofType(bundle, "indicator").empty());
    }

    // The checker itself: each rule it states is broken once and must be caught.
    void theRuleCheckCatchesBrokenBundles_data()
    {
        QTest::addColumn<QString>("breakage");
        QTest::addColumn<QString>("expected");
        QTest::addRow("MITRE object re-emitted") << "coa" << "re-emits MITRE's object";
        QTest::addRow("dangling ref") << "dangle" << "is not in the bundle";
        QTest::addRow("seconds only") << "time" << "millisecond UTC timestamps";
        QTest::addRow("foreign creator") << "creator" << "created by someone other than LoadLens";
        QTest::addRow("indicator without pattern") << "pattern" << "lacks required pattern";
        QTest::addRow("sighting of an observable") << "sighting" << "sighting_of_ref points to a file";
    }

    void theRuleCheckCatchesBrokenBundles()
    {
        QFETCH(QString, breakage);
        QFETCH(QString, expected);
        json bundle = m_bundle;
        auto &objects = bundle["objects"];
        auto first = [&](const std::string &type) -> json & {
            for (auto &o : objects)
                if (o["type"] == type)
                    return o;
            return objects[0];
        };
        if (breakage == u"coa"_qs)
            objects.push_back({{"type", "course-of-action"}, {"spec_version", "2.1"}, {"id", std::string(m1044::StixId)},
                               {"created", "2026-01-01T00:00:00.000Z"}, {"modified", "2026-01-01T00:00:00.000Z"},
                               {"created_by_ref", kLoadLensIdentityId}, {"name", "Restrict Library Loading"}});
        else if (breakage == u"dangle"_qs)
            first("sighting")["where_sighted_refs"] = json::array({"identity--00000000-0000-4000-8000-000000000000"});
        else if (breakage == u"time"_qs)
            first("indicator")["created"] = "2026-01-01T00:00:00Z";
        else if (breakage == u"creator"_qs)
            first("indicator")["created_by_ref"] = "identity--c78cb6e5-0c4b-4611-8297-d1b8b55e40b5";
        else if (breakage == u"pattern"_qs)
            first("indicator").erase("pattern");
        else if (breakage == u"sighting"_qs)
            first("sighting")["sighting_of_ref"] = first("file")["id"];
        const QStringList bad = stixViolations(bundle);
        QVERIFY2(!bad.filter(expected).isEmpty(), qPrintable(bad.join(u'\n')));
    }

    void attackObjectsAreReferencedNotReEmitted()
    {
        for (const auto &o : m_bundle["objects"])
            QVERIFY2(o["type"] != "attack-pattern" && o["type"] != "course-of-action", o.dump().c_str());
        const auto objects = byId(m_bundle);
        const std::string t1574006 = "attack-pattern--633a100c-b2c9-41bf-9be5-905c1b16c825";
        bool indicates = false;
        for (const auto &r : ofType(m_bundle, "relationship")) {
            QVERIFY(r["relationship_type"] != "mitigates");  // MITRE's own relationship, not ours to publish
            if (r["relationship_type"] == "indicates" && r["target_ref"] == t1574006 &&
                objects.at(r["source_ref"])["type"] == "indicator")
                indicates = true;
        }
        QVERIFY(indicates);
        // The indicator names the technique and M1044 by MITRE's ids.
        bool technique = false, mitigation = false;
        for (const auto &ind : ofType(m_bundle, "indicator"))
            for (const auto &ref : ind.value("external_references", json::array())) {
                QCOMPARE(ref["source_name"].get<std::string>(), std::string("mitre-attack"));
                if (ref["external_id"] == "T1574.006") {
                    technique = true;
                    QCOMPARE(ref["url"].get<std::string>(), std::string("https://attack.mitre.org/techniques/T1574/006/"));
                }
                if (ref["external_id"] == "M1044") {
                    mitigation = true;
                    QCOMPARE(ref["url"].get<std::string>(), std::string("https://attack.mitre.org/mitigations/M1044"));
                    QVERIFY(ref["description"].get<std::string>().find(std::string(m1044::StixId)) != std::string::npos);
                }
            }
        QVERIFY(technique);
        QVERIFY(mitigation);
        // The producer is one fixed version in every export.
        const json again = bundleOf(m_fixture.scan());
        QCOMPARE(byId(again).at(kLoadLensIdentityId), objects.at(kLoadLensIdentityId));
    }

    void preloadedLibraryIsIndicatedAndSighted()
    {
        const auto objects = byId(m_bundle);
        const auto &facts = m_fixture.scan().files.at(m_fixture.module(m_fixture.preloadedPath())->file);
        const std::string expected = "[file:hashes.'SHA-256' = '" + facts.sha256 + "']";
        static const QRegularExpression patternShape(QStringLiteral(
            R"(^\[(file:hashes\.'SHA-256' = '[0-9a-f]{64}'|file:name = '([^'\\]|\\.)*'( AND file:parent_directory_ref\.path = '([^'\\]|\\.)*')?|process:pid = \d+)\]$)"));
        std::string indicatorId;
        for (const auto &ind : ofType(m_bundle, "indicator")) {
            const std::string pattern = ind["pattern"];
            QVERIFY2(patternShape.match(QString::fromStdString(pattern)).hasMatch(), pattern.c_str());
            QCOMPARE(ind["pattern_type"].get<std::string>(), std::string("stix"));
            QVERIFY(ind.contains("valid_from"));
            if (pattern == expected)
                indicatorId = ind["id"];
        }
        QVERIFY2(!indicatorId.empty(), expected.c_str());

        bool sighted = false;
        for (const auto &s : ofType(m_bundle, "sighting")) {
            if (s["sighting_of_ref"] != indicatorId)
                continue;
            sighted = true;
            QCOMPARE(objects.at(s["where_sighted_refs"][0])["type"].get<std::string>(), std::string("identity"));
            // The observed data behind the sighting holds the file with that digest and the process.
            bool fileSeen = false, processSeen = false;
            for (const auto &od : s["observed_data_refs"])
                for (const auto &ref : objects.at(od)["object_refs"]) {
                    const json &o = objects.at(ref);
                    fileSeen |= o["type"] == "file" && o["hashes"]["SHA-256"] == facts.sha256 && o["name"] == "libhook.so";
                    processSeen |= o["type"] == "process" && o["pid"] == m_fixture.pid();
                }
            QVERIFY(fileSeen);
            QVERIFY(processSeen);
        }
        QVERIFY(sighted);
        // One process object per process, however many modules refer to it.
        QCOMPARE(ofType(m_bundle, "process").size(), m_fixture.scan().processes.size());
    }

private:
    testing::PreloadedFixture m_fixture;
    json m_bundle;
};

QTEST_GUILESS_MAIN(TestStixExport)
#include "tst_stix_export.moc"
