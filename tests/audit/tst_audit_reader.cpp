// The auditd reader on the real samples in ../shared/data: record and event counts exactly as
// its README states, node= and enriched records, hex-encoded values, comments, and the damaged
// logs (out of order, lost messages, serial rollover).
#include <QtTest>

#include "audit_test_logs.h"
#include "shared_data.h"

#include "audit/audit_codes.h"
#include "audit/audit_record.h"
#include "audit/audit_values.h"

#include <map>

using namespace loadlens;
using namespace loadlens::audittest;

namespace {

std::uint64_t sumCounts(const ImportReport &report)
{
    std::uint64_t sum = 0;
    for (const auto &[name, count] : report.countsByKind)
        sum += count;
    return sum;
}

// All records of one file with their fields, in reading order.
struct Fields {
    std::string type;
    std::string node;
    std::vector<std::pair<std::string, std::string>> raw;
    std::vector<std::pair<std::string, std::string>> enriched;
};
std::vector<Fields> readFields(const QString &path)
{
    std::vector<Fields> out;
    audit::FieldSplitter splitter;
    ImportReport report;
    const CancelToken cancel;
    (void)audit::forEachAuditEvent(
        path.toStdString(),
        [&](const audit::AuditEvent &event) {
            for (const auto &record : event.records) {
                Fields f{std::string(record.type), std::string(event.node), {}, {}};
                splitter.forEach(record.type, record.body,
                                 [&](std::string_view n, std::string_view v) { f.raw.emplace_back(n, v); });
                audit::FieldSplitter::forEachEnriched(
                    record.body, [&](std::string_view n, std::string_view v) { f.enriched.emplace_back(n, v); });
                out.push_back(std::move(f));
            }
            return true;
        },
        report, {}, cancel);
    return out;
}

std::string field(const Fields &f, const std::string &name)
{
    for (const auto &[n, v] : f.raw)
        if (n == name)
            return v;
    return "<absent>";
}

} // namespace

class TestAuditReader : public QObject {
    Q_OBJECT

private slots:
    void countsPerFile_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("records");
        QTest::addColumn<int>("events");
        QTest::addColumn<int>("skipped");
        // From ../shared/data/README.md, auditd and damaged sections.
        QTest::addRow("auparse test") << "auditd/auditus_auparse_test.log" << 12 << 7 << 0;
        QTest::addRow("auparse test4") << "auditd/auditus_auparse_test4.log" << 13 << 2 << 0;
        QTest::addRow("rhel6") << "auditd/golibaudit_audit-rhel6.log" << 2 << 2 << 0;
        QTest::addRow("rhel7") << "auditd/golibaudit_audit-rhel7.log" << 49 << 46 << 1;
        QTest::addRow("ubuntu14") << "auditd/golibaudit_audit-ubuntu14.log" << 1 << 1 << 0;
        QTest::addRow("normal") << "auditd/golibaudit_normal.log" << 17 << 5 << 0;
        QTest::addRow("arp cache") << "auditd/otrf_sh_arp_cache.log" << 12 << 2 << 0;
        QTest::addRow("dd padding") << "auditd/otrf_sh_binary_padding_dd.log" << 6 << 1 << 0;
        QTest::addRow("laurel execve") << "auditd/laurel_record-execve.txt" << 7 << 1 << 0;
        QTest::addRow("laurel trace") << "auditd/laurel_shell-proc-trace.txt" << 39 << 9 << 0;
        QTest::addRow("out of order") << "damaged/golibaudit_out_of_order.log" << 17 << 5 << 0;
        QTest::addRow("lost messages") << "damaged/golibaudit_lost_messages.log" << 17 << 5 << 0;
        QTest::addRow("rollover") << "damaged/golibaudit_rollover.log" << 5 << 5 << 0;
    }
    void countsPerFile()
    {
        QFETCH(QString, file);
        QFETCH(int, records);
        QFETCH(int, events);
        QFETCH(int, skipped);
        const QString path = testing::sharedDataPath(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + file));

        const Grouping g = group(path);
        QCOMPARE(g.records, std::uint64_t(records));
        QCOMPARE(g.events, std::uint64_t(events));
        QCOMPARE(g.report.skipped, std::uint64_t(skipped));

        // The full pipeline sees the same and accounts for every event by kind.
        const Collected c = readLog(path);
        QVERIFY2(c.ok, qPrintable(c.error));
        QVERIFY(c.report.complete);
        QCOMPARE(c.report.recordsRead, std::uint64_t(records));
        QCOMPARE(sumCounts(c.report), std::uint64_t(events));
        QCOMPARE(c.report.imported, std::uint64_t(c.events.size()));
        QCOMPARE(c.report.skipped, std::uint64_t(skipped));
        QCOMPARE(c.report.format, std::string("auditd"));
        for (const LoadEvent &e : c.events) {
            QCOMPARE(e.source, std::string("auditd"));
            QVERIFY(!e.host.empty());
            QVERIFY(e.timeUs > 0);
            QCOMPARE(e.sourceFile, path.toStdString());
        }
    }

    void malformedLineIsReportedWithItsOffset()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "auditd/golibaudit_audit-rhel7.log");
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        const qsizetype at = bytes.indexOf("type=UNKNOWN[1329] msg=?");
        QVERIFY(at > 0);
        const Collected c = readLog(path);
        QCOMPARE(c.report.skippedRecords.size(), std::size_t(1));
        QCOMPARE(c.report.skippedRecords[0].offset, std::uint64_t(at));
        QVERIFY(c.report.skippedRecords[0].reason.find("msg=audit") != std::string::npos);
        // Both CONFIG_CHANGE records of the file are audit rule changes.
        QCOMPARE(c.report.countsByKind.at("auditd audit-config-change"), std::uint64_t(2));
    }

    // Up to 18 digits of seconds were accepted: the event key (seconds x 1000) and the event
    // time (seconds x 10^6) overflowed, and UBSan stopped the reader. Such lines are now
    // skipped records with a reason.
    void absurdTimestampIsSkippedWithAReason()
    {
        const std::string fields = "arch=c000003e syscall=59 success=yes exit=0 pid=1 comm=\"x\" exe=\"/usr/bin/x\"";
        const std::string bad16 = line("SYSCALL", "1234567890123456.123:41", fields);
        const std::string bad18 = line("SYSCALL", "999999999999999999.999:42", fields);
        const std::string good = syscallEvent("1700000000.123:43", 59, "/usr/bin/ls", "0",
                                              {{"\"/usr/bin/ls\"", "NORMAL"}, {"\"/lib64/ld-linux-x86-64.so.2\"", "NORMAL"}});
        const Collected c = readBuffer(bad16 + bad18 + good);
        QVERIFY2(c.ok, qPrintable(c.error));
        QCOMPARE(c.report.skipped, std::uint64_t(2));
        QCOMPARE(c.report.skippedRecords.size(), std::size_t(2));
        QCOMPARE(c.report.skippedRecords[0].offset, std::uint64_t(0));
        QCOMPARE(c.report.skippedRecords[1].offset, std::uint64_t(bad16.size()));
        for (const auto &skipped : c.report.skippedRecords)
            QVERIFY2(skipped.reason.find("year 9999") != std::string::npos, skipped.reason.c_str());
        QCOMPARE(c.events.size(), std::size_t(1));
        QCOMPARE(c.events[0].timeUs, std::int64_t(1700000000123000));
        // The last second of 9999 is still a time.
        const Collected last = readBuffer(syscallEvent("253402300799.999:44", 59, "/usr/bin/ls", "0",
                                                       {{"\"/usr/bin/ls\"", "NORMAL"}}));
        QCOMPARE(last.report.skipped, std::uint64_t(0));
    }

    void loaderPathsInRealLogs()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "auditd/golibaudit_normal.log");
        const Collected c = readLog(path);
        // Two execs map /lib64/ld-linux-x86-64.so.2 (README: PATH .so names); nothing else matters.
        QCOMPARE(c.events.size(), std::size_t(2));
        for (const LoadEvent &e : c.events) {
            QCOMPARE(e.kind, std::string(audit::kind::LibraryOpen));
            QCOMPARE(e.imageLoaded, std::string("/lib64/ld-linux-x86-64.so.2"));
            QCOMPARE(e.verdict.level, Level::Ok);
            QCOMPARE(e.host, std::string("unknown"));
            QCOMPARE(e.user, std::string("1000"));
        }
        QCOMPARE(c.events[0].recordId, std::uint64_t(59));
        QCOMPARE(c.events[0].timeUs, std::int64_t(1492037291036000));
        QCOMPARE(c.events[0].image, std::string("/usr/bin/grep"));
        QCOMPARE(c.events[0].commandLine, std::string("grep --color=auto mapping"));
        QCOMPARE(c.events[0].fields.at("key"), std::string("user_commands"));
        QCOMPARE(c.report.countsByKind.at("auditd irrelevant"), std::uint64_t(3));
    }

    void nodeAndEnrichedRecords()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "auditd/laurel_record-execve.txt");
        const std::vector<Fields> records = readFields(path);
        QCOMPARE(records.size(), std::size_t(7));
        int enriched = 0;
        for (const Fields &f : records) {
            QCOMPARE(f.node, std::string("work"));
            enriched += f.enriched.empty() ? 0 : 1;
        }
        QCOMPARE(enriched, 3);
        // The raw fields stop at the separator; the interpreted ones are apart.
        QCOMPARE(records[0].raw.back().first, std::string("key"));
        QCOMPARE(records[0].raw.back().second, std::string("(null)"));
        QCOMPARE(records[0].enriched.front(), std::make_pair(std::string("ARCH"), std::string("x86_64")));
        QCOMPARE(records[0].enriched.at(2), std::make_pair(std::string("AUID"), std::string("\"user\"")));

        audit::AuditOptions options;
        options.defaultHost = "fallback";
        const Collected c = readLog(path, options);
        QCOMPARE(c.events.size(), std::size_t(1));
        QCOMPARE(c.events[0].host, std::string("work"));  // node= wins over the default
        QCOMPARE(c.events[0].recordId, std::uint64_t(15558));
        QCOMPARE(c.events[0].image, std::string("/usr/bin/whoami"));
        QCOMPARE(c.events[0].user, std::string("1000"));
        QCOMPARE(c.events[0].fields.at("uid"), std::string("0"));
        QCOMPARE(c.events[0].fields.at("records"), std::string("SYSCALL,EXECVE,CWD,PATH,PATH,PROCTITLE,EOE"));
    }

    void hexEncodedValues()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(rhel6, "auditd/golibaudit_audit-rhel6.log");
        LOADLENS_SHARED_DATA_OR_SKIP(ubuntu, "auditd/golibaudit_audit-ubuntu14.log");
        LOADLENS_SHARED_DATA_OR_SKIP(arp, "auditd/otrf_sh_arp_cache.log");
        const std::vector<Fields> a = readFields(rhel6);
        QCOMPARE(audit::decodeValue(field(a[0], "exe")), std::string("/usr/libexec/strongswan/charon (deleted)"));
        const std::vector<Fields> b = readFields(ubuntu);
        QCOMPARE(audit::decodeValue(field(b[0], "name")), std::string("/share/general/path_redacted"));
        // Quoted values only lose their quotes; numbers are never touched by the splitter.
        QCOMPARE(audit::decodeValue("\"/usr/bin/grep\""), std::string("/usr/bin/grep"));
        QCOMPARE(audit::decodeValue("(null)"), std::string("(null)"));
        const std::vector<Fields> c = readFields(arp);
        QCOMPARE(audit::decodeProctitle(field(c[5], "proctitle")), std::string("arp -a"));
        QCOMPARE(audit::decodeProctitle(field(c[11], "proctitle")), std::string("grep -v ^?"));
    }

    void commentsAreNotRecords()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "auditd/laurel_shell-proc-trace.txt");
        const Grouping g = group(path);
        QCOMPARE(g.report.skipped, std::uint64_t(0));
        const Collected c = readLog(path);
        // README: 75 lines, 39 records; the rest are '#' comments and blank lines.
        QVERIFY(!c.report.notes.empty());
        QVERIFY2(c.report.notes.back().find("36 blank or comment lines") != std::string::npos,
                 c.report.notes.back().c_str());
    }

    void outOfOrderRecordsJoinTheirEvent()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "damaged/golibaudit_out_of_order.log");
        std::map<std::uint64_t, std::string> types;
        ImportReport report;
        const CancelToken cancel;
        QVERIFY(audit::forEachAuditEvent(
                    path.toStdString(),
                    [&](const audit::AuditEvent &event) {
                        for (const auto &r : event.records)
                            types[event.serial] += std::string(r.type) + " ";
                        return true;
                    },
                    report, {}, cancel)
                    .ok());
        // The PATH of serial 60 comes after a record of serial 61 and still belongs to 60.
        QCOMPARE(types[60], std::string("SYSCALL EXECVE CWD PATH PATH "));
        QCOMPARE(types[61], std::string("SYSCALL SOCKADDR CWD PATH "));
        const Collected c = readLog(path);
        QCOMPARE(c.events.size(), std::size_t(2));  // both execs, each with the loader
    }

    void rolloverSerialsStayDistinct()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "damaged/golibaudit_rollover.log");
        std::vector<std::uint64_t> serials;
        ImportReport report;
        const CancelToken cancel;
        QVERIFY(audit::forEachAuditEvent(
                    path.toStdString(),
                    [&](const audit::AuditEvent &event) {
                        serials.push_back(event.serial);
                        return true;
                    },
                    report, {}, cancel)
                    .ok());
        QCOMPARE(serials, (std::vector<std::uint64_t>{4294967294u, 4294967295u, 0, 1, 2}));
    }

    void missingFileIsAnErrorNamingIt()
    {
        const Collected c = readLog(QStringLiteral("/nonexistent/audit.log"));
        QVERIFY(!c.ok);
        QVERIFY(c.error.contains(QStringLiteral("/nonexistent/audit.log")));
        QVERIFY(c.error.contains(QStringLiteral("No such file")));
        QVERIFY(!c.report.complete);
    }
};

QTEST_GUILESS_MAIN(TestAuditReader)
#include "tst_audit_reader.moc"
