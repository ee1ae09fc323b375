// loadlens-cli export --case on a SQLite case holding real Sysmon and auditd samples and two
// snapshots of this host (one with a fixture process that preloads a library from a directory
// anyone can write): every format is parsed back (CSV by a strict RFC 4180 reader, JSON, ECS
// NDJSON, STIX 2.1 against the written-out rules) and compared with what `events --json` and
// `case list --json` say the case holds; the filters narrow exactly as the same filter applied
// by the test to the full list; bad requests are refused with exit 2 and a reason.
#include "csv_reader.h"
#include "fixture_process.h"
#include "program_run.h"
#include "shared_data.h"
#include "stix_rules.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <sys/stat.h>

using loadlens::testing::runProgram;
using nlohmann::json;

namespace {

const std::vector<std::string> kEventColumns{"time", "source", "event_id", "kind", "host", "record_id", "pid",
                                             "image", "image_loaded", "user", "sha256", "md5", "signed",
                                             "signature", "signature_status", "signature_state", "level",
                                             "reasons", "source_file"};

int levelRank(const std::string &level)
{
    static const std::map<std::string, int> ranks{{"ok", 0}, {"info", 1}, {"low", 2}, {"medium", 3}, {"high", 4}};
    return ranks.at(level);
}

// A text member, empty when missing or null (tables write empty cells as null).
std::string text(const json &object, const char *key)
{
    const auto it = object.find(key);
    return it == object.end() || !it->is_string() ? std::string() : it->get<std::string>();
}

// "time|record_id|image_loaded" of each event, sorted: what identifies a row across formats.
std::vector<std::string> eventKeys(const json &events, const char *timeKey, const char *recordKey,
                                   const char *loadedKey)
{
    std::vector<std::string> keys;
    for (const auto &e : events)
        keys.push_back(text(e, timeKey) + "|" + std::to_string(e.value(recordKey, 0LL)) + "|" + text(e, loadedKey));
    std::sort(keys.begin(), keys.end());
    return keys;
}

} // namespace

class TestCliCaseExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_case;
    json m_events;     // events --json of the whole case: the oracle for event exports
    json m_snapshots;  // case list --json

    loadlens::testing::ProgramRun cli(const QStringList &args) { return runProgram(QStringLiteral(LOADLENS_CLI), args); }

    // The export's standard output, with exit 0 required.
    QByteArray exported(const QStringList &args)
    {
        auto run = cli(QStringList{QStringLiteral("export"), QStringLiteral("--quiet"), QStringLiteral("--case"), m_case} + args);
        if (run.exitCode != 0)
            qWarning("export %s: exit %d: %s", qPrintable(args.join(u' ')), run.exitCode, run.err.constData());
        return run.exitCode == 0 ? run.out : QByteArray("<failed>");
    }

    // The oracle's events that `keep` keeps.
    template<typename Keep>
    json eventsWhere(Keep keep) const
    {
        json out = json::array();
        for (const auto &e : m_events)
            if (keep(e))
                out.push_back(e);
        return out;
    }

    static json parseJson(const QByteArray &text) { return json::parse(text.toStdString(), nullptr, false); }

    static std::vector<json> ndjsonDocuments(const QByteArray &text, int *actionLines)
    {
        std::vector<json> docs;
        *actionLines = 0;
        for (const auto &line : text.split('\n')) {
            if (line.isEmpty())
                continue;
            json j = json::parse(line.toStdString(), nullptr, false);
            if (j.is_discarded())
                return {};
            if (j.contains("index"))
                ++*actionLines;
            else
                docs.push_back(std::move(j));
        }
        return docs;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        LOADLENS_SHARED_DATA_OR_SKIP(evtx, "sysmon-evtx/attack_Sysmon_UACME_64.evtx");
        LOADLENS_SHARED_DATA_OR_SKIP(jsonl, "sysmon-xml-json/otrf_empire_scm_dll_hijack_ikeext.winlogbeat.sysmon_1_7_11.jsonl");
        LOADLENS_SHARED_DATA_OR_SKIP(audit, "auditd/golibaudit_audit-rhel7.log");
        m_case = m_dir.filePath(QStringLiteral("case.sqlite"));
        auto import = cli({QStringLiteral("import"), QStringLiteral("--quiet"), QStringLiteral("--case"), m_case, evtx,
                           jsonl, audit});
        QVERIFY2(import.exitCode == 0, import.err.constData());

        // A process that preloads a library from a directory anyone can write: a high module
        // and a loader-environment finding in the second snapshot.
        const QString open = m_dir.filePath(QStringLiteral("open"));
        QVERIFY(QDir().mkpath(open));
        QVERIFY(::chmod(QFile::encodeName(open).constData(), 0777) == 0);
        const QString library = open + QStringLiteral("/libhook.so");
        QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), library));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), library);
        env.insert(QStringLiteral("LD_LIBRARY_PATH"), open);
        QStringList bundles;
        for (int i = 0; i < 2; ++i) {
            loadlens::testing::FixtureProcess fixture;
            if (i == 1)
                QVERIFY2(fixture.start({}, env), qPrintable(fixture.error()));
            bundles << m_dir.filePath(QStringLiteral("snap%1.tar").arg(i));
            auto collect = cli({QStringLiteral("collect"), QStringLiteral("-o"), bundles.back(), QStringLiteral("--quiet")});
            QVERIFY2(collect.exitCode == 0, collect.err.constData());
            if (i == 0)
                QThread::sleep(1);  // two scan times
        }
        auto snaps = cli(QStringList{QStringLiteral("import"), QStringLiteral("--quiet"), QStringLiteral("--case"), m_case} + bundles);
        QVERIFY2(snaps.exitCode == 0, snaps.err.constData());

        auto events = cli({QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--limit"),
                           QStringLiteral("10000000"), QStringLiteral("--case"), m_case});
        QVERIFY2(events.exitCode == 0, events.err.constData());
        m_events = parseJson(events.out);
        QVERIFY(m_events.is_array() && m_events.size() > 1000);
        auto list = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--case"), m_case});
        QVERIFY2(list.exitCode == 0, list.err.constData());
        m_snapshots = parseJson(list.out);
        QCOMPARE(m_snapshots.size(), std::size_t(2));
    }

    void eventsAsCsv()
    {
        std::string error;
        const auto records = loadlens::testing::readCsv(exported({QStringLiteral("--format"), QStringLiteral("csv")}).toStdString(), &error);
        QVERIFY2(records, error.c_str());
        QCOMPARE(records->front(), kEventColumns);
        QCOMPARE(records->size() - 1, m_events.size());
        json rows = json::array();
        for (std::size_t i = 1; i < records->size(); ++i) {
            json row;
            for (std::size_t c = 0; c < kEventColumns.size(); ++c)
                row[kEventColumns[c]] = (*records)[i][c];
            row["record_id"] = std::stoll((*records)[i][5]);
            rows.push_back(row);
        }
        QCOMPARE(eventKeys(rows, "time", "record_id", "image_loaded"), eventKeys(m_events, "time", "record_id", "image_loaded"));
    }

    void eventsAsJson()
    {
        const json rows = parseJson(exported({QStringLiteral("--format"), QStringLiteral("json")}));
        QVERIFY(rows.is_array());
        QCOMPARE(rows.size(), m_events.size());
        QCOMPARE(eventKeys(rows, "time", "record_id", "image_loaded"), eventKeys(m_events, "time", "record_id", "image_loaded"));
        // Levels and reason codes as the case holds them.
        std::multiset<std::string> got, want;
        for (const auto &r : rows)
            got.insert(text(r, "level") + " " + text(r, "reasons"));
        for (const auto &e : m_events) {
            std::string codes;
            for (const auto &reason : e["verdict"]["reasons"])
                codes += (codes.empty() ? "" : " ") + reason["code"].get<std::string>();
            want.insert(e["verdict"]["level"].get<std::string>() + " " + codes);
        }
        QVERIFY(got == want);
    }

    void eventsAsEcs()
    {
        int actions = 0;
        const auto docs = ndjsonDocuments(exported({QStringLiteral("--format"), QStringLiteral("ecs")}), &actions);
        QCOMPARE(docs.size(), m_events.size());
        QCOMPARE(std::size_t(actions), docs.size());
        std::multiset<std::string> dlls, wanted;
        for (const auto &d : docs) {
            QVERIFY(d.contains("@timestamp") && d.contains("event") && d.contains("host"));
            if (d.contains("dll"))
                dlls.insert(d["dll"]["path"].get<std::string>());
        }
        for (const auto &e : m_events)
            if (e["kind"] == "image-load")
                wanted.insert(e["image_loaded"].get<std::string>());
        QVERIFY(!wanted.empty());
        QVERIFY(dlls == wanted);
    }

    void eventsAsStix_data()
    {
        QTest::addColumn<QString>("minLevel");
        QTest::addRow("every event") << "ok";
        QTest::addRow("medium and up") << "medium";
    }

    void eventsAsStix()
    {
        QFETCH(QString, minLevel);
        const json bundle = parseJson(exported({QStringLiteral("--format"), QStringLiteral("stix"),
                                                QStringLiteral("--min-level"), minLevel}));
        QVERIFY(bundle.is_object());
        const QStringList bad = loadlens::testing::stixViolations(bundle);
        QVERIFY2(bad.isEmpty(), qPrintable(bad.mid(0, 10).join(u'\n')));
        const int floor = levelRank(minLevel.toStdString());
        const json kept = eventsWhere([&](const json &e) {
            return levelRank(e["verdict"]["level"]) >= floor && (text(e, "image") != "" || text(e, "image_loaded") != "");
        });
        std::size_t observed = 0, indicators = 0, sightings = 0;
        std::set<std::string> hosts;
        for (const auto &o : bundle["objects"]) {
            observed += o["type"] == "observed-data";
            indicators += o["type"] == "indicator";
            sightings += o["type"] == "sighting";
            if (o["type"] == "identity" && o["name"] != "LoadLens")
                hosts.insert(o["name"].get<std::string>());
        }
        QVERIFY(!kept.empty());
        QCOMPARE(observed, kept.size());
        // Medium and above are indicated (the export's default indicator level) and sighted.
        const json alerts = eventsWhere([](const json &e) { return levelRank(e["verdict"]["level"]) >= levelRank("medium"); });
        QVERIFY(!alerts.empty());
        QVERIFY(indicators > 0 && indicators <= alerts.size());
        QCOMPARE(sightings, indicators);
        std::set<std::string> eventHosts;
        for (const auto &e : kept)
            eventHosts.insert(e["host"].get<std::string>());
        QVERIFY(std::includes(hosts.begin(), hosts.end(), eventHosts.begin(), eventHosts.end()));
    }

    void eventFilters_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("what");
        QTest::addRow("host") << QStringList{u"--host"_qs, u"unknown"_qs} << "host";
        QTest::addRow("source") << QStringList{u"--source"_qs, u"auditd"_qs} << "source";
        QTest::addRow("min level") << QStringList{u"--min-level"_qs, u"medium"_qs} << "level";
        QTest::addRow("since and until") << QStringList{} << "time";
    }

    void eventFilters()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, what);
        json want;
        if (what == u"host"_qs) {
            want = eventsWhere([](const json &e) { return e["host"] == "unknown"; });
        } else if (what == u"source"_qs) {
            want = eventsWhere([](const json &e) { return e["source"] == "auditd"; });
        } else if (what == u"level"_qs) {
            want = eventsWhere([](const json &e) { return levelRank(e["verdict"]["level"]) >= levelRank("medium"); });
        } else {
            // The times of two events in the middle: [since, until) keeps what lies between.
            std::vector<std::string> times;
            for (const auto &e : m_events)
                times.push_back(e["time"]);
            std::sort(times.begin(), times.end());
            const std::string since = times[times.size() / 3], until = times[2 * times.size() / 3];
            QVERIFY(since < until);
            args = {u"--since"_qs, QString::fromStdString(since), u"--until"_qs, QString::fromStdString(until)};
            want = eventsWhere([&](const json &e) { return e["time"] >= since && e["time"] < until; });
        }
        QVERIFY2(!want.empty() && want.size() < m_events.size(), qPrintable(what));
        const json rows = parseJson(exported(args + QStringList{u"--format"_qs, u"json"_qs}));
        QCOMPARE(rows.size(), want.size());
        QCOMPARE(eventKeys(rows, "time", "record_id", "image_loaded"), eventKeys(want, "time", "record_id", "image_loaded"));
    }

    void snapshotTables_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("expect");
        QTest::addRow("latest modules") << QStringList{u"--what"_qs, u"modules"_qs} << "latest";
        QTest::addRow("all modules") << QStringList{u"--what"_qs, u"modules"_qs, u"--all-snapshots"_qs} << "all";
        QTest::addRow("medium and up") << QStringList{u"--what"_qs, u"modules"_qs, u"--min-level"_qs, u"medium"_qs} << "medium";
        QTest::addRow("first snapshot") << QStringList{u"--what"_qs, u"modules"_qs, u"--snapshot"_qs, u"FIRST"_qs} << "first";
        QTest::addRow("findings") << QStringList{u"--what"_qs, u"findings"_qs} << "findings";
    }

    void snapshotTables()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, expect);
        const json &first = m_snapshots[0]["scanned_at"] < m_snapshots[1]["scanned_at"] ? m_snapshots[0] : m_snapshots[1];
        const json &latest = &first == &m_snapshots[0] ? m_snapshots[1] : m_snapshots[0];
        args.replaceInStrings(u"FIRST"_qs, QString::number(first["id"].get<long long>()));
        std::int64_t want = 0;
        if (expect == u"latest"_qs)
            want = latest["modules"];
        else if (expect == u"all"_qs)
            want = first["modules"].get<std::int64_t>() + latest["modules"].get<std::int64_t>();
        else if (expect == u"medium"_qs)
            want = latest["module_levels"]["medium"].get<std::int64_t>() + latest["module_levels"]["high"].get<std::int64_t>();
        else if (expect == u"first"_qs)
            want = first["modules"];
        else
            want = latest["findings"];
        QVERIFY2(want > 0, qPrintable(expect));

        std::string error;
        const auto csv = loadlens::testing::readCsv(exported(args + QStringList{u"--format"_qs, u"csv"_qs}).toStdString(), &error);
        QVERIFY2(csv, error.c_str());
        QCOMPARE(std::int64_t(csv->size()) - 1, want);
        QCOMPARE((std::vector<std::string>{csv->front().begin(), csv->front().begin() + 3}),
                 (std::vector<std::string>{"host", "snapshot_id", "scanned_at"}));
        const json rows = parseJson(exported(args + QStringList{u"--format"_qs, u"json"_qs}));
        QCOMPARE(std::int64_t(rows.size()), want);
        std::set<long long> ids;
        for (const auto &r : rows) {
            ids.insert(r["snapshot_id"].get<long long>());
            if (expect == u"medium"_qs)
                QVERIFY(levelRank(r["level"]) >= levelRank("medium"));
        }
        QCOMPARE(ids.size(), std::size_t(expect == u"all"_qs ? 2 : 1));

        int actions = 0;
        const auto docs = ndjsonDocuments(exported(args + QStringList{u"--format"_qs, u"ecs"_qs}), &actions);
        QCOMPARE(std::int64_t(docs.size()), want);
        const json bundle = parseJson(exported(args + QStringList{u"--format"_qs, u"stix"_qs}));
        const QStringList bad = loadlens::testing::stixViolations(bundle);
        QVERIFY2(bad.isEmpty(), qPrintable(bad.mid(0, 10).join(u'\n')));
    }

    // The preloaded library of the second snapshot is indicated and sighted in the STIX export.
    void preloadedLibraryInTheStixExport()
    {
        const json bundle = parseJson(exported({u"--what"_qs, u"modules"_qs, u"--format"_qs, u"stix"_qs}));
        bool indicated = false;
        for (const auto &o : bundle["objects"])
            if (o["type"] == "indicator" && o["name"].get<std::string>().find("libhook.so") != std::string::npos)
                indicated = true;
        QVERIFY(indicated);
    }

    void badRequestsAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<int>("status");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown snapshot") << QStringList{u"--what"_qs, u"modules"_qs, u"--snapshot"_qs, u"999"_qs, u"--format"_qs, u"csv"_qs}
                                          << 1 << "no snapshot 999";
        QTest::addRow("processes as stix") << QStringList{u"--what"_qs, u"processes"_qs, u"--format"_qs, u"stix"_qs} << 2 << "is a table";
        QTest::addRow("source of modules") << QStringList{u"--what"_qs, u"modules"_qs, u"--source"_qs, u"sysmon"_qs, u"--format"_qs, u"csv"_qs}
                                           << 2 << "--source applies to events";
        QTest::addRow("bad time") << QStringList{u"--since"_qs, u"yesterday"_qs, u"--format"_qs, u"csv"_qs} << 2 << "--since takes";
        QTest::addRow("bad what") << QStringList{u"--what"_qs, u"hosts"_qs, u"--format"_qs, u"csv"_qs} << 2 << "--what must be";
        QTest::addRow("snapshot of events") << QStringList{u"--snapshot"_qs, u"1"_qs, u"--format"_qs, u"csv"_qs} << 2 << "apply to modules";
    }

    void badRequestsAreRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(int, status);
        QFETCH(QString, message);
        auto run = cli(QStringList{u"export"_qs, u"--case"_qs, m_case} + args);
        QCOMPARE(run.exitCode, status);
        QVERIFY2(run.err.contains(message.toUtf8()), run.err.constData());
        QVERIFY(run.out.isEmpty());
        // Case options without a case are refused too.
        auto live = cli({u"export"_qs, u"--format"_qs, u"csv"_qs, u"--what"_qs, u"events"_qs});
        QCOMPARE(live.exitCode, 2);
        QVERIFY(live.err.contains("applies to an export from a case"));
    }
};

QTEST_GUILESS_MAIN(TestCliCaseExport)
#include "tst_cli_case_export.moc"
