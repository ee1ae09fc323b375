// secure-library-paths on real trees: directory modes named in ld.so.conf.d, a real ld.so.cache
// built for the tree by the system's ldconfig (a test tool here, not something inspected), and
// RUNPATH reasons from a scan.
#include <QtTest>

#include "fixture_process.h"
#include "posture_tree.h"
#include "posture/posture.h"
#include "verdict/reason_catalog.h"

#include <unistd.h>

using namespace loadlens;
using namespace loadlens::posture;
using loadlens::testing::PostureTree;

namespace {

QString ldconfigProgram()
{
    for (const auto &candidate : {u"/sbin/ldconfig"_qs, u"/usr/sbin/ldconfig"_qs})
        if (QFileInfo(candidate).isExecutable())
            return candidate;
    return {};
}

// Builds ROOT/etc/ld.so.cache from ROOT/etc/ld.so.conf; returns an error text, empty on success.
QString buildCache(const PostureTree &tree)
{
    const QString program = ldconfigProgram();
    if (program.isEmpty())
        return u"no ldconfig on this system"_qs;
    QProcess p;
    p.start(program, {u"-X"_qs, u"-r"_qs, tree.root()});
    if (!p.waitForFinished(30000) || p.exitCode() != 0)
        return u"ldconfig -r failed: "_qs + QString::fromLocal8Bit(p.readAllStandardError());
    if (!QFileInfo::exists(tree.path(u"/etc/ld.so.cache"_qs)))
        return u"ldconfig wrote no cache"_qs;
    return {};
}

} // namespace

class TestPosturePaths : public QObject {
    Q_OBJECT
private slots:
    void directories_data();
    void directories();
    void runpathReasons();
    void noScanIsUnknown();
};

void TestPosturePaths::directories_data()
{
    QTest::addColumn<unsigned>("libMode");
    QTest::addColumn<unsigned>("libGroup");
    QTest::addColumn<bool>("dropFromConfigAfterCache");
    QTest::addColumn<bool>("buildTheCache");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("evidence");

    QTest::addRow("root only, cache matches") << 0755u << 0u << false << true << "pass" << "come from directories";
    QTest::addRow("world-writable dir in conf.d") << 0777u << 0u << false << true << "fail" << "/opt/vendor/lib [/etc/ld.so.conf.d/vendor.conf:1]";
    QTest::addRow("root-group-writable dir") << 0775u << 0u << false << true << "pass" << "/opt/vendor/lib";
    QTest::addRow("group-writable dir in conf.d") << 0775u << 100u << false << true << "fail" << "/opt/vendor/lib";
    QTest::addRow("cache entry from unconfigured dir") << 0755u << 0u << true << true << "fail"
                                                       << "entries from /opt/vendor/lib, which neither ld.so.conf";
    QTest::addRow("no cache") << 0755u << 0u << false << false << "unknown" << "/etc/ld.so.cache does not exist";
}

void TestPosturePaths::directories()
{
    QFETCH(unsigned, libMode);
    QFETCH(unsigned, libGroup);
    QFETCH(bool, dropFromConfigAfterCache);
    QFETCH(bool, buildTheCache);
    QFETCH(QString, status);
    QFETCH(QString, evidence);

    if (::geteuid() != 0 && status != u"fail"_qs)
        QSKIP("as a normal user the tree's directories belong to that user, so every one is writable by a "
              "non-root user and the check rightly fails: this row needs root-owned directories");
    PostureTree tree;
    QVERIFY(tree.write(u"/etc/ld.so.conf"_qs, "include /etc/ld.so.conf.d/*.conf\n"));
    QVERIFY(tree.write(u"/etc/ld.so.conf.d/vendor.conf"_qs, "/opt/vendor/lib\n"));
    QVERIFY(tree.mkdir(u"/usr/lib/x86_64-linux-gnu"_qs));
    QVERIFY(tree.mkdir(u"/opt/vendor/lib"_qs));
    QVERIFY(QFile::copy(loadlens::testing::fixtureLibraryPath(), tree.path(u"/opt/vendor/lib/libllfixture.so.1"_qs)));
    if (buildTheCache) {
        const QString error = buildCache(tree);
        if (!error.isEmpty())
            QSKIP(qPrintable(error));
    }
    if (dropFromConfigAfterCache)
        QVERIFY(tree.write(u"/etc/ld.so.conf.d/vendor.conf"_qs, "# removed\n"));
    // After the cache: ldconfig itself refuses nothing, the mode is what the check judges.
    QVERIFY(tree.mkdir(u"/opt/vendor/lib"_qs, libMode));
    if (libGroup != 0 && ::chown(QFile::encodeName(tree.path(u"/opt/vendor/lib"_qs)).constData(), 0, libGroup) != 0)
        QSKIP("changing the group needs root");

    const ScanResult empty;
    const PostureCheck check = checkSecureLibraryPaths(tree.options(), &empty);
    QVERIFY2(testing::statusText(check.status) == status, qPrintable(testing::describe(check)));
    QVERIFY2(testing::evidenceContains(check, evidence), qPrintable(testing::describe(check)));
    if (status == u"pass"_qs)
        QVERIFY(testing::evidenceContains(check, u"/opt/vendor/lib"_qs));  // checked, and found root-only
}

void TestPosturePaths::runpathReasons()
{
    PostureTree tree;
    QVERIFY(tree.write(u"/etc/ld.so.conf"_qs, ""));
    QVERIFY(tree.mkdir(u"/usr/lib"_qs));
    ScanResult scan;
    ProcessInfo p;
    p.pid = 4242;
    ModuleRecord m;
    m.path = "/opt/app/bin/app";
    m.verdict.add(verdict::makeReason(verdict::code::RpathWritable, Level::High,
                                      "Its DT_RUNPATH entry /tmp/plugins is writable by everyone"));
    ModuleRecord relative;
    relative.path = "/opt/app/lib/libx.so";
    relative.verdict.add(verdict::makeReason(verdict::code::RpathRelative, Level::Medium, "Its DT_RPATH entry 'lib' is relative"));
    p.modules = {m, relative};
    scan.processes.push_back(p);
    scan.processes.push_back(p);  // the same binaries in a second process are reported once
    const PostureCheck check = checkSecureLibraryPaths(tree.options(), &scan);
    QCOMPARE(check.status, posture::Status::Fail);
    QVERIFY(testing::evidenceContains(check, u"/opt/app/bin/app: Its DT_RUNPATH entry /tmp/plugins"_qs));
    QVERIFY(testing::evidenceContains(check, u"/opt/app/lib/libx.so: Its DT_RPATH entry 'lib' is relative"_qs));
    int lines = 0;
    for (const auto &l : check.evidenceLines())
        lines += QString::fromStdString(l).contains(u"/opt/app/bin/app:"_qs) ? 1 : 0;
    QCOMPARE(lines, 1);
}

void TestPosturePaths::noScanIsUnknown()
{
    PostureTree tree;
    QVERIFY(tree.write(u"/etc/ld.so.conf"_qs, ""));
    const PostureCheck check = checkSecureLibraryPaths(tree.options(), nullptr);
    QVERIFY(check.status != posture::Status::Pass);
    QVERIFY(testing::evidenceContains(check, u"RUNPATH/RPATH entries are unknown"_qs));
}

QTEST_GUILESS_MAIN(TestPosturePaths)
#include "tst_posture_paths.moc"
