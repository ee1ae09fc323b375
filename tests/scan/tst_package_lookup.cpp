// Package answers are remembered between scans and forgotten as soon as the dpkg database
// (or the owning package's manifest) changes. Uses a real dpkg-format admin dir.
#include <QtTest>

#include "scan/package_lookup.h"

#include <QTemporaryDir>
#include <unistd.h>
#include <utime.h>

using loadlens::scan::PackageLookup;

namespace {

void writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(content);
}

void setMtime(const QString &path, time_t when)
{
    struct utimbuf times {when, when};
    QVERIFY(::utime(path.toLocal8Bit().constData(), &times) == 0);
}

// As root the answer cache is used only where nobody else can write (not /tmp): the build tree.
QString scratchTemplate()
{
    const QString base = ::geteuid() == 0 ? QCoreApplication::applicationDirPath() : QDir::tempPath();
    return base + QStringLiteral("/tst_package_lookup-XXXXXX");
}

} // namespace

class TestPackageLookup : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir{scratchTemplate()};
    QString m_admin;
    QString m_cache;

private slots:
    void init()
    {
        QVERIFY(m_dir.isValid());
        m_admin = m_dir.filePath(QStringLiteral("dpkg"));
        m_cache = m_dir.filePath(QStringLiteral("lookup.cache"));
        QFile::remove(m_cache);
        QDir(m_admin).removeRecursively();
        QVERIFY(QDir().mkpath(m_admin + QStringLiteral("/info")));
        writeFile(m_admin + QStringLiteral("/status"), "Package: libfoo\nStatus: install ok installed\n\n");
        writeFile(m_admin + QStringLiteral("/info/libfoo.list"), "/opt/foo\n/opt/foo/libfoo.so.1\n");
        writeFile(m_admin + QStringLiteral("/info/libfoo.md5sums"),
                  "0123456789abcdef0123456789abcdef  opt/foo/libfoo.so.1\n");
        setMtime(m_admin + QStringLiteral("/status"), 1000000);
        setMtime(m_admin + QStringLiteral("/info/libfoo.md5sums"), 1000000);
        setMtime(m_admin + QStringLiteral("/info"), 1000000);
    }

    void secondScanReadsNoManifest()
    {
        {
            PackageLookup first(m_admin.toStdString(), m_cache.toStdString());
            auto owner = first.lookup("/opt/foo/libfoo.so.1");
            QVERIFY(owner);
            QCOMPARE(QString::fromStdString(owner->package), QStringLiteral("libfoo"));
            QVERIFY(!first.lookup("/opt/foo/unowned.so"));
            QVERIFY(first.indexWasBuilt());
            first.save();
        }
        PackageLookup second(m_admin.toStdString(), m_cache.toStdString());
        auto owner = second.lookup("/opt/foo/libfoo.so.1");
        QVERIFY(owner);
        QCOMPARE(QString::fromStdString(*owner->md5), QStringLiteral("0123456789abcdef0123456789abcdef"));
        QVERIFY(!second.lookup("/opt/foo/unowned.so"));
        QVERIFY2(!second.indexWasBuilt(), "known paths must be answered from the cache");
        QVERIFY(second.available());
    }

    void manifestChangedInPlaceIsNotTrusted()
    {
        {
            PackageLookup first(m_admin.toStdString(), m_cache.toStdString());
            QVERIFY(first.lookup("/opt/foo/libfoo.so.1"));
            first.save();
        }
        writeFile(m_admin + QStringLiteral("/info/libfoo.md5sums"),
                  "ffffffffffffffffffffffffffffffff  opt/foo/libfoo.so.1\n");
        setMtime(m_admin + QStringLiteral("/info"), 1000000);
        PackageLookup second(m_admin.toStdString(), m_cache.toStdString());
        auto owner = second.lookup("/opt/foo/libfoo.so.1");
        QVERIFY(owner);
        QCOMPARE(QString::fromStdString(*owner->md5), QStringLiteral("ffffffffffffffffffffffffffffffff"));
        QVERIFY(second.indexWasBuilt());
    }

    void databaseChangeForgetsEverything()
    {
        {
            PackageLookup first(m_admin.toStdString(), m_cache.toStdString());
            QVERIFY(!first.lookup("/opt/foo/libbar.so"));
            first.save();
        }
        writeFile(m_admin + QStringLiteral("/info/libbar.list"), "/opt/foo/libbar.so\n");
        writeFile(m_admin + QStringLiteral("/status"), "Package: libfoo\n\nPackage: libbar\n\n");
        PackageLookup second(m_admin.toStdString(), m_cache.toStdString());
        auto owner = second.lookup("/opt/foo/libbar.so");
        QVERIFY2(owner, "a package installed since the last scan must be seen");
        QCOMPARE(QString::fromStdString(owner->package), QStringLiteral("libbar"));
    }

    void noDatabaseIsUnavailable()
    {
        PackageLookup lookup(m_dir.filePath(QStringLiteral("absent")).toStdString(), m_cache.toStdString());
        QVERIFY(!lookup.available());
        QVERIFY(!lookup.unavailableReason().empty());
    }
};

QTEST_GUILESS_MAIN(TestPackageLookup)
#include "tst_package_lookup.moc"
