// loadlens-cli's case commands on a SQLite file and on a ClickHouse database (the test server
// of the clickhouse fixture) give the same output: import reports, events, timeline, stack
// --events and the event hosts of case list; case init --print-ddl; and the clear errors of
// commands over snapshots, bad credentials and a server that is not there.
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

#include <algorithm>
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
        QFile url(qEnvironmentVariable("LOADLENS_TEST_CLICKHOUSE_DIR") + QStringLiteral("/url"));
        if (!url.open(QIODevice::ReadOnly))
            QFAIL("no test ClickHouse server: LOADLENS_TEST_CLICKHOUSE_DIR/url is missing");
        m_url = QString::fromUtf8(url.readAll()).trimmed();
        if (!m_url.endsWith(QLatin1Char('/')))
            m_url += QLatin1Char('/');
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

        auto hosts = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--case"), server});
        QVERIFY2(hosts.exitCode == 0, hosts.err.constData());
        QVERIFY(hosts.out.contains("rhel7"));
        QVERIFY(hosts.out.contains("hosts with events"));
    }

    void snapshotCommandsSayWhatAClickHouseCaseHolds()
    {
        for (const QStringList &command : {QStringList{QStringLiteral("diff"), QStringLiteral("1"), QStringLiteral("2")},
                                           QStringList{QStringLiteral("stack")}}) {
            auto run = cli(command + QStringList{QStringLiteral("--case"), m_url + m_database});
            QCOMPARE(run.exitCode, 1);
            QVERIFY2(run.err.contains("SQLite case"), run.err.constData());
        }
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
        (void)client.query("DROP DATABASE IF EXISTS " + m_database.toStdString());
    }
};

QTEST_GUILESS_MAIN(TestCliCaseStores)
#include "tst_cli_case_stores.moc"
