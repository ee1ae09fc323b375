// ECS NDJSON, read back line by line: action and document lines alternate, required fields are
// there and typed, verdicts carry ATT&CK and M1044, log events map onto ECS categories.
#include <QtTest>

#include "export_fixture.h"
#include "export/ecs.h"

#include <nlohmann/json.hpp>

#include <sstream>

using namespace loadlens;
using namespace loadlens::exporting;
using nlohmann::json;

namespace {

std::vector<json> parseLines(const std::string &text, QString *error)
{
    std::vector<json> out;
    std::istringstream in(text);
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        try {
            out.push_back(json::parse(line));
        } catch (const json::exception &e) {
            *error = QStringLiteral("line %1 does not parse: %2").arg(number).arg(QString::fromUtf8(e.what()));
            return {};
        }
    }
    return out;
}

// Documents of a _bulk body; fails the test when the lines do not alternate.
std::vector<json> bulkDocuments(const std::string &text, const std::string &index)
{
    QString error;
    const auto lines = parseLines(text, &error);
    if (!error.isEmpty())
        qFatal("%s", qPrintable(error));
    std::vector<json> docs;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (i % 2 == 0) {
            if (lines[i] != json{{"index", {{"_index", index}}}})
                qFatal("line %zu is not an action line: %s", i + 1, lines[i].dump().c_str());
        } else {
            docs.push_back(lines[i]);
        }
    }
    if (lines.size() % 2)
        qFatal("an action line has no document");
    return docs;
}

const json *at(const json &doc, const std::string &dotted)
{
    const json *node = &doc;
    std::size_t start = 0;
    while (start <= dotted.size()) {
        const auto dot = dotted.find('.', start);
        const std::string key = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
        if (!node->is_object() || !node->contains(key))
            return nullptr;
        node = &(*node)[key];
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    return node;
}

bool isRfc3339(const json *value)
{
    static const QRegularExpression re(QStringLiteral(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$)"));
    return value && value->is_string() && re.match(QString::fromStdString(value->get<std::string>())).hasMatch();
}

bool containsString(const json *array, const std::string &value)
{
    return array && array->is_array() && std::find(array->begin(), array->end(), value) != array->end();
}

} // namespace

class TestEcsExport : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { QVERIFY2(m_fixture.start(), qPrintable(m_fixture.error())); }

    void everyModuleDocumentIsComplete()
    {
        std::ostringstream out;
        writeEcsScan(out, m_fixture.scan(), {});
        const auto docs = bulkDocuments(out.str(), "loadlens-modules");
        std::size_t modules = 0;
        for (const auto &p : m_fixture.scan().processes)
            modules += p.modules.size();
        QCOMPARE(docs.size(), modules + m_fixture.scan().findings.size());
        for (const auto &doc : docs) {
            const std::string text = doc.dump();
            QVERIFY2(isRfc3339(at(doc, "@timestamp")), text.c_str());
            QVERIFY2(at(doc, "host.name") && at(doc, "host.name")->is_string(), text.c_str());
            QCOMPARE(at(doc, "event.module")->get<std::string>(), std::string("loadlens"));
            QVERIFY(at(doc, "event.category")->is_array());
            const std::string kind = at(doc, "event.kind")->get<std::string>();
            QVERIFY2(kind == "state" || kind == "alert", text.c_str());
            QVERIFY(at(doc, "loadlens.verdict.level")->is_string());
            if (containsString(at(doc, "event.category"), "library")) {
                QVERIFY2(at(doc, "process.pid") && at(doc, "process.pid")->is_number_integer(), text.c_str());
                QVERIFY(at(doc, "process.parent.pid")->is_number_integer());
                QVERIFY(at(doc, "user.name")->is_string());
            }
            if (at(doc, "threat"))
                QCOMPARE(at(doc, "threat.framework")->get<std::string>(), std::string("MITRE ATT&CK"));
        }
    }

    void preloadedLibraryIsAnAlertWithTechnique()
    {
        const json doc = documentFor(m_fixture.preloadedPath().toStdString());
        QVERIFY(!doc.is_null());
        QCOMPARE(at(doc, "event.kind")->get<std::string>(), std::string("alert"));
        QCOMPARE(at(doc, "event.severity")->get<int>(), 4);
        QCOMPARE(at(doc, "process.pid")->get<int>(), m_fixture.pid());
        QCOMPARE(at(doc, "process.name")->get<std::string>(), std::string("=SUM(1,2)"));
        QCOMPARE(at(doc, "dll.name")->get<std::string>(), std::string("libhook.so"));
        QVERIFY(containsString(at(doc, "threat.technique.id"), "T1574"));
        QVERIFY(containsString(at(doc, "threat.technique.subtechnique.id"), "T1574.006"));
        QVERIFY(containsString(at(doc, "threat.technique.subtechnique.reference"),
                               "https://attack.mitre.org/techniques/T1574/006/"));
        QVERIFY(containsString(at(doc, "rule.name"), "preload-env"));
        const auto &facts = m_fixture.scan().files.at(m_fixture.module(m_fixture.preloadedPath())->file);
        QCOMPARE(at(doc, "dll.hash.sha256")->get<std::string>(), facts.sha256);
        QCOMPARE(at(doc, "file.owner")->get<std::string>(), facts.ownerName);
        QVERIFY(QRegularExpression(QStringLiteral("^0[0-7]{3}$"))
                    .match(QString::fromStdString(at(doc, "file.mode")->get<std::string>()))
                    .hasMatch());
        QCOMPARE(at(doc, "loadlens.verdict.level")->get<std::string>(), std::string("high"));
        bool preloadReason = false;
        for (const auto &r : *at(doc, "loadlens.verdict.reasons"))
            if (r["code"] == "preload-env") {
                preloadReason = true;
                QVERIFY(!r["text"].get<std::string>().empty());
                QCOMPARE(r["technique"].get<std::string>(), std::string("T1574.006"));
                QVERIFY(!r["measure"].get<std::string>().empty());
            }
        QVERIFY(preloadReason);
        QVERIFY(!at(doc, "loadlens.measures")->empty());
        QCOMPARE(at(doc, "loadlens.mitigation.id")->get<std::string>(), std::string("M1044"));
    }

    void optionsChangeIndexActionAndKind()
    {
        EcsOptions options;
        options.actionLines = false;
        options.alertLevel = Level::Ok;  // everything is an alert
        std::ostringstream plain;
        writeEcsScan(plain, m_fixture.scan(), options);
        QString error;
        const auto docs = parseLines(plain.str(), &error);
        QVERIFY2(error.isEmpty(), qPrintable(error));
        QVERIFY(!docs.empty());
        for (const auto &doc : docs) {
            QVERIFY(isRfc3339(at(doc, "@timestamp")));  // a document, not an action line
            QCOMPARE(at(doc, "event.kind")->get<std::string>(), std::string("alert"));
        }

        options.actionLines = true;
        options.action = "create";
        options.index = "logs-loadlens-default";
        std::ostringstream bulk;
        writeEcsScan(bulk, m_fixture.scan(), options);
        const auto lines = parseLines(bulk.str(), &error);
        QCOMPARE(lines.front(), (json{{"create", {{"_index", "logs-loadlens-default"}}}}));
    }

    void logEvents_data()
    {
        QTest::addColumn<int>("index");
        QTest::addColumn<QString>("category");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("path");       // dotted field that holds the file or library
        QTest::addRow("EID 7 image load") << 0 << QStringLiteral("library") << QStringLiteral("start") << QStringLiteral("dll.path");
        QTest::addRow("EID 1 process") << 1 << QStringLiteral("process") << QStringLiteral("start") << QString();
        QTest::addRow("EID 11 file") << 2 << QStringLiteral("file") << QStringLiteral("creation") << QStringLiteral("file.path");
        QTest::addRow("auditd preload") << 3 << QStringLiteral("file") << QStringLiteral("change") << QStringLiteral("file.path");
    }
    void logEvents()
    {
        QFETCH(int, index);
        QFETCH(QString, category);
        QFETCH(QString, type);
        QFETCH(QString, path);
        const auto events = testing::handBuiltEvents();
        std::ostringstream out;
        writeEcsEvents(out, events, {});
        const auto docs = bulkDocuments(out.str(), "loadlens-events");
        QCOMPARE(docs.size(), events.size());
        const json &doc = docs[static_cast<std::size_t>(index)];
        const LoadEvent &e = events[static_cast<std::size_t>(index)];
        QVERIFY(isRfc3339(at(doc, "@timestamp")));
        QVERIFY(containsString(at(doc, "event.category"), category.toStdString()));
        QVERIFY(containsString(at(doc, "event.type"), type.toStdString()));
        QCOMPARE(at(doc, "host.name")->get<std::string>(), e.host);
        QVERIFY(at(doc, "process.pid")->is_number_integer());
        QCOMPARE(at(doc, "process.executable")->get<std::string>(), e.image);
        if (e.eventId)
            QCOMPARE(at(doc, "event.code")->get<std::string>(), std::to_string(e.eventId));
        if (!path.isEmpty())
            QCOMPARE(at(doc, path.toStdString())->get<std::string>(), e.imageLoaded);
        QCOMPARE(at(doc, "event.kind")->get<std::string>(), std::string(e.verdict.level >= Level::Medium ? "alert" : "event"));
    }

    void imageLoadCarriesSignatureAndHashes()
    {
        std::ostringstream out;
        writeEcsEvents(out, testing::handBuiltEvents(), {});
        const json doc = bulkDocuments(out.str(), "loadlens-events").front();
        QCOMPARE(at(doc, "@timestamp")->get<std::string>(), std::string("2024-05-01T12:00:00.123456Z"));
        QCOMPARE(at(doc, "dll.name")->get<std::string>(), std::string("version.dll"));
        QCOMPARE(at(doc, "dll.hash.sha256")->get<std::string>(),
                 std::string("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"));
        QCOMPARE(at(doc, "dll.hash.md5")->get<std::string>(), std::string("098f6bcd4621d373cade4e832627b4f6"));
        QCOMPARE(at(doc, "dll.code_signature.exists")->get<bool>(), false);
        QCOMPARE(at(doc, "dll.code_signature.valid")->get<bool>(), false);
        QCOMPARE(at(doc, "dll.code_signature.status")->get<std::string>(), std::string("Unavailable"));
        QCOMPARE(at(doc, "user.name")->get<std::string>(), std::string("alice"));
        QCOMPARE(at(doc, "user.domain")->get<std::string>(), std::string("CONTOSO"));
        QCOMPARE(at(doc, "winlog.record_id")->get<std::string>(), std::string("4711"));
        QVERIFY(containsString(at(doc, "threat.technique.subtechnique.id"), "T1574.006"));
        QVERIFY(containsString(at(doc, "rule.name"), "untrusted-location"));
    }

private:
    // The module's document as read back from the _bulk body.
    json documentFor(const std::string &path)
    {
        std::ostringstream out;
        writeEcsScan(out, m_fixture.scan(), {});
        for (const auto &doc : bulkDocuments(out.str(), "loadlens-modules"))
            if (const json *dll = at(doc, "dll.path"); dll && *dll == path)
                return doc;
        return nullptr;
    }

    testing::PreloadedFixture m_fixture;
};

QTEST_GUILESS_MAIN(TestEcsExport)
#include "tst_ecs_export.moc"
