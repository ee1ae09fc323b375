// A Windows image beside a Linux host in one case, on SQLite and on ClickHouse (the test server
// of the clickhouse fixture): windows-triage --bundle of a Wine prefix assembled from the shared
// samples, imported with a bundle of this host; who-loads --case finds the DLL a Windows
// executable resolves to, stack and diff see it, export --case lists its executables as image
// entries (pid 0), importing again adds nothing, and a truncated or garbled bundle or the JSON
// report is refused with nothing stored.
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
#include <QThread>
#include <QtTest>

#include <functional>
#include <unistd.h>

using loadlens::testing::runProgram;

namespace {

bool place(const QString &from, const QString &to, bool link = false)
{
    QDir().mkpath(QFileInfo(to).path());
    QFile::remove(to);
    return link ? QFile::link(from, to) : QFile::copy(from, to);
}

QJsonArray snapshotsOf(const QByteArray &caseListJson)
{
    const QJsonDocument doc = QJsonDocument::fromJson(caseListJson);
    return doc.isArray() ? doc.array() : doc.object().value(QStringLiteral("snapshots")).toArray();
}

// JSON with the keys that differ between stores by design (snapshot ids, timings) removed.
QByteArray withoutIds(const QByteArray &json)
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
                    it.key() != QLatin1String("snapshot_id") && it.key() != QLatin1String("seconds") &&
                    it.key() != QLatin1String("before") && it.key() != QLatin1String("after"))
                    out.insert(it.key(), strip(it.value()));
            return out;
        }
        return v;
    };
    const QJsonDocument doc = QJsonDocument::fromJson(json);
    const QJsonValue stripped = strip(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(doc.object()));
    return stripped.isArray() ? QJsonDocument(stripped.toArray()).toJson() : QJsonDocument(stripped.toObject()).toJson();
}

} // namespace

class TestCliWindowsCase : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_url;
    QString m_database;

    loadlens::testing::ProgramRun cli(const QStringList &args)
    {
        return runProgram(QStringLiteral(LOADLENS_CLI), args);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_url = loadlens::testing::clickHouseTestUrl();
        if (m_url.isEmpty())
            QFAIL("no test ClickHouse server: LOADLENS_TEST_CLICKHOUSE_DIR/url is missing");
        m_database = QStringLiteral("tst_cli_windows_%1").arg(::getpid());
    }

    void windowsImageBesideLinuxHost()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(wine, "windows/wine");
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        const QString root = m_dir.filePath(QStringLiteral("prefix"));
        QVERIFY(place(wine + QStringLiteral("/system.reg"), root + QStringLiteral("/system.reg"), true));
        QVERIFY(place(wine + QStringLiteral("/user.reg"), root + QStringLiteral("/user.reg"), true));
        const QString system32 = wine + QStringLiteral("/drive_c/windows/system32/");
        for (const char *dll : {"version.dll", "kernel32.dll", "ws2_32.dll", "imm32.dll", "psapi.dll"})
            QVERIFY(place(system32 + QLatin1String(dll), root + QStringLiteral("/drive_c/windows/system32/") + QLatin1String(dll)));
        const QString tools = root + QStringLiteral("/drive_c/Program Files/Tools/");
        QVERIFY(place(whois, tools + QStringLiteral("whois.exe")));
        // A copy of version.dll beside the program: side-loaded instead of System32's.
        QVERIFY(place(system32 + QStringLiteral("version.dll"), tools + QStringLiteral("version.dll")));

        const QString first = m_dir.filePath(QStringLiteral("first.llsnap"));
        auto triage = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), root, QStringLiteral("--bundle"), first});
        QVERIFY2(triage.exitCode == 0, triage.err.constData());
        QVERIFY2(triage.err.contains("Windows host VM, 1 executables"), triage.err.constData());
        // The image changes: the planted version.dll is another file now, and ws2_32.dll is planted too.
        QThread::msleep(1100);  // another triage time
        QVERIFY(place(system32 + QStringLiteral("psapi.dll"), tools + QStringLiteral("version.dll")));
        QVERIFY(place(system32 + QStringLiteral("ws2_32.dll"), tools + QStringLiteral("ws2_32.dll")));
        const QString second = m_dir.filePath(QStringLiteral("second.llsnap"));
        triage = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), root, QStringLiteral("--bundle"), second});
        QVERIFY2(triage.exitCode == 0, triage.err.constData());
        // Not over an existing bundle.
        triage = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), root, QStringLiteral("--bundle"), second});
        QCOMPARE(triage.exitCode, 2);
        QVERIFY2(triage.err.contains("--force"), triage.err.constData());

        const QString linux = m_dir.filePath(QStringLiteral("linux.llsnap"));
        auto collect = cli({QStringLiteral("collect"), QStringLiteral("-o"), linux, QStringLiteral("--quiet"),
                            QStringLiteral("--no-hash-cache"), QStringLiteral("--pid"), QString::number(::getpid())});
        QVERIFY2(collect.exitCode == 0, collect.err.constData());

        // Damaged bundles and the JSON report: refused, nothing stored.
        QFile whole(first);
        QVERIFY(whole.open(QIODevice::ReadOnly));
        const QByteArray bytes = whole.readAll();
        const QString truncated = m_dir.filePath(QStringLiteral("truncated.llsnap"));
        const QString garbled = m_dir.filePath(QStringLiteral("garbled.llsnap"));
        {
            QFile out(truncated);
            QVERIFY(out.open(QIODevice::WriteOnly));
            out.write(bytes.left(bytes.size() / 3));
            QByteArray damaged = bytes;
            for (qsizetype i = 4096; i < damaged.size(); i += 61)
                damaged[i] = char(damaged[i] ^ 0x5a);
            QFile g(garbled);
            QVERIFY(g.open(QIODevice::WriteOnly));
            g.write(damaged);
        }
        const QString report = m_dir.filePath(QStringLiteral("triage.json"));
        auto json = cli({QStringLiteral("windows-triage"), QStringLiteral("--root"), root, QStringLiteral("--json"),
                         QStringLiteral("-o"), report});
        QVERIFY2(json.exitCode == 0, json.err.constData());

        const QString sqlite = m_dir.filePath(QStringLiteral("case.sqlite"));
        const QString server = m_url + m_database;
        QByteArray lists[2], whos[2], stacks[2], diffs[2], exports[2];
        int k = 0;
        for (const QString &c : {sqlite, server}) {
            for (const QString &bad : {truncated, garbled, report}) {
                auto refused = cli({QStringLiteral("import"), QStringLiteral("--quiet"), QStringLiteral("--case"), c, bad});
                QVERIFY2(refused.exitCode == 1, qPrintable(bad));
                QVERIFY2(refused.err.contains(QFileInfo(bad).fileName().toUtf8()), refused.err.constData());
            }
            QVERIFY(cli({QStringLiteral("import"), QStringLiteral("--quiet"), QStringLiteral("--case"), c, report})
                        .err.contains("windows-triage --root DIR --bundle FILE"));
            auto empty = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--case"), c});
            QVERIFY2(empty.exitCode == 0, empty.err.constData());
            QCOMPARE(snapshotsOf(empty.out).size(), 0);

            auto import = cli({QStringLiteral("import"), QStringLiteral("--quiet"), QStringLiteral("--case"), c, first, linux, second});
            QVERIFY2(import.exitCode == 0, import.err.constData());
            auto again = cli({QStringLiteral("import"), QStringLiteral("--quiet"), QStringLiteral("--json"), QStringLiteral("--case"),
                              c, first, linux, second});
            QVERIFY2(again.exitCode == 0, again.err.constData());
            for (const auto &r : QJsonDocument::fromJson(again.out).array()) {
                QCOMPARE(r.toObject().value(QStringLiteral("imported")).toInteger(), 0);
                QVERIFY(r.toObject().value(QStringLiteral("duplicates")).toInteger() > 0);
            }

            auto list = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--json"), QStringLiteral("--case"), c});
            QVERIFY2(list.exitCode == 0, list.err.constData());
            const QJsonArray snapshots = snapshotsOf(list.out);
            QCOMPARE(snapshots.size(), 3);
            qint64 windowsIds[2] = {0, 0};
            int windows = 0;
            for (const auto &s : snapshots) {
                const QJsonObject o = s.toObject();
                if (o.value(QStringLiteral("host")).toString() == QLatin1String("VM")) {
                    QCOMPARE(o.value(QStringLiteral("kind")).toString(), QStringLiteral("windows-image"));
                    QCOMPARE(o.value(QStringLiteral("processes")).toInteger(), 1);
                    QVERIFY2(o.value(QStringLiteral("os_release")).toString().contains(QLatin1String("Windows 7")),
                             qPrintable(o.value(QStringLiteral("os_release")).toString()));
                    QVERIFY(o.value(QStringLiteral("kernel")).toString().contains(QLatin1String("7601")));
                    windowsIds[windows++] = o.value(QStringLiteral("id")).toInteger();
                } else {
                    QCOMPARE(o.value(QStringLiteral("kind")).toString(), QStringLiteral("live"));
                }
            }
            QCOMPARE(windows, 2);
            lists[k] = withoutIds(QJsonDocument(snapshots).toJson());
            auto text = cli({QStringLiteral("case"), QStringLiteral("list"), QStringLiteral("--case"), c});
            QVERIFY(text.out.contains("Windows image"));

            // who-loads: the side-loaded copy, on the Windows host, from an image entry.
            auto who = cli({QStringLiteral("who-loads"), QStringLiteral("version.dll"), QStringLiteral("--json"),
                            QStringLiteral("--case"), c});
            QVERIFY2(who.exitCode == 0, who.err.constData());
            const QJsonArray hits = QJsonDocument::fromJson(who.out).array();
            QCOMPARE(hits.size(), 1);  // the latest snapshot of the host: the second triage
            const QJsonObject hit = hits.first().toObject();
            QCOMPARE(hit.value(QStringLiteral("host")).toString(), QStringLiteral("VM"));
            QCOMPARE(hit.value(QStringLiteral("path")).toString(), QStringLiteral("C:\\Program Files\\Tools\\version.dll"));
            QCOMPARE(hit.value(QStringLiteral("pid")).toInteger(), 0);
            QCOMPARE(hit.value(QStringLiteral("entry")).toString(), QStringLiteral("image-executable"));
            QCOMPARE(hit.value(QStringLiteral("executable")).toString(), QStringLiteral("C:\\Program Files\\Tools\\whois.exe"));
            QCOMPARE(hit.value(QStringLiteral("level")).toString(), QStringLiteral("high"));
            // psapi.dll's SHA-256 (README of the shared data): the file now planted as version.dll.
            QCOMPARE(hit.value(QStringLiteral("sha256")).toString(),
                     QStringLiteral("3ac59a94618d1dc48ce4d05de2d1bd738d9c4c978d17ebc1ebff2c3677500d7c"));
            whos[k] = withoutIds(who.out);
            auto whoText = cli({QStringLiteral("who-loads"), QStringLiteral("version.dll"), QStringLiteral("--case"), c});
            QVERIFY2(whoText.out.contains("image"), whoText.out.constData());

            // stack --rare 1: Windows modules and Linux modules side by side, each on one host.
            auto stack = cli({QStringLiteral("stack"), QStringLiteral("--rare"), QStringLiteral("1"), QStringLiteral("--json"),
                              QStringLiteral("--case"), c});
            QVERIFY2(stack.exitCode == 0, stack.err.constData());
            const QJsonObject stacked = QJsonDocument::fromJson(stack.out).object();
            QCOMPARE(stacked.value(QStringLiteral("hosts_in_case")).toInteger(), 2);
            bool windowsModule = false, linuxModule = false;
            for (const auto &m : stacked.value(QStringLiteral("modules")).toArray()) {
                const QString path = m.toObject().value(QStringLiteral("path")).toString();
                windowsModule |= path == QLatin1String("C:\\Program Files\\Tools\\ws2_32.dll");
                linuxModule |= path.startsWith(QLatin1Char('/'));
            }
            QVERIFY(windowsModule);
            QVERIFY(linuxModule);
            stacks[k] = stack.out;

            // diff of the two triages: version.dll changed its hash, ws2_32.dll appeared.
            auto diff = cli({QStringLiteral("diff"), QString::number(windowsIds[0]), QString::number(windowsIds[1]),
                             QStringLiteral("--json"), QStringLiteral("--case"), c});
            QVERIFY2(diff.exitCode == 0, diff.err.constData());
            QVERIFY2(diff.out.contains("C:\\\\Program Files\\\\Tools\\\\ws2_32.dll"), diff.out.constData());
            QVERIFY2(diff.out.contains("C:\\\\Program Files\\\\Tools\\\\version.dll"), diff.out.constData());
            diffs[k] = withoutIds(diff.out);

            auto exported = cli({QStringLiteral("export"), QStringLiteral("--quiet"), QStringLiteral("--what"),
                                 QStringLiteral("processes"), QStringLiteral("--all-snapshots"), QStringLiteral("--format"),
                                 QStringLiteral("json"), QStringLiteral("--case"), c});
            QVERIFY2(exported.exitCode == 0, exported.err.constData());
            QStringList rows;
            for (const auto &v : QJsonDocument::fromJson(exported.out).array()) {
                QJsonObject o = v.toObject();
                if (o.value(QStringLiteral("host")).toString() == QLatin1String("VM")) {
                    QCOMPARE(o.value(QStringLiteral("pid")).toInteger(), 0);
                    QCOMPARE(o.value(QStringLiteral("exe")).toString(), QStringLiteral("C:\\Program Files\\Tools\\whois.exe"));
                }
                o.remove(QStringLiteral("snapshot_id"));
                rows << QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact));
            }
            QCOMPARE(rows.size(), 3);
            rows.sort();
            exports[k] = rows.join(QLatin1Char('\n')).toUtf8();
            ++k;
        }
        // The same answers from both stores, ids aside.
        QCOMPARE(lists[1], lists[0]);
        QCOMPARE(whos[1], whos[0]);
        QCOMPARE(stacks[1], stacks[0]);
        QCOMPARE(diffs[1], diffs[0]);
        QCOMPARE(exports[1], exports[0]);
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

QTEST_GUILESS_MAIN(TestCliWindowsCase)
#include "tst_cli_windows_case.moc"
