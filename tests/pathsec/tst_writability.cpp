// checkWritable on real trees: world-writable, sticky, group, ACL (with and without a mask that
// removes write), symlinks with writable parents, missing and non-directory components.
#include "pathsec/path_names.h"
#include "pathsec/root_group.h"
#include "pathsec/writability.h"
#include "tree_builder.h"
#include "writability_scenarios.h"

#include <QTemporaryDir>
#include <QtTest>
#include <pwd.h>
#include <sys/stat.h>

using namespace loadlens::pathsec;
using loadlens::testing::TreeBuilder;
using loadlens::testing::runningAsRoot;
using namespace loadlens::testing::scenarios;

namespace {

const Writer *findWriter(const WritabilityReport &r, const std::string &component, PrincipalKind kind, std::uint32_t id)
{
    for (const auto &w : r.writers)
        if (w.component == component && w.kind == kind && w.id == id)
            return &w;
    return nullptr;
}

QString dump(const WritabilityReport &r)
{
    QString out = QString::fromStdString(describeWritability(r));
    for (const auto &w : r.writers)
        out += QStringLiteral("\n  %1 -> %2 %3 %4 via %5 create=%6 replace=%7 %8")
                   .arg(QString::fromStdString(w.component), QString::fromStdString(w.affects),
                        QString::fromUtf8(principalKindName(w.kind).data()), QString::number(w.id),
                        QString::fromStdString(w.via))
                   .arg(w.canCreate)
                   .arg(w.canReplace)
                   .arg(QString::fromStdString(w.note));
    for (const auto &e : r.errors)
        out += QStringLiteral("\n  error: ") + QString::fromStdString(e);
    return out;
}

} // namespace

class TestWritability : public QObject {
    Q_OBJECT
private slots:
    void trees_data();
    void trees();
    void systemLibcHasNoWriters_data();
    void systemLibcHasNoWriters();
    void tmpIsWritableByEveryoneButSticky();
    void symlinkTargetChainIsRecorded();
    void finalSymlinkNotFollowedWhenAsked();
    void symlinkLoopIsAnError();
    void unreadablePathsAreErrorsNotClean_data();
    void unreadablePathsAreErrorsNotClean();
    void missingFileInWritableDirCanBePlanted_data();
    void missingFileInWritableDirCanBePlanted();
    void componentsCarryOwnerNames();
    void rootGroupMembersWrite_data();
    void rootGroupMembersWrite();
    void rootGroupFromRealAccountFiles();
    void rootGroupWithoutAccountFiles();
    void rootGroupFileBehindASymlinkIsNotFollowed();
};

void TestWritability::trees_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<bool>("needsRoot");
    QTest::addColumn<bool>("writable");
    QTest::addColumn<bool>("creatable");
    QTest::addColumn<QString>("writerAt");  // component relative to the base; empty: none expected
    QTest::addColumn<int>("writerKind");
    QTest::addColumn<uint>("writerId");
    QTest::addColumn<bool>("canCreate");
    QTest::addColumn<bool>("canReplace");
    QTest::addColumn<QString>("summaryPart");

    const int other = int(PrincipalKind::Other);
    const int user = int(PrincipalKind::User);
    const int group = int(PrincipalKind::Group);
    const int aclUser = int(PrincipalKind::AclUser);
    const int aclGroup = int(PrincipalKind::AclGroup);
    // name, root?, writable, creatable, writer component, kind, id, create, replace, summary
    QTest::addRow("clean") << "clean" << true << false << false << "" << 0 << 0u << false << false << "only by root";
    QTest::addRow("world-writable dir") << "world-writable-dir" << false << true << true << "ww" << other << 0u << true << true << "everyone";
    QTest::addRow("world-writable file") << "world-writable-file" << true << true << false << "lib/libx.so" << other << 0u << false << true << "writable by everyone";
    QTest::addRow("sticky, root's file") << "sticky-root-file" << true << false << true << "st" << other << 0u << true << false << "may add files but not replace this one";
    QTest::addRow("sticky, nobody's file") << "sticky-foreign-file" << true << true << true << "st" << other << 0u << true << false << "user nobody";
    QTest::addRow("sticky dir owned by a user") << "sticky-dir-owned-by-user" << true << true << true << "st" << user << uint(kOtherUser) << true << true << "user 65533";
    QTest::addRow("group-writable, gid 100") << "group-writable" << true << true << true << "gw" << group << uint(kUsersGroup) << true << true << "group users (100)";
    QTest::addRow("root group writable") << "root-group-writable" << true << false << false << "rg" << group << 0u << true << true << "root group";
    QTest::addRow("ACL user write") << "acl-user-write" << false << true << true << "acl" << aclUser << uint(kNobody) << true << true << "via ACL";
    QTest::addRow("ACL user write masked") << "acl-user-write-masked" << true << false << false << "" << 0 << 0u << false << false << "only by root";
    QTest::addRow("ACL group write") << "acl-group-write" << false << true << true << "acl" << aclGroup << uint(kUsersGroup) << true << true << "group users (100) via ACL";
    QTest::addRow("symlink in writable dir") << "symlink-in-writable-dir" << true << true << false << "ww" << other << 0u << true << true << "through";
    QTest::addRow("symlink to writable dir") << "symlink-to-writable-dir" << true << true << true << "ww" << other << 0u << true << true << "writable by everyone";
    QTest::addRow("write without search") << "write-without-search" << true << false << false << "wns" << other << 0u << false << false << "only by root";
    QTest::addRow("dotdot through writable") << "dotdot-through-writable" << true << false << false << "" << 0 << 0u << false << false << "only by root";
    QTest::addRow("non-root owner, no write bit") << "owner-not-root" << true << true << true << "lib" << user << uint(kNobody) << true << true << "user nobody";
}

void TestWritability::trees()
{
    QFETCH(QString, scenario);
    QFETCH(bool, needsRoot);
    QFETCH(bool, writable);
    QFETCH(bool, creatable);
    QFETCH(QString, writerAt);
    QFETCH(int, writerKind);
    QFETCH(uint, writerId);
    QFETCH(bool, canCreate);
    QFETCH(bool, canReplace);
    QFETCH(QString, summaryPart);
    if (needsRoot && !runningAsRoot())
        QSKIP("needs root: chown to other users, and a tree not owned by the test user");

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QCOMPARE(::chmod(QFile::encodeName(tmp.path()).constData(), 0755), 0);
    TreeBuilder tree(tmp.path());
    std::string target;
    const std::string built = buildScenario(scenario, tree, target);
    if (built == "unsupported")
        QSKIP("the filesystem of the temporary directory has no POSIX ACLs");
    QVERIFY2(built.empty(), built.c_str());

    const WritabilityReport r = checkWritable(target);
    const QString info = dump(r);
    QVERIFY2(r.errors.empty(), qPrintable(info));
    QVERIFY2(r.exists, qPrintable(info));
    QCOMPARE(r.writableByNonRoot, writable);
    QCOMPARE(r.creatableByNonRoot, creatable);
    if (!writerAt.isEmpty()) {
        const std::string component = tree.path(writerAt.toUtf8().constData());
        const Writer *w = findWriter(r, component, PrincipalKind(writerKind), writerId);
        QVERIFY2(w, qPrintable(QStringLiteral("expected writer missing:\n") + info));
        QCOMPARE(w->canCreate, canCreate);
        QCOMPARE(w->canReplace, canReplace);
    } else {
        // Nothing below the temporary directory may name a writer.
        for (const auto &w : r.writers)
            QVERIFY2(w.component.rfind(tmp.path().toStdString(), 0) != 0, qPrintable(info));
    }
    QVERIFY2(QString::fromStdString(describeWritability(r)).contains(summaryPart), qPrintable(info));
}

void TestWritability::systemLibcHasNoWriters_data()
{
    QTest::addColumn<QString>("path");
    QTest::addRow("usr/lib") << "/usr/lib/x86_64-linux-gnu/libc.so.6";
    QTest::addRow("through /lib symlink") << "/lib/x86_64-linux-gnu/libc.so.6";
    QTest::addRow("/usr itself") << "/usr";
}

void TestWritability::systemLibcHasNoWriters()
{
    QFETCH(QString, path);
    if (!QFileInfo::exists(path))
        QSKIP("not a Debian x86-64 multiarch system");
    const WritabilityReport r = checkWritable(path.toStdString());
    const QString info = dump(r);
    QVERIFY2(r.errors.empty(), qPrintable(info));
    QVERIFY2(r.writers.empty(), qPrintable(info));
    QVERIFY(!r.writableByNonRoot);
    QVERIFY(!r.creatableByNonRoot);
    QCOMPARE(describeWritability(r), path.toStdString() + " is writable only by root");
}

void TestWritability::tmpIsWritableByEveryoneButSticky()
{
    const QFileInfo tmpInfo(QStringLiteral("/tmp"));
    if (!tmpInfo.isDir() || tmpInfo.isSymLink())
        QSKIP("/tmp is not a plain directory here");
    const WritabilityReport r = checkWritable("/tmp");
    const QString info = dump(r);
    QVERIFY2(r.errors.empty(), qPrintable(info));
    const Writer *everyone = findWriter(r, "/tmp", PrincipalKind::Other, 0);
    QVERIFY2(everyone, qPrintable(info));
    QVERIFY(everyone->sticky);
    QVERIFY(everyone->canCreate);
    QVERIFY(!everyone->canReplace);
    QVERIFY(r.writableByNonRoot);
    QVERIFY(r.creatableByNonRoot);
    QCOMPARE(describeWritability(r),
             std::string("/tmp is writable by everyone (sticky: others may add files but not replace ones they do not own)"));
}

void TestWritability::symlinkTargetChainIsRecorded()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.dir("real", 0755).empty());
    QVERIFY(t.file("real/libx.so", 0644).empty());
    QVERIFY(t.dir("links", 0755).empty());
    QVERIFY(t.symlink("links/libx.so", "../real/libx.so").empty());
    const WritabilityReport r = checkWritable(t.path("links/libx.so"));
    QVERIFY2(r.errors.empty(), qPrintable(dump(r)));
    QCOMPARE(r.resolvedPath, t.path("real/libx.so"));
    bool sawLink = false;
    bool sawTarget = false;
    for (const auto &c : r.components) {
        if (c.path == t.path("links/libx.so")) {
            sawLink = c.isSymlink;
            QCOMPARE(c.linkTarget, std::string("../real/libx.so"));
        }
        sawTarget = sawTarget || (c.path == t.path("real/libx.so") && !c.isSymlink);
    }
    QVERIFY(sawLink);
    QVERIFY(sawTarget);
}

void TestWritability::finalSymlinkNotFollowedWhenAsked()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.dir("ww", 0777).empty());
    QVERIFY(t.file("ww/libx.so", 0644).empty());
    QVERIFY(t.dir("lib", 0755).empty());
    QVERIFY(t.symlink("lib/libx.so", t.path("ww/libx.so")).empty());
    CheckOptions noFollow;
    noFollow.followFinalSymlink = false;
    const WritabilityReport r = checkWritable(t.path("lib/libx.so"), noFollow);
    QVERIFY2(r.errors.empty(), qPrintable(dump(r)));
    QCOMPARE(r.resolvedPath, t.path("lib/libx.so"));
    QVERIFY(!findWriter(r, t.path("ww"), PrincipalKind::Other, 0));
    const WritabilityReport followed = checkWritable(t.path("lib/libx.so"));
    QVERIFY(findWriter(followed, t.path("ww"), PrincipalKind::Other, 0));
    QVERIFY(followed.writableByNonRoot);
}

void TestWritability::symlinkLoopIsAnError()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.symlink("a", "b").empty());
    QVERIFY(t.symlink("b", "a").empty());
    const WritabilityReport r = checkWritable(t.path("a"));
    QVERIFY(!r.complete());
    QVERIFY2(QString::fromStdString(r.errors.front()).contains(QStringLiteral("too many levels of symbolic links")),
             r.errors.front().c_str());
}

void TestWritability::unreadablePathsAreErrorsNotClean_data()
{
    QTest::addColumn<QString>("relative");  // below the temp dir; "ABS:" prefix for an absolute path
    QTest::addColumn<QString>("cause");
    QTest::addRow("missing dir") << "nodir/libx.so" << "no such file or directory";
    QTest::addRow("file used as dir") << "lib/libx.so/more" << "not a directory";
    QTest::addRow("missing file") << "lib/none.so" << "no such file or directory";
    QTest::addRow("relative path") << "ABS:relative/libx.so" << "not an absolute path";
    QTest::addRow("outside any tree") << "ABS:/nonexistent-loadlens/libx.so" << "no such file or directory";
}

void TestWritability::unreadablePathsAreErrorsNotClean()
{
    QFETCH(QString, relative);
    QFETCH(QString, cause);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.dir("lib", 0755).empty());
    QVERIFY(t.file("lib/libx.so", 0644).empty());
    const std::string path = relative.startsWith(QLatin1String("ABS:")) ? relative.mid(4).toStdString()
                                                                       : t.path(relative.toUtf8().constData());
    const WritabilityReport r = checkWritable(path);
    QVERIFY(!r.complete());
    const QString error = QString::fromStdString(r.errors.front());
    QVERIFY2(error.startsWith(QStringLiteral("cannot check ")), qPrintable(error));
    QVERIFY2(error.contains(cause), qPrintable(error));
    const QString summary = QString::fromStdString(describeWritability(r));
    QVERIFY2(!summary.contains(QStringLiteral("only by root")), qPrintable(summary));
    // It may still name writers (of the existing part), but it must say the check is incomplete.
    QVERIFY2(summary.contains(QStringLiteral("could not be")) || summary.contains(QStringLiteral("not fully checked")) ||
                 summary.contains(QStringLiteral("does not exist")),
             qPrintable(summary));
}

void TestWritability::missingFileInWritableDirCanBePlanted_data()
{
    QTest::addColumn<QString>("relative");
    QTest::addColumn<QString>("firstMissing");
    QTest::addRow("missing file") << "ww/libmissing.so" << "ww/libmissing.so";
    QTest::addRow("missing directories on the way") << "ww/missing/lib/libx.so" << "ww/missing";
}

void TestWritability::missingFileInWritableDirCanBePlanted()
{
    QFETCH(QString, relative);
    QFETCH(QString, firstMissing);
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.dir("ww", 0777).empty());
    const WritabilityReport r = checkWritable(t.path(relative.toUtf8().constData()));
    QVERIFY(!r.exists);
    QVERIFY(!r.complete());
    QVERIFY(r.creatableByNonRoot);
    const Writer *w = findWriter(r, t.path("ww"), PrincipalKind::Other, 0);
    QVERIFY2(w, qPrintable(dump(r)));
    QVERIFY(w->canCreate);
    QVERIFY(!w->canReplace);
    QCOMPARE(w->affects, t.path(firstMissing.toUtf8().constData()));
    // Not as root, the test user owns the temporary directory and can replace ww itself, which the
    // summary then leads with; the exact wording is checked where the tree is root's.
    if (runningAsRoot())
        QCOMPARE(describeWritability(r), t.path(relative.toUtf8().constData()) + " does not exist, and everyone could create " +
                                             t.path(firstMissing.toUtf8().constData()) + " in " + t.path("ww"));
}

void TestWritability::componentsCarryOwnerNames()
{
    if (!runningAsRoot())
        QSKIP("needs root to chown to nobody");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.dir("lib", 0755).empty());
    QVERIFY(t.file("lib/libx.so", 0644).empty());
    QVERIFY(t.chown("lib/libx.so", kNobody, kUsersGroup).empty());
    const WritabilityReport r = checkWritable(t.path("lib/libx.so"));
    QVERIFY(!r.components.empty());
    QCOMPARE(r.components.front().path, std::string("/"));
    QCOMPARE(r.components.front().ownerName, std::string("root"));
    const PathComponent &last = r.components.back();
    QCOMPARE(last.uid, uint(kNobody));
    QCOMPARE(last.gid, uint(kUsersGroup));
    QCOMPARE(last.mode & 07777u, 0644u);
    QVERIFY(!last.isDirectory);
    if (::getpwuid(kNobody))
        QCOMPARE(last.ownerName, std::string(::getpwuid(kNobody)->pw_name));
    else
        QCOMPARE(last.ownerName, std::to_string(kNobody));
}

namespace {

void writeText(const QString &path, const QByteArray &text)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

// A directory writable by group 0 (mode 0775, root:root) with a library in it.
std::string rootGroupTree(QTemporaryDir &tmp)
{
    if (::chmod(QFile::encodeName(tmp.path()).constData(), 0755) != 0)
        return "chmod failed";
    TreeBuilder tree(tmp.path());
    std::string target;
    const std::string built = buildScenario(QStringLiteral("root-group-writable"), tree, target);
    return built.empty() ? target : "!" + built;
}

} // namespace

// Group 0 counts as a writer as soon as someone other than root is in it: listed in its
// /etc/group entry or with gid 0 as the primary group in /etc/passwd. The account files are
// scratch files here (what a scanned root would hold).
void TestWritability::rootGroupMembersWrite_data()
{
    QTest::addColumn<QByteArray>("group");
    QTest::addColumn<QByteArray>("passwd");
    QTest::addColumn<QStringList>("members");
    QTest::addColumn<QString>("summaryPart");
    const QByteArray rootPasswd = "root:x:0:0:root:/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/sh\n";
    QTest::addRow("root alone") << QByteArray("root:x:0:\nusers:x:100:alice\n") << rootPasswd << QStringList{}
                                << u"root group, which has no members besides root"_qs;
    QTest::addRow("listed member") << QByteArray("root:x:0:alice\n") << rootPasswd << QStringList{u"alice"_qs}
                                   << u"group root (0) with members alice"_qs;
    QTest::addRow("primary group 0") << QByteArray("root:x:0:\n")
                                     << rootPasswd + "bob:x:1001:0::/home/bob:/bin/sh\n" << QStringList{u"bob"_qs}
                                     << u"with members bob"_qs;
    QTest::addRow("another name for uid 0") << QByteArray("root:x:0:toor\n")
                                            << rootPasswd + "toor:x:0:0::/root:/bin/sh\n" << QStringList{}
                                            << u"no members besides root"_qs;
    QTest::addRow("listed and primary, sorted, once")
        << QByteArray("# comment\nroot:x:0:carol,alice,alice\nwheel:x:10:dave\n")
        << rootPasswd + "bob:x:1001:0::/home/bob:/bin/sh\n" << QStringList{u"alice"_qs, u"bob"_qs, u"carol"_qs}
        << u"with members alice, bob, carol"_qs;
}

void TestWritability::rootGroupMembersWrite()
{
    QFETCH(QByteArray, group);
    QFETCH(QByteArray, passwd);
    QFETCH(QStringList, members);
    QFETCH(QString, summaryPart);
    if (!runningAsRoot())
        QSKIP("needs root: a directory of group 0");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string target = rootGroupTree(tmp);
    QVERIFY2(target.front() == '/', target.c_str());
    QTemporaryDir etc;
    QVERIFY(etc.isValid());
    writeText(etc.filePath(QStringLiteral("group")), group);
    writeText(etc.filePath(QStringLiteral("passwd")), passwd);
    CheckOptions options;
    options.groupFile = etc.filePath(QStringLiteral("group")).toStdString();
    options.passwdFile = etc.filePath(QStringLiteral("passwd")).toStdString();

    const WritabilityReport r = checkWritable(target, options);
    const QString info = dump(r);
    QVERIFY2(r.errors.empty(), qPrintable(info));
    QCOMPARE(r.writableByNonRoot, !members.isEmpty());
    QCOMPARE(r.creatableByNonRoot, !members.isEmpty());
    const Writer *w = findWriter(r, parentPath(target), PrincipalKind::Group, 0);
    QVERIFY2(w, qPrintable(info));
    QStringList actual;
    for (const auto &m : w->members)
        actual << QString::fromStdString(m);
    QCOMPARE(actual, members);
    QCOMPARE(w->rootGroup, members.isEmpty());
    QVERIFY2(QString::fromStdString(w->note).contains(members.isEmpty() ? summaryPart : u"root group with members"_qs),
             qPrintable(info));
    QVERIFY2(QString::fromStdString(describeWritability(r)).contains(summaryPart), qPrintable(info));
}

// The host's own /etc/group and /etc/passwd by default: the members named are those.
void TestWritability::rootGroupFromRealAccountFiles()
{
    if (!runningAsRoot())
        QSKIP("needs root: a directory of group 0");
    QSet<QString> rootNames{u"root"_qs};
    QSet<QString> expected;
    QFile passwd(QStringLiteral("/etc/passwd"));
    QVERIFY(passwd.open(QIODevice::ReadOnly));
    const QList<QByteArray> passwdLines = passwd.readAll().split('\n');
    for (const QByteArray &line : passwdLines) {
        const QList<QByteArray> f = line.split(':');
        if (f.size() >= 4 && f[2] == "0")
            rootNames.insert(QString::fromUtf8(f[0]));
        else if (f.size() >= 4 && f[3] == "0" && !line.startsWith('#'))
            expected.insert(QString::fromUtf8(f[0]));
    }
    QFile group(QStringLiteral("/etc/group"));
    QVERIFY(group.open(QIODevice::ReadOnly));
    const QList<QByteArray> groupLines = group.readAll().split('\n');
    for (const QByteArray &line : groupLines) {
        const QList<QByteArray> f = line.split(':');
        if (f.size() >= 4 && f[2] == "0" && !line.startsWith('#'))
            for (const QByteArray &m : f[3].split(','))
                if (!m.isEmpty())
                    expected.insert(QString::fromUtf8(m));
    }
    expected.subtract(rootNames);

    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string target = rootGroupTree(tmp);
    QVERIFY2(target.front() == '/', target.c_str());
    const WritabilityReport r = checkWritable(target);
    const QString info = dump(r);
    const Writer *w = findWriter(r, parentPath(target), PrincipalKind::Group, 0);
    QVERIFY2(w, qPrintable(info));
    QSet<QString> actual;
    for (const auto &m : w->members)
        actual.insert(QString::fromStdString(m));
    QCOMPARE(actual, expected);
    QCOMPARE(r.writableByNonRoot, !expected.isEmpty());
}

// A scanned root without /etc/group or /etc/passwd names nobody in the root group: that is no
// error, and the root group stays root's.
void TestWritability::rootGroupWithoutAccountFiles()
{
    if (!runningAsRoot())
        QSKIP("needs root: a directory of group 0");
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const std::string target = rootGroupTree(tmp);
    QVERIFY2(target.front() == '/', target.c_str());
    CheckOptions options;
    options.groupFile = tmp.filePath(QStringLiteral("no-etc/group")).toStdString();
    options.passwdFile = tmp.filePath(QStringLiteral("no-etc/passwd")).toStdString();
    const WritabilityReport r = checkWritable(target, options);
    const QString info = dump(r);
    QVERIFY2(r.errors.empty(), qPrintable(info));
    QVERIFY(!r.writableByNonRoot);
    const Writer *w = findWriter(r, parentPath(target), PrincipalKind::Group, 0);
    QVERIFY2(w && w->rootGroup && w->members.empty(), qPrintable(info));
}

// A scanned root decides what its /etc/group is: a symbolic link there (to a file of the
// analyst's host, or anywhere) is not followed, and the answer says the list may be incomplete.
void TestWritability::rootGroupFileBehindASymlinkIsNotFollowed()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    const QString real = tmp.filePath(QStringLiteral("elsewhere-group"));
    {
        QFile f(real);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("root:x:0:alice\n");
    }
    const QString link = tmp.filePath(QStringLiteral("group"));
    QVERIFY(QFile::link(real, link));
    const auto viaLink = loadlens::pathsec::readRootGroupMembers(link.toStdString(), tmp.filePath(QStringLiteral("passwd")).toStdString());
    QVERIFY2(viaLink.names.empty(), viaLink.names.empty() ? "" : viaLink.names.front().c_str());
    QVERIFY2(viaLink.error.find("symbolic link") != std::string::npos, viaLink.error.c_str());
    // The same content in a regular file is read.
    const auto direct = loadlens::pathsec::readRootGroupMembers(real.toStdString(), tmp.filePath(QStringLiteral("passwd")).toStdString());
    QCOMPARE(direct.names, std::vector<std::string>{"alice"});
    QVERIFY2(direct.error.empty(), direct.error.c_str());
}

QTEST_GUILESS_MAIN(TestWritability)
#include "tst_writability.moc"
