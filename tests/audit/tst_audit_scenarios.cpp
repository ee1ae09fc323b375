// Hand-written audit logs (written into a QTemporaryDir) of what an attacker and a package
// manager do to the loader's files, and of the reader's limits: rotated sets, split EXECVE
// arguments, malformed lines, cancellation and the time budget.
#include <QTemporaryDir>
#include <QtTest>
#include <zlib.h>

#include "audit_test_logs.h"

#include "audit/audit_codes.h"
#include "verdict/reason_catalog.h"

using namespace loadlens;
using namespace loadlens::audittest;

namespace {

const Reason *reason(const LoadEvent &event, std::string_view code)
{
    for (const Reason &r : event.verdict.reasons)
        if (r.code == code)
            return &r;
    return nullptr;
}

// O_WRONLY|O_CREAT|O_TRUNC as openat's a2
const std::string kWriteFlags = "241";

} // namespace

class TestAuditScenarios : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void preloadWrite_data()
    {
        QTest::addColumn<QString>("exe");
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("high");
        QTest::addRow("vi") << "/usr/bin/vi" << "\"/etc/ld.so.preload\"" << true;
        QTest::addRow("dpkg") << "/usr/bin/dpkg" << "\"/etc/ld.so.preload\"" << false;
        QTest::addRow("dpkg lookalike in /tmp") << "/tmp/dpkg" << "\"/etc/ld.so.preload\"" << true;
        QTest::addRow("hex name") << "/usr/bin/vi" << QString::fromStdString(hex("/etc/ld.so.preload")) << true;
        QTest::addRow("relative to parent") << "/usr/bin/vi" << "\"ld.so.preload\"" << true;
    }
    void preloadWrite()
    {
        QFETCH(QString, exe);
        QFETCH(QString, name);
        QFETCH(bool, high);
        const std::string log = syscallEvent("1700000000.100:500", 257, exe.toStdString(), kWriteFlags,
                                             {{"\"/etc/\"", "PARENT"}, {name.toStdString(), "CREATE"}});
        const Collected c = readLog(writeLog(m_dir, QStringLiteral("preload.log"), log));
        QVERIFY2(c.ok, qPrintable(c.error));
        QCOMPARE(c.events.size(), std::size_t(1));
        const LoadEvent &e = c.events[0];
        QCOMPARE(e.kind, std::string(audit::kind::PreloadConfigWrite));
        QCOMPARE(e.imageLoaded, std::string("/etc/ld.so.preload"));
        QCOMPARE(e.image, exe.toStdString());
        QCOMPARE(e.recordId, std::uint64_t(500));
        QCOMPARE(e.timeUs, std::int64_t(1700000000100000));
        QCOMPARE(e.pid, std::int64_t(901));
        QCOMPARE(e.user, std::string("1000"));
        const Reason *r = reason(e, audit::code::PreloadFileWritten);
        QVERIFY(r);
        QCOMPARE(r->technique, std::string(verdict::technique::DynamicLinkerHijacking));
        QCOMPARE(r->measure, std::string(verdict::measure::ImmutableLoaderConfig));
        QCOMPARE(e.verdict.level == Level::High, high);
        QVERIFY(e.verdict.level >= Level::Low);
        QVERIFY(r->text.find(exe.toStdString()) != std::string::npos);
    }

    void readingThePreloadFileIsNotAWrite()
    {
        // openat with O_RDONLY: the loader reads /etc/ld.so.preload at every exec.
        const std::string log = syscallEvent("1700000000.200:501", 257, "/usr/bin/cat", "80000",
                                             {{"\"/etc/ld.so.preload\"", "NORMAL"}});
        const Collected c = readBuffer(log);
        QCOMPARE(c.events.size(), std::size_t(1));
        QCOMPARE(c.events[0].kind, std::string(audit::kind::LoaderConfigRead));
        QCOMPARE(c.events[0].verdict.level, Level::Ok);
    }

    void ldConfigAndCacheWrites()
    {
        std::string log = syscallEvent("1700000000.300:502", 257, "/usr/bin/tee", kWriteFlags,
                                       {{"\"/etc/ld.so.conf.d/\"", "PARENT"}, {"\"evil.conf\"", "CREATE"}});
        log += syscallEvent("1700000000.400:503", 82, "/usr/sbin/ldconfig", "0",
                            {{"\"/etc/ld.so.cache~\"", "DELETE"}, {"\"/etc/ld.so.cache\"", "CREATE"}});
        const Collected c = readBuffer(log);
        QCOMPARE(c.events.size(), std::size_t(2));
        QCOMPARE(c.events[0].kind, std::string(audit::kind::LdConfigWrite));
        QCOMPARE(c.events[0].imageLoaded, std::string("/etc/ld.so.conf.d/evil.conf"));
        QCOMPARE(c.events[0].verdict.level, Level::High);
        QVERIFY(c.events[0].verdict.has(audit::code::LdConfigWritten));
        QCOMPARE(c.events[1].kind, std::string(audit::kind::LdCacheWrite));
        QCOMPARE(c.events[1].verdict.level, Level::Ok);  // ldconfig rebuilding its cache
    }

    void libraryWriteUnderUsrLib()
    {
        const std::string log = syscallEvent("1700000000.500:504", 257, "/usr/bin/cp", kWriteFlags,
                                             {{"\"/usr/lib/x86_64-linux-gnu/\"", "PARENT"},
                                              {"\"/usr/lib/x86_64-linux-gnu/libevil.so.1\"", "CREATE"}});
        const Collected c = readBuffer(log);
        QCOMPARE(c.events.size(), std::size_t(1));
        QCOMPARE(c.events[0].kind, std::string(audit::kind::LibraryWrite));
        QCOMPARE(c.events[0].imageLoaded, std::string("/usr/lib/x86_64-linux-gnu/libevil.so.1"));
        QCOMPARE(c.events[0].verdict.level, Level::High);
        QVERIFY(c.events[0].verdict.has(audit::code::LibraryDirWritten));
        QCOMPARE(c.events[0].fields.at("nametype"), std::string("CREATE"));

        // The same file installed by dpkg is routine.
        const std::string byDpkg = syscallEvent("1700000000.600:505", 257, "/usr/bin/dpkg", kWriteFlags,
                                                {{"\"/usr/lib/x86_64-linux-gnu/libok.so.1\"", "CREATE"}});
        const Collected d = readBuffer(byDpkg);
        QCOMPARE(d.events.size(), std::size_t(1));
        QCOMPARE(d.events[0].verdict.level, Level::Info);
    }

    void execveWithLdPreload()
    {
        const std::string stamp = "1700000001.000:600";
        std::string log = line("SYSCALL", stamp,
                               "arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=0 items=2 ppid=1 "
                               "pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 comm=\"env\" exe=\"/usr/bin/env\" "
                               "key=(null)");
        log += line("EXECVE", stamp, "argc=3 a0=\"env\" a1=\"LD_PRELOAD=/tmp/x.so\" a2=\"/bin/ls\"");
        log += line("PATH", stamp, "item=0 name=\"/usr/bin/env\" inode=1 nametype=NORMAL");
        log += line("PROCTITLE", stamp, "proctitle=" + hex(std::string("env\0LD_PRELOAD=/tmp/x.so\0/bin/ls", 31)));
        const Collected c = readBuffer(log);
        QCOMPARE(c.events.size(), std::size_t(1));
        const LoadEvent &e = c.events[0];
        QCOMPARE(e.kind, std::string(audit::kind::LoaderEnvExec));
        QCOMPARE(e.verdict.level, Level::High);
        QCOMPARE(e.imageLoaded, std::string("/tmp/x.so"));
        QCOMPARE(e.fields.at("LD_PRELOAD"), std::string("/tmp/x.so"));
        QCOMPARE(e.commandLine, std::string("env LD_PRELOAD=/tmp/x.so /bin/ls"));
        const Reason *r = reason(e, audit::code::LoaderEnvExec);
        QVERIFY(r);
        QCOMPARE(r->technique, std::string(verdict::technique::DynamicLinkerHijacking));
        QCOMPARE(r->measure, std::string(verdict::measure::RestrictPreload));
        QCOMPARE(e.verdict.reasons.size(), std::size_t(1));  // the proctitle repeats, not counted twice
    }

    void execveWithSplitHexArgument()
    {
        // An argument longer than the kernel's chunk is logged as a1_len plus a1[0], a1[1], ...
        // possibly across records; this one holds a space, so it is hex.
        const std::string stamp = "1700000002.000:700";
        const std::string arg = "LD_LIBRARY_PATH=/dev/shm/lib exec /usr/bin/top";
        std::string log = line("SYSCALL", stamp,
                               "arch=c000003e syscall=59 success=yes exit=0 items=1 pid=77 auid=4294967295 uid=0 "
                               "exe=\"/bin/sh\" key=(null)");
        log += line("EXECVE", stamp,
                    "argc=3 a0=\"sh\" a1=\"-c\" a2_len=" + std::to_string(arg.size()) + " a2[0]=" + hex(arg.substr(0, 20)));
        log += line("EXECVE", stamp, "a2[1]=" + hex(arg.substr(20)));
        const Collected c = readBuffer(log);
        QCOMPARE(c.events.size(), std::size_t(1));
        const LoadEvent &e = c.events[0];
        QCOMPARE(e.kind, std::string(audit::kind::LoaderEnvExec));
        QCOMPARE(e.commandLine, "sh -c \"" + arg + "\"");
        QCOMPARE(e.fields.at("LD_LIBRARY_PATH"), std::string("/dev/shm/lib"));
        QCOMPARE(e.verdict.level, Level::Medium);
        QCOMPARE(e.user, std::string("0"));  // auid unset: the uid stands in
    }

    void auditRuleRemoval()
    {
        const std::string log =
            line("CONFIG_CHANGE", "1700000003.000:800",
                 "auid=1000 ses=3 subj=unconfined op=remove_rule key=\"systemwide_preloads\" list=4 res=1");
        const Collected c = readBuffer(log);
        QCOMPARE(c.events.size(), std::size_t(1));
        QCOMPARE(c.events[0].kind, std::string(audit::kind::AuditConfigChange));
        QCOMPARE(c.events[0].verdict.level, Level::Medium);
        QCOMPARE(c.events[0].verdict.reasons.at(0).technique, std::string(audit::kAuditTamperingTechnique));
        QCOMPARE(c.events[0].user, std::string("1000"));
    }

    void malformedLinesAreCountedWithOffsets()
    {
        const std::string good = syscallEvent("1700000004.000:900", 257, "/usr/bin/vi", kWriteFlags,
                                              {{"\"/etc/ld.so.preload\"", "NORMAL"}});
        const std::string bad1 = "type=SYSCALL msg=audit(17000x.000:1): arch=c000003e\n";
        const std::string bad2 = "garbage without a header\n";
        const std::string log = bad1 + good + bad2 + "# a comment\n\n";
        const Collected c = readBuffer(log);
        QCOMPARE(c.events.size(), std::size_t(1));
        QCOMPARE(c.report.skipped, std::uint64_t(2));
        QCOMPARE(c.report.skippedRecords.at(0).offset, std::uint64_t(0));
        QCOMPARE(c.report.skippedRecords.at(1).offset, std::uint64_t(bad1.size() + good.size()));
        QVERIFY(c.report.skippedRecords.at(1).reason.find("memory:") == 0);
    }

    void rotatedSetIsReadOldestFirst()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // The event 1002 starts in audit.log.1 and ends in audit.log: rotation mid-event.
        const std::string e1000 = syscallEvent("1700000010.000:1000", 257, "/usr/bin/vi", kWriteFlags,
                                               {{"\"/etc/ld.so.preload\"", "NORMAL"}});
        const std::string e1001 = syscallEvent("1700000011.000:1001", 257, "/usr/bin/vi", kWriteFlags,
                                               {{"\"/etc/ld.so.conf\"", "NORMAL"}});
        const std::string e1002 = syscallEvent("1700000012.000:1002", 257, "/usr/bin/vi", kWriteFlags,
                                               {{"\"/etc/ld.so.preload\"", "NORMAL"}});
        const std::size_t cut = e1002.find("type=PATH");
        writeLog(dir, QStringLiteral("audit.log.2"), e1000);
        writeLog(dir, QStringLiteral("audit.log.1"), e1001 + e1002.substr(0, cut));
        const QString base = writeLog(dir, QStringLiteral("audit.log"), e1002.substr(cut));
        // logrotate's compressed member, oldest of all, and a suffix nothing reads.
        const std::string e999 = syscallEvent("1700000009.000:999", 257, "/usr/bin/vi", kWriteFlags,
                                              {{"\"/etc/ld.so.preload\"", "NORMAL"}});
        const QByteArray gzPath = dir.filePath(QStringLiteral("audit.log.3.gz")).toLocal8Bit();
        gzFile gz = ::gzopen(gzPath.constData(), "wb");
        QVERIFY(gz);
        QCOMPARE(::gzwrite(gz, e999.data(), static_cast<unsigned>(e999.size())), static_cast<int>(e999.size()));
        QCOMPARE(::gzclose(gz), Z_OK);
        writeLog(dir, QStringLiteral("audit.log.4.xz"), "not text");

        const std::vector<std::string> files = audit::rotatedAuditFiles(base.toStdString());
        QCOMPARE(files.size(), std::size_t(4));
        QVERIFY(QString::fromStdString(files[0]).endsWith(QStringLiteral("audit.log.3.gz")));
        QVERIFY(QString::fromStdString(files[1]).endsWith(QStringLiteral("audit.log.2")));
        QVERIFY(QString::fromStdString(files[3]).endsWith(QStringLiteral("audit.log")));

        std::vector<LoadEvent> events;
        ImportReport report;
        const CancelToken cancel;
        QVERIFY(audit::readAuditLogSet(
                    base.toStdString(),
                    [&](LoadEvent &&e) {
                        events.push_back(std::move(e));
                        return true;
                    },
                    report, {}, cancel)
                    .ok());
        QCOMPARE(events.size(), std::size_t(4));
        QCOMPARE(events[0].recordId, std::uint64_t(999));
        QVERIFY(QString::fromStdString(events[0].sourceFile).endsWith(QStringLiteral("audit.log.3.gz")));
        QCOMPARE(events[1].recordId, std::uint64_t(1000));
        QCOMPARE(events[2].recordId, std::uint64_t(1001));
        QCOMPARE(events[3].recordId, std::uint64_t(1002));
        QCOMPARE(events[3].kind, std::string(audit::kind::PreloadConfigWrite));
        QVERIFY(QString::fromStdString(events[3].sourceFile).endsWith(QStringLiteral("audit.log.1")));
        QCOMPARE(report.skipped, std::uint64_t(0));
        bool notedXz = false;
        for (const auto &note : report.notes)
            notedXz = notedXz || note.find("audit.log.4.xz") != std::string::npos;
        QVERIFY(notedXz);
    }

    void cancellationAndTimeBudget()
    {
        std::string log;
        for (int i = 0; i < 3000; ++i)
            log += syscallEvent("1700000020.000:" + std::to_string(2000 + i), 257, "/usr/bin/vi", kWriteFlags,
                                {{"\"/etc/ld.so.preload\"", "NORMAL"}});
        const QString path = writeLog(m_dir, QStringLiteral("big.log"), log);

        CancelToken cancel;
        cancel.cancel();
        std::vector<LoadEvent> events;
        ImportReport report;
        QVERIFY(audit::readAuditLog(path.toStdString(), [&](LoadEvent &&e) { events.push_back(std::move(e)); return true; },
                                    report, {}, cancel).ok());
        QVERIFY(!report.complete);
        QVERIFY(!report.errors.empty() && report.errors[0].find("cancelled") != std::string::npos);
        QVERIFY(events.size() < 3000);

        audit::AuditOptions options;
        options.timeBudgetSeconds = 1e-9;
        const Collected budget = readLog(path, options);
        QVERIFY(!budget.report.complete);
        QVERIFY(budget.report.errors.at(0).find("time budget") != std::string::npos);

        // A sink that says stop is obeyed at once.
        std::size_t received = 0;
        ImportReport stopped;
        QVERIFY(audit::readAuditLog(path.toStdString(), [&](LoadEvent &&) { return ++received < 5; }, stopped, {},
                                    CancelToken()).ok());
        QCOMPARE(received, std::size_t(5));
        QVERIFY(!stopped.complete);

        const Collected all = readLog(path);
        QVERIFY(all.report.complete);
        QCOMPARE(all.events.size(), std::size_t(3000));
    }

    void overlongLineIsSkipped()
    {
        audit::AuditOptions options;
        options.maxLineBytes = 4096;
        const std::string good = syscallEvent("1700000030.000:3000", 257, "/usr/bin/vi", kWriteFlags,
                                              {{"\"/etc/ld.so.preload\"", "NORMAL"}});
        const std::string longLine = line("EXECVE", "1700000030.500:3001", "a0=\"" + std::string(3u << 20, 'A') + "\"");
        const Collected c = readLog(writeLog(m_dir, QStringLiteral("long.log"), longLine + good), options);
        QCOMPARE(c.events.size(), std::size_t(1));
        QCOMPARE(c.report.skipped, std::uint64_t(1));
        QCOMPARE(c.report.skippedRecords.at(0).offset, std::uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestAuditScenarios)
#include "tst_audit_scenarios.moc"
