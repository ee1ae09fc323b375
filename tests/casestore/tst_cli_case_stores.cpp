// loadlens-cli's case commands on a SQLite file and on a ClickHouse database (the test server
// of the clickhouse fixture) give the same output: import reports, events, timeline, stack
// --events and the event hosts of case list; the snapshot commands (case list, stack,
// who-loads --case, diff) on bundles of this host; collect --push; case init --print-ddl; and
// the clear errors of bad credentials and a server that is not there.
#include "clickhouse_fixture.h"
#include "clickhouse/client.h"
#include "clickhouse/endpoint.h"
#include "program_run.h"
#include "shared_data.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <QThread>

#include <algorithm>
#include <functional>
#include <unistd.h>

using loadlens::testing::runProgram;

class TestCliCaseStores : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_url;
    QString m_database;

    loadlens::testing::ProgramRun cli(const QStringList &args)
    {
        return runProgram(QStringLiteral(LOADLENS_CLI), args);
    }

    static QByteArray sortedLines(const QByteArray &text)
    {
        QList<QByteArray> lines = text.split('\n');
        std::sort(lines.begin(), lines.end());
        return lines.join('\n');
    }

    // Events as JSON, each object as compact text, sorted: the stores order ties differently.
    static QStringList sortedEvents(const QByteArray &json)
    {
        QStringList out;
        for (const auto &v : QJsonDocument::fromJson(json).array())
            out << QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
        out.sort();
        return out;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_url = loadlens::testing::clickHouseTestUrl();
        if (m_url.isEmpty())
            QFAIL("no test ClickHouse server: LOADLENS_TEST_CLICKHOUSE_DIR/url is missing");
        m_database = QStringLiteral("tst_cli_stores_%1").arg(::getpid());
    }

    void sameOutputOnBothStores()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(evtx, "sysmon-evtx/attack_Sysmon_UACME_64.evtx");
        LOADLENS_SHARED_DATA_OR_SKIP(jsonl, "sysmon-xml-json/otrf_empire_scm_dll_hijack_ikeext.winlogbeat.sysmon_1_7_11.jsonl");
        LOADLENS_SHARED_DATA_OR_SKIP(audit, "auditd/golibaudit_audit-rhel7.log");
        const QString sqlite = m_dir.filePath(QStringLiteral("cli.sqlite"));
        const QString server = m_url + m_database;

        auto init = cli({QStringLiteral("case"), QStringLiteral("init"), QStringLiteral("--case"), server});
        QVERIFY2(init.exitCode == 0, init.err.constData());
        QVERIFY(init.out.contains("ClickHouse case ready"));
        // init again: nothing changes, no error.
        QCOMPARE(cli({QStringLiteral("case"), QStringLiteral("init"), QStringLiteral("--case"), server}).exitCode, 0);

        QByteArray reports[2];
        const QString cases[2] = {sqlite, server};
        for (int i = 0; i < 2; ++i) {
            auto run = cli({QStringLiteral("import"), QStringLiteral("--quiet"), QStringLiteral("--json"),
                            QStringLiteral("--host"), QStringLiteral("rhel7"), QStringLiteral("--case"), cases[i],
                            evtx, jsonl, audit});
            QVERIFY2(run.exitCode == 0, run.err.constData());
            QJsonArray list = QJsonDocument::fromJson(run.out).array();
            QCOMPARE(list.size(), 3);
            for (auto v : list) {
                QJsonObject o = v.toObject();
                o.remove(QStringLiteral("seconds"));
                reports[i] += QJsonDocument(o).toJson(QJsonDocument::Compact) + '\n';
            }
        }
        QCOMPARE(reports[1], reports[0]);
        QVERIFY(reports[0].contains("\"imported\":"));

        const QList<QStringList> commands = {
            {QStringLiteral("timeline"), QStringLiteral("--json"), QStringLiteral("--bucket"), QStringLiteral("1h")},
            {QStringLiteral("timeline"), QStringLiteral("--json"), QStringLiteral("--bucket"), QStringLiteral("1d"),
             QStringLiteral("--source"), QStringLiteral("sysmon")},
            {QStringLiteral("stack"), QStringLiteral("--events"), QStringLiteral("--json")},
            {QStringLiteral("stack"), QStringLiteral("--events"), QStringLiteral("--rare"), QStringLiteral("1")},
        };
        for (const auto &command : commands) {
            auto a = cli(command + QStringList{QStringLiteral("--case"), sqlite});
            auto b = cli(command + QStringList{QStringLiteral("--case"), server});
            QVERIFY2(a.exitCode == 0 && b.exitCode == 0, QByteArray(a.err + b.err).constData());
            QVERIFY2(a.out.size() > 10, a.out.constData());
            QCOMPARE(b.out, a.out);
        }
        for (const QStringList &filter : {QStringList{}, QStringList{QStringLiteral("--eid"), QStringLiteral("7")},
                                          QStringList{QStringLiteral("--min-level"), QStringLiteral("medium")},
                                          QStringList{QStringLiteral("--host"), QStringLiteral("rhel7")}}) {
            const QStringList command = QStringList{QStringLiteral("events"), QStringLiteral("--json"),
                                                    QStringLiteral("--limit"), QStringLiteral("100000")} + filter;
            auto a = cli(command + QStringList{QStringLiteral("--case"), sqlite});
            auto b = cli(command + QStringList{QStringLiteral("--case"), server});
            QVERIFY2(a.exitCode == 0 && b.exitCode == 0, QByteArray(a.err + b.err).constData());
            QCOMPARE(sortedEvents(b.out), sortedEvents(a.out));
            // Text output: the same lines.
            auto c = cli(QStringList{QStringLiteral("events"), QStringLiteral("--limit"), QStringLiteral("100000"),
                                     QStringLiteral("--case"), sqlite} + filter);
            auto d = cli(QStringList{QStringLiteral("events"), QStringLiteral("--limit"), QStringLiteral("100000"),
                                     QStringLiteral("--case"), server} + filter);
            QCOMPARE(sortedLines(d.out), sortedLines(c.out));
        }
        QVERIFY(sortedEvents(cli({QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--case"), server})
                                 .out)
                    .size() > 100);

        // export --case of events: the same rows from both stores, in every format (ties in time
        // are ordered differently, so lines are compared sorted; STIX ids are random).
        for (const QString &format : {QStringLiteral("csv"), QStringLiteral("json"), QStringLiteral("ecs")}) {
            for (const QStringList &filter : {QStringList{}, QStringList{QStringLiteral("--min-level"), QStringLiteral("medium")},
                                              QStringList{QStringLiteral("--source"), QStringLiteral("auditd")}}) {
                const QStringList command = QStringList{QStringLiteral("export"), QStringLiteral("--quiet"),
                                                        QStringLiteral("--what"), QStringLiteral("events"),
                                                        QStringLiteral("--format"), format} + filter;
                auto a = cli(command + QStringList{QStringLiteral("--case"), sqlite});
                auto b = cli(command + QStringList{QStringLiteral("--case"), server});
                QVERIFY2(a.exitCode == 0 && b.exitCode == 0, QByteArray(a.err + b.err).constData());
                QVERIFY2(a.out.count('\n') > 2, a.out.constData());
                QCOMPARE(sortedLines(b.out), sortedLines(a.out));
            }
        }
        auto stixA = cli({QStringLiteral("export"), QStringLiteral("--quiet"), QStringLiteral("--format"),
                          QStringLiteral("stix"), QStringLiteral("--min-level"), QStringLiteral("medium"),
                          QStringLiteral("--case"), server});
        QVERIFY2(stixA.exitCode == 0, stixA.err.constData());
        QVERIFY(QJsonDocument::fromJson(stixA.out).object().value(QStringLiteral("objects")).toArray().size() > 3);

        auto hosts = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--case"), server});
        QVERIFY2(hosts.exitCode == 0, hosts.err.constData());
        QVERIFY(hosts.out.contains("rhel7"));
        QVERIFY(hosts.out.contains("hosts with events"));
    }

    // JSON without the snapshot ids (each store has its own) and timings, for comparing stores.
    static QByteArray withoutIds(const QByteArray &json)
    {
        std::function<QJsonValue(const QJsonValue &)> strip = [&](const QJsonValue &v) -> QJsonValue {
            if (v.isArray()) {
                QJsonArray out;
                for (const auto &e : v.toArray())
                    out.append(strip(e));
                return out;
            }
            if (v.isObject()) {
                QJsonObject out;
                const QJsonObject o = v.toObject();
                for (auto it = o.begin(); it != o.end(); ++it)
                    if (it.key() != QLatin1String("id") && it.key() != QLatin1String("snapshot") &&
                        it.key() != QLatin1String("seconds"))
                        out.insert(it.key(), strip(it.value()));
                return out;
            }
            return v;
        };
        const QJsonDocument doc = QJsonDocument::fromJson(json);
        const QJsonValue stripped = strip(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
        return stripped.isArray() ? QJsonDocument(stripped.toArray()).toJson() : QJsonDocument(stripped.toObject()).toJson();
    }

    static QList<qint64> snapshotIds(const QByteArray &caseListJson)
    {
        const QJsonDocument doc = QJsonDocument::fromJson(caseListJson);
        const QJsonArray list = doc.isArray() ? doc.array() : doc.object().value(QStringLiteral("snapshots")).toArray();
        QList<qint64> ids;
        for (const auto &s : list)
            ids << s.toObject().value(QStringLiteral("id")).toInteger();
        return ids;
    }

    // Two bundles of this host (collect), imported into a SQLite file and a ClickHouse database:
    // case list, stack (each option), who-loads --case and diff print the same, ids aside.
    void snapshotCommandsOnBothStores()
    {
        const QString server = m_url + m_database + QStringLiteral("_snap");
        const QString sqlite = m_dir.filePath(QStringLiteral("snap.sqlite"));
        QStringList bundles;
        for (const char *name : {"first.llsnap", "second.llsnap"}) {
            bundles << m_dir.filePath(QString::fromLatin1(name));
            auto collect = cli({QStringLiteral("collect"), QStringLiteral("-o"), bundles.back(), QStringLiteral("--quiet"),
                                QStringLiteral("--no-hash-cache")});
            QVERIFY2(collect.exitCode == 0, collect.err.constData());
            QThread::msleep(1100);  // another scan time
        }
        for (const QString &c : {sqlite, server}) {
            auto import = cli(QStringList{QStringLiteral("import"), QStringLiteral("--case"), c} + bundles);
            QVERIFY2(import.exitCode == 0, import.err.constData());
        }
        // Again: nothing added, the same report on both.
        QByteArray again[2];
        int i = 0;
        for (const QString &c : {sqlite, server}) {
            auto import = cli(QStringList{QStringLiteral("import"), QStringLiteral("--json"), QStringLiteral("--case"), c} +
                              bundles);
            QVERIFY2(import.exitCode == 0, import.err.constData());
            again[i++] = withoutIds(import.out);
        }
        QVERIFY2(again[0].contains("\"imported\": 0"), again[0].constData());
        QCOMPARE(again[1], again[0]);

        auto listA = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--case"), sqlite});
        auto listB = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--case"), server});
        QVERIFY2(listA.exitCode == 0 && listB.exitCode == 0, listB.err.constData());
        const QJsonArray snapshotsB = QJsonDocument::fromJson(listB.out).object().value(QStringLiteral("snapshots")).toArray();
        QCOMPARE(withoutIds(QJsonDocument(snapshotsB).toJson()), withoutIds(listA.out));
        const QList<qint64> idsA = snapshotIds(listA.out), idsB = snapshotIds(listB.out);
        QCOMPARE(idsA.size(), 2);
        QCOMPARE(idsB.size(), 2);
        auto text = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--case"), server});
        QVERIFY(text.out.contains(QByteArray::number(idsB[0])));

        for (const QStringList &options : {QStringList{}, QStringList{QStringLiteral("--by"), QStringLiteral("name")},
                                           QStringList{QStringLiteral("--all-snapshots")},
                                           QStringList{QStringLiteral("--rare"), QStringLiteral("1"), QStringLiteral("--all-snapshots")},
                                           QStringList{QStringLiteral("--limit"), QStringLiteral("5")}}) {
            auto a = cli(QStringList{QStringLiteral("stack"), QStringLiteral("--json"), QStringLiteral("--case"), sqlite} + options);
            auto b = cli(QStringList{QStringLiteral("stack"), QStringLiteral("--json"), QStringLiteral("--case"), server} + options);
            QVERIFY2(a.exitCode == 0 && b.exitCode == 0, b.err.constData());
            QCOMPARE(b.out, a.out);
        }
        auto whoA = cli({QStringLiteral("who-loads"), QStringLiteral("libc"), QStringLiteral("--json"), QStringLiteral("--case"), sqlite});
        auto whoB = cli({QStringLiteral("who-loads"), QStringLiteral("libc"), QStringLiteral("--json"), QStringLiteral("--case"), server});
        QVERIFY2(whoA.exitCode == 0 && whoB.exitCode == 0, whoB.err.constData());
        QVERIFY(QJsonDocument::fromJson(whoA.out).array().size() > 0);
        QCOMPARE(withoutIds(whoB.out), withoutIds(whoA.out));

        auto diffA = cli({QStringLiteral("diff"), QString::number(idsA[0]), QString::number(idsA[1]), QStringLiteral("--json"),
                          QStringLiteral("--case"), sqlite});
        auto diffB = cli({QStringLiteral("diff"), QString::number(idsB[0]), QString::number(idsB[1]), QStringLiteral("--json"),
                          QStringLiteral("--case"), server});
        QVERIFY2(diffA.exitCode == 0 && diffB.exitCode == 0, diffB.err.constData());
        QCOMPARE(withoutIds(diffB.out), withoutIds(diffA.out));
        auto missing = cli({QStringLiteral("diff"), QStringLiteral("1"), QStringLiteral("2"), QStringLiteral("--case"), server});
        QCOMPARE(missing.exitCode, 1);
        QVERIFY2(missing.err.contains("no snapshot 1"), missing.err.constData());
        // export --case of the snapshots: the same rows from both stores but for the snapshot ids
        // (each store has its own), in one order.
        for (const QString &what : {QStringLiteral("modules"), QStringLiteral("findings"), QStringLiteral("processes")}) {
            const QStringList command{QStringLiteral("export"), QStringLiteral("--quiet"), QStringLiteral("--what"), what,
                                      QStringLiteral("--all-snapshots"), QStringLiteral("--format"), QStringLiteral("json")};
            auto a = cli(command + QStringList{QStringLiteral("--case"), sqlite});
            auto b = cli(command + QStringList{QStringLiteral("--case"), server});
            QVERIFY2(a.exitCode == 0 && b.exitCode == 0, QByteArray(a.err + b.err).constData());
            QStringList rows[2];
            for (int k = 0; k < 2; ++k) {
                for (const auto &v : QJsonDocument::fromJson(k ? b.out : a.out).array()) {
                    QJsonObject o = v.toObject();
                    o.remove(QStringLiteral("snapshot_id"));
                    rows[k] << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
                }
                rows[k].sort();
            }
            QVERIFY2(what == QStringLiteral("findings") || rows[0].size() > 10, qPrintable(what));
            QCOMPARE(rows[1], rows[0]);
        }
        // The SQLite integrity check is for SQLite files.
        QCOMPARE(cli({QStringLiteral("case"), QStringLiteral("check"), QStringLiteral("--case"), server}).exitCode, 2);
    }

    // collect --push lands this host in a ClickHouse case (no bundle file left); wrong
    // credentials, a server that is not there and a URL that is not one are clear errors.
    void collectPushLandsAHost()
    {
        const QString server = m_url + m_database + QStringLiteral("_push");
        const QString tmp = m_dir.filePath(QStringLiteral("push-tmp"));
        QVERIFY(QDir().mkpath(tmp));
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("TMPDIR"), tmp);
        auto push = runProgram(QStringLiteral(LOADLENS_CLI),
                               {QStringLiteral("collect"), QStringLiteral("--push"), server, QStringLiteral("--quiet"),
                                QStringLiteral("--no-hash-cache")},
                               240000, env);
        QVERIFY2(push.exitCode == 0, push.err.constData());
        QVERIFY2(push.err.contains("pushed "), push.err.constData());
        QVERIFY(QDir(tmp).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).isEmpty());
        auto list = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--case"), server});
        QVERIFY2(list.exitCode == 0, list.err.constData());
        const QJsonArray snapshots = QJsonDocument::fromJson(list.out).object().value(QStringLiteral("snapshots")).toArray();
        QCOMPARE(snapshots.size(), 1);
        char host[256] = {};
        ::gethostname(host, sizeof host - 1);
        QCOMPARE(snapshots[0].toObject().value(QStringLiteral("host")).toString(), QString::fromLocal8Bit(host));
        QVERIFY(snapshots[0].toObject().value(QStringLiteral("modules")).toInteger() > 0);

        env.insert(QStringLiteral("LOADLENS_CLICKHOUSE_USER"), QStringLiteral("default"));
        env.insert(QStringLiteral("LOADLENS_CLICKHOUSE_PASSWORD"), QStringLiteral("wrong"));
        auto denied = runProgram(QStringLiteral(LOADLENS_CLI),
                                 {QStringLiteral("collect"), QStringLiteral("--push"), server, QStringLiteral("--quiet")},
                                 60000, env);
        QCOMPARE(denied.exitCode, 1);
        QVERIFY2(denied.err.contains("assword") || denied.err.contains("uthenticat"), denied.err.constData());
        auto gone = cli({QStringLiteral("collect"), QStringLiteral("--push"), QStringLiteral("clickhouse://127.0.0.1:1/x"),
                         QStringLiteral("--quiet")});
        QCOMPARE(gone.exitCode, 1);
        QVERIFY2(gone.err.contains("127.0.0.1:1"), gone.err.constData());
        auto notUrl = cli({QStringLiteral("collect"), QStringLiteral("--push"), m_dir.filePath(QStringLiteral("x.sqlite"))});
        QCOMPARE(notUrl.exitCode, 2);
        auto both = cli({QStringLiteral("collect"), QStringLiteral("--push"), server, QStringLiteral("-o"),
                         m_dir.filePath(QStringLiteral("y.llsnap"))});
        QCOMPARE(both.exitCode, 2);
        // Nothing else landed.
        auto again = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--case"), server});
        QCOMPARE(QJsonDocument::fromJson(again.out).object().value(QStringLiteral("snapshots")).toArray().size(), 1);
    }

    // On ClickHouse, --batch N is rows per INSERT: each INSERT of events makes at least one part
    // (merged-away parts stay listed, inactive, for minutes), so N = 10 makes at least
    // imported / 10 of them, the default one; the report and the events are the same.
    void batchSizesTheInserts()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(evtx, "sysmon-evtx/attack_Sysmon_UACME_64.evtx");
        auto endpoint = loadlens::clickhouse::parseUrl(QString(m_url + QStringLiteral("system")).toStdString());
        QVERIFY(endpoint);
        loadlens::clickhouse::Client client(*endpoint);
        QByteArray reports[2], events[2];
        std::int64_t parts[2] = {0, 0};
        std::int64_t imported = 0;
        for (int i = 0; i < 2; ++i) {
            const QString database = m_database + (i ? QStringLiteral("_batch10") : QStringLiteral("_batch"));
            const QString server = m_url + database;
            QStringList args{QStringLiteral("import"), QStringLiteral("--quiet"), QStringLiteral("--json"),
                             QStringLiteral("--case"), server, evtx};
            if (i == 1)
                args << QStringLiteral("--batch") << QStringLiteral("10");
            auto run = cli(args);
            QVERIFY2(run.exitCode == 0, run.err.constData());
            QJsonObject report = QJsonDocument::fromJson(run.out).array().first().toObject();
            imported = report.value(QStringLiteral("imported")).toInteger();
            report.remove(QStringLiteral("seconds"));
            reports[i] = QJsonDocument(report).toJson(QJsonDocument::Compact);
            auto list = cli({QStringLiteral("events"), QStringLiteral("--json"), QStringLiteral("--limit"),
                             QStringLiteral("100000"), QStringLiteral("--case"), server});
            QVERIFY2(list.exitCode == 0, list.err.constData());
            events[i] = sortedEvents(list.out).join(QLatin1Char('\n')).toUtf8();
            auto n = client.query("SELECT count() FROM system.parts WHERE database = '" + database.toStdString() +
                                  "' AND table = 'events' AND level = 0 FORMAT TabSeparated");
            QVERIFY2(n, n ? "" : n.error().message.c_str());
            parts[i] = std::stoll(*n);
        }
        QVERIFY(imported > 20);
        QCOMPARE(reports[1], reports[0]);
        QCOMPARE(events[1], events[0]);
        QVERIFY2(parts[0] >= 1 && parts[0] <= 2, QByteArray::number(qlonglong(parts[0])).constData());
        QVERIFY2(parts[1] >= (imported + 9) / 10, QByteArray::number(qlonglong(parts[1])).constData());
        // Not a number of rows: refused before anything is opened.
        auto bad = cli({QStringLiteral("import"), QStringLiteral("--batch"), QStringLiteral("0"),
                        QStringLiteral("--case"), m_url + m_database + QStringLiteral("_batch"), evtx});
        QCOMPARE(bad.exitCode, 2);
    }

    void printDdlConnectsToNothing()
    {
        auto run = cli({QStringLiteral("case"), QStringLiteral("init"), QStringLiteral("--print-ddl"),
                        QStringLiteral("--cluster"), QStringLiteral("soc"), QStringLiteral("--case"),
                        QStringLiteral("clickhouse://192.0.2.1:1/fleet")});
        QVERIFY2(run.exitCode == 0, run.err.constData());
        QVERIFY(run.out.contains("CREATE TABLE IF NOT EXISTS fleet.events ON CLUSTER soc AS fleet.events_local ENGINE = "
                                 "Distributed(soc, fleet, events_local, cityHash64(host));"));
        auto bad = cli({QStringLiteral("case"), QStringLiteral("init"), QStringLiteral("--cluster"),
                        QStringLiteral("bad-name"), QStringLiteral("--case"), QStringLiteral("clickhouse://h:1/x")});
        QCOMPARE(bad.exitCode, 2);
    }

    void badCredentialsAndAMissingServer()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LOADLENS_CLICKHOUSE_USER"), QStringLiteral("default"));
        env.insert(QStringLiteral("LOADLENS_CLICKHOUSE_PASSWORD"), QStringLiteral("wrong"));
        auto run = runProgram(QStringLiteral(LOADLENS_CLI),
                              {QStringLiteral("events"), QStringLiteral("--case"), m_url + m_database}, 60000, env);
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.err.contains("assword") || run.err.contains("uthenticat"), run.err.constData());
        auto gone = cli({QStringLiteral("events"), QStringLiteral("--case"), QStringLiteral("clickhouse://127.0.0.1:1/x")});
        QCOMPARE(gone.exitCode, 1);
        QVERIFY2(gone.err.contains("127.0.0.1:1"), gone.err.constData());
    }

    void cleanupTestCase()
    {
        if (m_url.isEmpty())
            return;
        auto endpoint = loadlens::clickhouse::parseUrl(QString(m_url + QStringLiteral("system")).toStdString());
        if (!endpoint)
            return;
        loadlens::clickhouse::Client client(*endpoint);
        for (const char *suffix : {"", "_snap", "_push", "_batch", "_batch10"})
            (void)client.query("DROP DATABASE IF EXISTS " + m_database.toStdString() + suffix);
    }
};

QTEST_GUILESS_MAIN(TestCliCaseStores)
#include "tst_cli_case_stores.moc"
