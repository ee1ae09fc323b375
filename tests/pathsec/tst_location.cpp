// Location classes (temp, home, system/local library dirs, writable trees), path normalisation
// and statFile, against a passwd written into a temporary root and real files.
#include "pathsec/file_facts.h"
#include "pathsec/location.h"
#include "pathsec/path_names.h"
#include "tree_builder.h"

#include <QTemporaryDir>
#include <QtTest>
#include <fcntl.h>
#include <sys/stat.h>

using namespace loadlens::pathsec;
using loadlens::testing::TreeBuilder;
using loadlens::testing::runningAsRoot;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
}

QString joined(const std::vector<std::string> &names)
{
    QStringList out;
    for (const auto &n : names)
        out << QString::fromStdString(n);
    return out.join(QLatin1Char(','));
}

} // namespace

class TestLocation : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void classify_data();
    void classify();
    void homesComeFromPasswdUnderRoot();
    void missingPasswdStillKnowsHomePrefixes();
    void systemLibraryDirs_data();
    void systemLibraryDirs();
    void normalise_data();
    void normalise();
    void writableTreesNeedTheFilesystem();
    void resolvesSymlinksOnlyWhenAsked();
    void statFileFillsFacts();
    void statFileSaysSymlink();
    void statFileMissingIsAnError();

private:
    QTemporaryDir m_root;
    LocationContext m_context;
};

void TestLocation::initTestCase()
{
    QVERIFY(m_root.isValid());
    QVERIFY(QDir(m_root.path()).mkpath(QStringLiteral("etc")));
    QVERIFY(writeFile(m_root.filePath(QStringLiteral("etc/passwd")),
                      "root:x:0:0:root:/root:/bin/bash\n"
                      "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
                      "svc:x:999:999:service:/var/lib/svc:/usr/sbin/nologin\n"
                      "alice:x:1000:1000:Alice:/srv/alice:/bin/bash\n"
                      "carol:x:1001:1001:Carol:/srv/alice/carol:/bin/bash\n"
                      "broken line without fields\n"
                      "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"));
    m_context = LocationContext::forRoot(m_root.path().toStdString());
}

void TestLocation::classify_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QString>("flags");  // comma-separated flag names in bit order
    QTest::addColumn<QString>("detail"); // tempRoot, homeOwner or libraryDir, whichever applies
    QTest::addRow("tmp file") << "/tmp/x.so" << "temp-dir" << "/tmp";
    QTest::addRow("tmp itself") << "/tmp" << "temp-dir" << "/tmp";
    QTest::addRow("tmp prefix only") << "/tmpfoo/x.so" << "" << "";
    QTest::addRow("tmp, doubled slashes and dots") << "//tmp/./x.so" << "temp-dir" << "/tmp";
    QTest::addRow("var tmp") << "/var/tmp/a/b.so" << "temp-dir" << "/var/tmp";
    QTest::addRow("dev shm") << "/dev/shm/x" << "temp-dir" << "/dev/shm";
    QTest::addRow("run shm") << "/run/shm/x" << "temp-dir" << "/run/shm";
    QTest::addRow("run user") << "/run/user/1000/x.so" << "temp-dir" << "/run/user/1000";
    QTest::addRow("run user, not a uid") << "/run/user/abc/x.so" << "" << "";
    QTest::addRow("home from passwd") << "/srv/alice/.cache/x.so" << "home-dir" << "alice";
    QTest::addRow("nested home, longest wins") << "/srv/alice/carol/x.so" << "home-dir" << "carol";
    QTest::addRow("/home prefix") << "/home/bob/x.so" << "home-dir" << "bob";
    QTest::addRow("/root") << "/root/x.so" << "home-dir" << "root";
    QTest::addRow("service home is not a home") << "/var/lib/svc/x.so" << "" << "";
    QTest::addRow("bin's home is not a home") << "/bin/ls" << "" << "";
    QTest::addRow("multiarch libc") << "/usr/lib/x86_64-linux-gnu/libc.so.6" << "system-library-dir,system-library-tree"
                                    << "/usr/lib/x86_64-linux-gnu";
    QTest::addRow("/lib") << "/lib/libfoo.so" << "system-library-dir,system-library-tree" << "/lib";
    QTest::addRow("/usr/lib64") << "/usr/lib64/libfoo.so" << "system-library-dir,system-library-tree" << "/usr/lib64";
    QTest::addRow("glibc-hwcaps") << "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libc.so.6"
                                  << "system-library-dir,system-library-tree"
                                  << "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3";
    QTest::addRow("plugin below multiarch") << "/usr/lib/x86_64-linux-gnu/qt6/plugins/x.so" << "system-library-tree" << "/usr/lib";
    QTest::addRow("usr local lib") << "/usr/local/lib/libfoo.so" << "local-library-dir" << "/usr/local/lib";
    QTest::addRow("lookalike") << "/usr/libfoo/x.so" << "" << "";
    QTest::addRow("relative") << "lib/x.so" << "relative" << "";
}

void TestLocation::classify()
{
    QFETCH(QString, path);
    QFETCH(QString, flags);
    QFETCH(QString, detail);
    const LocationClass c = classifyLocation(path.toStdString(), m_context);
    QCOMPARE(joined(c.flagNames()), flags);
    QVERIFY2(c.errors.empty(), c.errors.empty() ? "" : c.errors.front().c_str());
    QString actual;
    if (c.has(LocationFlag::TempDir))
        actual = QString::fromStdString(c.tempRoot);
    else if (c.has(LocationFlag::HomeDir))
        actual = QString::fromStdString(c.homeOwner);
    else
        actual = QString::fromStdString(c.libraryDir);
    QCOMPARE(actual, detail);
}

void TestLocation::homesComeFromPasswdUnderRoot()
{
    const auto homes = readHomeDirectories(m_root.path().toStdString());
    QStringList users;
    for (const auto &h : homes)
        users << QString::fromStdString(h.user);
    QCOMPARE(users, (QStringList{QStringLiteral("root"), QStringLiteral("alice"), QStringLiteral("carol")}));
    // Without a pre-loaded context the same passwd is read on each call.
    LocationContext perCall;
    perCall.rootDir = m_root.path().toStdString();
    QCOMPARE(classifyLocation("/srv/alice/x.so", perCall).homeOwner, std::string("alice"));
}

void TestLocation::missingPasswdStillKnowsHomePrefixes()
{
    QTemporaryDir empty;
    QVERIFY(empty.isValid());
    LocationContext context;
    context.rootDir = empty.path().toStdString();
    const LocationClass alice = classifyLocation("/srv/alice/x.so", context);
    QVERIFY(!alice.has(LocationFlag::HomeDir));
    QVERIFY(alice.errors.empty());  // an absent passwd is not an error
    QVERIFY(classifyLocation("/home/bob/x.so", context).has(LocationFlag::HomeDir));
}

void TestLocation::systemLibraryDirs_data()
{
    QTest::addColumn<QString>("dir");
    QTest::addColumn<bool>("system");
    QTest::addRow("/lib") << "/lib" << true;
    QTest::addRow("/usr/lib/") << "/usr/lib/" << true;
    QTest::addRow("/usr//lib") << "/usr//lib" << true;
    QTest::addRow("/lib64") << "/lib64" << true;
    QTest::addRow("multiarch") << "/usr/lib/x86_64-linux-gnu" << true;
    QTest::addRow("armhf") << "/lib/arm-linux-gnueabihf" << true;
    QTest::addRow("hwcaps") << "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v2" << true;
    QTest::addRow("usr local lib") << "/usr/local/lib" << false;
    QTest::addRow("plugin dir") << "/usr/lib/x86_64-linux-gnu/qt6" << false;
    QTest::addRow("python") << "/usr/lib/python3" << false;
    QTest::addRow("libexec") << "/usr/libexec" << false;
    QTest::addRow("opt") << "/opt/lib" << false;
    QTest::addRow("relative") << "usr/lib" << false;
}

void TestLocation::systemLibraryDirs()
{
    QFETCH(QString, dir);
    QFETCH(bool, system);
    QCOMPARE(isSystemLibraryDir(dir.toStdString()), system);
}

void TestLocation::normalise_data()
{
    QTest::addColumn<QString>("in");
    QTest::addColumn<QString>("out");
    QTest::addRow("double slashes") << "//usr//lib/" << "/usr/lib";
    QTest::addRow("dot components") << "/./tmp/./x" << "/tmp/x";
    QTest::addRow("root") << "/" << "/";
    QTest::addRow("relative") << "./a//b" << "a/b";
    QTest::addRow("dotdot kept") << "/a/../b" << "/a/../b";
    QTest::addRow("empty") << "" << "";
}

void TestLocation::normalise()
{
    QFETCH(QString, in);
    QFETCH(QString, out);
    QCOMPARE(QString::fromStdString(normalizePath(in.toStdString())), out);
}

void TestLocation::writableTreesNeedTheFilesystem()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QCOMPARE(::chmod(QFile::encodeName(tmp.path()).constData(), 0755), 0);
    TreeBuilder t(tmp.path());
    QVERIFY(t.dir("ww", 0777).empty());
    QVERIFY(t.file("ww/libx.so", 0644).empty());
    QVERIFY(t.dir("lib", 0755).empty());
    QVERIFY(t.file("lib/libx.so", 0644).empty());

    LocationContext lexical;
    QVERIFY(!classifyLocation(t.path("ww/libx.so"), lexical).has(LocationFlag::WorldWritableTree));

    LocationContext onDisk;
    onDisk.checkFilesystem = true;
    const LocationClass dirty = classifyLocation(t.path("ww/libx.so"), onDisk);
    QVERIFY(dirty.has(LocationFlag::WorldWritableTree));
    QVERIFY(dirty.has(LocationFlag::NonRootWritable));
    if (runningAsRoot())
        QVERIFY(!classifyLocation(t.path("lib/libx.so"), onDisk).has(LocationFlag::NonRootWritable));
    const LocationClass missing = classifyLocation(t.path("lib/none.so"), onDisk);
    QVERIFY(!missing.errors.empty());
}

void TestLocation::resolvesSymlinksOnlyWhenAsked()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.dir("real", 0755).empty());
    QVERIFY(t.file("real/libx.so", 0644).empty());
    QVERIFY(t.symlink("link", "real").empty());
    LocationContext context;
    QCOMPARE(classifyLocation(t.path("link/libx.so"), context).path, t.path("link/libx.so"));
    context.resolveSymlinks = true;
    char real[PATH_MAX];
    QVERIFY(::realpath(t.path("real/libx.so").c_str(), real));
    QCOMPARE(classifyLocation(t.path("link/libx.so"), context).path, std::string(real));
    const LocationClass broken = classifyLocation(t.path("link/none.so"), context);
    QVERIFY(!broken.errors.empty());
}

void TestLocation::statFileFillsFacts()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.file("libx.so", 0640).empty());
    const std::string path = t.path("libx.so");
    const timespec times[2] = {{1700000000, 123456789}, {1700000000, 987654321}};
    QCOMPARE(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    if (runningAsRoot())
        QVERIFY(t.chown("libx.so", 65534, 100).empty());
    struct stat st {};
    QCOMPARE(::lstat(path.c_str(), &st), 0);

    const loadlens::FileFacts f = statFile(path);
    QVERIFY2(f.errors.empty(), f.errors.empty() ? "" : f.errors.front().c_str());
    QCOMPARE(f.path, path);
    QCOMPARE(f.size, std::uint64_t(st.st_size));
    QVERIFY(f.size > 0);
    QCOMPARE(f.key.inode, std::uint64_t(st.st_ino));
    QCOMPARE(f.key.dev, std::uint64_t(st.st_dev));
    QCOMPARE(f.mtimeNs, std::int64_t(1700000000) * 1000000000 + 987654321);
    QVERIFY(f.ctimeNs > 0);
    QCOMPARE(f.mode, std::uint32_t(S_IFREG | 0640));
    QCOMPARE(f.uid, std::uint32_t(st.st_uid));
    QCOMPARE(f.gid, std::uint32_t(st.st_gid));
    QVERIFY(!f.ownerName.empty());
    QVERIFY(!f.groupName.empty());
    if (runningAsRoot()) {
        QCOMPARE(f.uid, 65534u);
        QCOMPARE(f.groupName, std::string("users"));
    }
    QVERIFY(!isSymlink(f));
}

void TestLocation::statFileSaysSymlink()
{
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    TreeBuilder t(tmp.path());
    QVERIFY(t.file("libx.so.1", 0644).empty());
    QVERIFY(t.symlink("libx.so", "libx.so.1").empty());
    const loadlens::FileFacts f = statFile(t.path("libx.so"));
    QVERIFY(isSymlink(f));
    QCOMPARE(f.size, std::uint64_t(9));  // lstat: the length of "libx.so.1"
    QCOMPARE(f.errors.size(), std::size_t(1));
    QVERIFY2(QString::fromStdString(f.errors.front()).contains(QStringLiteral("symbolic link to libx.so.1")),
             f.errors.front().c_str());
}

void TestLocation::statFileMissingIsAnError()
{
    const loadlens::FileFacts f = statFile("/nonexistent-loadlens/libx.so");
    QCOMPARE(f.errors.size(), std::size_t(1));
    QCOMPARE(f.errors.front(), std::string("cannot stat /nonexistent-loadlens/libx.so: no such file or directory"));
    QCOMPARE(f.mode, 0u);
}

QTEST_GUILESS_MAIN(TestLocation)
#include "tst_location.moc"
