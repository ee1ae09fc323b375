// DpkgIndex against a real dpkg-format admin dir written into a QTemporaryDir, and against the
// machine's own /var/lib/dpkg.
#include "pkg/dpkg_index.h"
#include "pkg/hash.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlens;
using namespace loadlens::pkg;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

QByteArray md5Hex(const QByteArray &data)
{
    return QCryptographicHash::hash(data, QCryptographicHash::Md5).toHex();
}

const QByteArray kDivertedMd5 = "cccccccccccccccccccccccccccccccc";
const QByteArray kDivertingMd5 = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

} // namespace

class TestDpkgIndex : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_admin;
    QString m_root;  // real files the fake packages "ship"
    QByteArray m_fooContent = "foo binary\n";

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_admin = m_dir.filePath(QStringLiteral("admin"));
        m_root = m_dir.filePath(QStringLiteral("root"));
        QVERIFY(QDir().mkpath(m_admin + QStringLiteral("/info")));
        QVERIFY(QDir().mkpath(m_root + QStringLiteral("/bin")));
        QVERIFY(QDir().mkpath(m_root + QStringLiteral("/share")));
        QVERIFY(writeFile(m_root + QStringLiteral("/bin/foo"), m_fooContent));
        QVERIFY(writeFile(m_root + QStringLiteral("/bin/foo-helper"), "helper as installed\n"));
        QVERIFY(writeFile(m_root + QStringLiteral("/share/nomd5"), "data\n"));

        const QByteArray root = m_root.toUtf8();
        const QByteArray rel = root.mid(1);  // md5sums paths have no leading '/'
        QVERIFY(writeFile(m_admin + QStringLiteral("/info/foo.list"),
                          "/.\n/usr\n/usr/bin\n" + root + "/bin/foo\n" + root + "/bin/foo-helper\n" + root
                              + "/share/nomd5\n/usr/bin/pg_config\n"));
        QVERIFY(writeFile(m_admin + QStringLiteral("/info/foo.md5sums"),
                          md5Hex(m_fooContent) + "  " + rel + "/bin/foo\n"
                              + md5Hex("helper as shipped\n") + "  " + rel + "/bin/foo-helper\n"
                              + "d41d8cd98f00b204e9800998ecf8427e usr/bin/ghost\n"  // one space: corrupt
                              + "zz41d8cd98f00b204e9800998ecf8427e  usr/bin/ghost\n"  // not hex
                              + kDivertingMd5 + "  usr/bin/pg_config\n"
                              + "d41d8cd98f00b204  usr/bin/short\n"));  // truncated digest
        QVERIFY(writeFile(m_admin + QStringLiteral("/info/libbar:amd64.list"),
                          "/.\n/lib\n/lib/x86_64-linux-gnu\n/lib/x86_64-linux-gnu/libbar.so.1\n"
                          "/usr/share/doc/libbar/copyright\n/usr/bin/pg_config\n/usr/share/local-thing\n"));
        QVERIFY(writeFile(m_admin + QStringLiteral("/info/libbar:amd64.md5sums"),
                          "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb  lib/x86_64-linux-gnu/libbar.so.1\n" + kDivertedMd5
                              + "  usr/bin/pg_config\n"
                                "dddddddddddddddddddddddddddddddd  usr/share/local-thing\n"));
        // Multi-Arch: same file shared with the i386 instance, whose manifest carries the digest.
        QVERIFY(writeFile(m_admin + QStringLiteral("/info/libbar:i386.list"), "/usr/share/doc/libbar/copyright\n"));
        QVERIFY(writeFile(m_admin + QStringLiteral("/info/libbar:i386.md5sums"),
                          "eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee  usr/share/doc/libbar/copyright\n"));
        QVERIFY(writeFile(m_admin + QStringLiteral("/diversions"),
                          "/usr/bin/pg_config\n/usr/bin/pg_config.libbar\nfoo\n"
                          "/usr/share/local-thing\n/usr/share/local-thing.distrib\n:\n"));
    }

    void lookups_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("merged");
        QTest::addColumn<QString>("package");   // empty: not owned
        QTest::addColumn<QString>("dpkgPath");
        QTest::addColumn<QString>("md5");       // empty: no digest in the manifest
        const QString foo = m_root + QStringLiteral("/bin/foo");
        const QString nomd5 = m_root + QStringLiteral("/share/nomd5");
        const QString lib = QStringLiteral("/lib/x86_64-linux-gnu/libbar.so.1");
        const QString usrLib = QStringLiteral("/usr/lib/x86_64-linux-gnu/libbar.so.1");
        const QString bbb = QStringLiteral("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb");
        QTest::addRow("listed file") << foo << true << QStringLiteral("foo") << foo << QString::fromLatin1(md5Hex(m_fooContent));
        QTest::addRow("listed without md5") << nomd5 << true << QStringLiteral("foo") << nomd5 << QString();
        QTest::addRow("multiarch name") << lib << true << QStringLiteral("libbar:amd64") << lib << bbb;
        QTest::addRow("usrmerge alias") << usrLib << true << QStringLiteral("libbar:amd64") << lib << bbb;
        QTest::addRow("no alias on split host") << usrLib << false << QString() << QString() << QString();
        QTest::addRow("diverted-to holds other package's copy")
            << QStringLiteral("/usr/bin/pg_config.libbar") << true << QStringLiteral("libbar:amd64") << QStringLiteral("/usr/bin/pg_config") << QString::fromLatin1(kDivertedMd5);
        QTest::addRow("original name belongs to diverting package")
            << QStringLiteral("/usr/bin/pg_config") << true << QStringLiteral("foo") << QStringLiteral("/usr/bin/pg_config") << QString::fromLatin1(kDivertingMd5);
        QTest::addRow("local diversion: original is the admin's") << QStringLiteral("/usr/share/local-thing") << true << QString()
                                                                  << QString() << QString();
        QTest::addRow("local diversion: target keeps package copy")
            << QStringLiteral("/usr/share/local-thing.distrib") << true << QStringLiteral("libbar:amd64") << QStringLiteral("/usr/share/local-thing")
            << QStringLiteral("dddddddddddddddddddddddddddddddd");
        QTest::addRow("shared file prefers owner with digest")
            << QStringLiteral("/usr/share/doc/libbar/copyright") << true << QStringLiteral("libbar:i386") << QStringLiteral("/usr/share/doc/libbar/copyright")
            << QStringLiteral("eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee");
        QTest::addRow("corrupt md5sums line never matches") << QStringLiteral("/usr/bin/ghost") << true << QString() << QString() << QString();
        QTest::addRow("truncated digest never matches") << QStringLiteral("/usr/bin/short") << true << QString() << QString() << QString();
        QTest::addRow("unlisted") << QStringLiteral("/usr/bin/nothing") << true << QString() << QString() << QString();
    }
    void lookups()
    {
        QFETCH(QString, path);
        QFETCH(bool, merged);
        QFETCH(QString, package);
        QFETCH(QString, dpkgPath);
        QFETCH(QString, md5);
        DpkgIndexOptions options;
        options.usrMerge = merged ? DpkgIndexOptions::UsrMerge::Merged : DpkgIndexOptions::UsrMerge::Split;
        auto index = DpkgIndex::build(m_admin.toStdString(), options);
        QVERIFY2(index.ok(), index.ok() ? "" : index.error().message.c_str());
        QVERIFY(index->available());
        auto owned = index->lookup(path.toStdString());
        if (package.isEmpty()) {
            QVERIFY2(!owned, owned ? owned->package.c_str() : "");
            return;
        }
        QVERIFY(owned);
        QCOMPARE(QString::fromStdString(owned->package), package);
        QCOMPARE(QString::fromStdString(owned->dpkgPath), dpkgPath);
        QCOMPARE(owned->md5.has_value(), !md5.isEmpty());
        if (owned->md5)
            QCOMPARE(QString::fromStdString(*owned->md5), md5);
    }

    void manifestDigestMatchesOnlyUnmodifiedFile()
    {
        auto index = DpkgIndex::build(m_admin.toStdString());
        QVERIFY(index.ok());
        for (const char *name : {"/bin/foo", "/bin/foo-helper"}) {
            const std::string path = QString(m_root + QLatin1String(name)).toStdString();
            auto owned = index->lookup(path);
            QVERIFY(owned && owned->md5);
            auto digests = hashFile(path);
            QVERIFY(digests.ok());
            QCOMPARE(*owned->md5 == digests->md5, std::string(name) == "/bin/foo");
        }
    }

    void diversionAndSharedEvidence()
    {
        auto index = DpkgIndex::build(m_admin.toStdString());
        QVERIFY(index.ok());
        auto diverted = index->lookup("/usr/bin/pg_config.libbar");
        QVERIFY(diverted);
        QVERIFY(diverted->diversion.find("diverted from /usr/bin/pg_config by foo") != std::string::npos);
        const DiversionRecord *record = index->findDiversion("/usr/share/local-thing");
        QVERIFY(record);
        QVERIFY(record->package.empty());
        QCOMPARE(record->divertedTo, std::string("/usr/share/local-thing.distrib"));
        auto shared = index->lookup("/usr/share/doc/libbar/copyright");
        QVERIFY(shared);
        QCOMPARE(shared->alsoListedBy, std::vector<std::string>{"libbar:amd64"});
        QCOMPARE(index->packageCount(), std::size_t(3));
    }

    void corruptLinesAreCountedWithFileAndLine()
    {
        auto index = DpkgIndex::build(m_admin.toStdString());
        QVERIFY(index.ok());
        const auto &w = index->warnings();
        QCOMPARE(w.corruptLines, std::size_t(3));
        QCOMPARE(w.examples.size(), std::size_t(3));
        QCOMPARE(QString::fromStdString(w.examples[0]).left(20), QStringLiteral("info/foo.md5sums:3: "));
        QVERIFY(w.examples[1].rfind("info/foo.md5sums:4: ", 0) == 0);
        QVERIFY(w.examples[2].rfind("info/foo.md5sums:6: ", 0) == 0);
    }

    void incompleteDiversionIsWarnedNotGuessed()
    {
        QTemporaryDir dir;
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("info"))));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("info/a.list")), "/usr/bin/x\n"));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("diversions")), "/usr/bin/x\n/usr/bin/x.real\n"));
        auto index = DpkgIndex::build(dir.path().toStdString());
        QVERIFY(index.ok());
        QCOMPARE(index->warnings().corruptLines, std::size_t(1));
        QVERIFY(!index->findDiversion("/usr/bin/x"));
        QCOMPARE(index->lookup("/usr/bin/x")->package, std::string("a"));
    }

    void missingAdminDirIsUnavailableNotUnowned()
    {
        const std::string missing = m_dir.filePath(QStringLiteral("no-such-admin")).toStdString();
        auto index = DpkgIndex::build(missing);
        QVERIFY(index.ok());
        QVERIFY(!index->available());
        QVERIFY(index->unavailableReason().find(missing) != std::string::npos);
        QVERIFY(index->unavailableReason().find("no dpkg database") != std::string::npos);
        QVERIFY(!index->lookup("/usr/bin/anything"));
    }

    void unreadableAdminDirIsAnErrorNamingIt_data()
    {
        QTest::addColumn<QString>("adminDir");
        QTest::addColumn<QString>("named");
        const QString file = m_dir.filePath(QStringLiteral("plain-file"));
        QVERIFY(writeFile(file, "not a directory\n"));
        const QString noInfo = m_dir.filePath(QStringLiteral("admin-without-info"));
        QVERIFY(QDir().mkpath(noInfo));
        QTest::addRow("admin dir is a file") << file << file;
        QTest::addRow("info dir missing") << noInfo << noInfo + QStringLiteral("/info");
    }
    void unreadableAdminDirIsAnErrorNamingIt()
    {
        QFETCH(QString, adminDir);
        QFETCH(QString, named);
        auto index = DpkgIndex::build(adminDir.toStdString());
        QVERIFY(!index.ok());
        QVERIFY2(index.error().message.find(named.toStdString()) != std::string::npos, index.error().message.c_str());
    }

    void realDatabaseOwnsLibcAsProcShowsIt()
    {
        if (!QFileInfo::exists(QStringLiteral("/var/lib/dpkg/info")))
            QSKIP("this host has no dpkg database");
        const std::string libc = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        if (!QFileInfo::exists(QString::fromStdString(libc)))
            QSKIP("no x86_64 libc.so.6 on this host");
        QElapsedTimer timer;
        timer.start();
        auto index = DpkgIndex::build();
        const qint64 ms = timer.elapsed();
        QVERIFY2(index.ok(), index.ok() ? "" : index.error().message.c_str());
        qInfo("dpkg index: %zu packages, %zu paths in %lld ms", index->packageCount(), index->pathCount(), ms);
        auto owned = index->lookup(libc);
        QVERIFY(owned);
        QCOMPARE(owned->package, std::string("libc6:amd64"));
        QVERIFY(owned->md5);
        auto digests = hashFile(libc);
        QVERIFY2(digests.ok(), digests.ok() ? "" : digests.error().message.c_str());
        QCOMPARE(digests->md5, *owned->md5);
        QCOMPARE(index->warnings().corruptLines, std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestDpkgIndex)
#include "tst_dpkg_index.moc"
