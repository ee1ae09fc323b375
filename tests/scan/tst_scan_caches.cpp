// The caches that feed verdicts (file digests, dpkg answers) and who may have written them. The
// test scans itself with a cache in which it planted a false digest and a false package answer
// for its own executable: where the cache is used, they show in the result; where root must
// refuse it (owned by another user, or in a directory others may write), they must not.
#include <QtTest>

#include "common/data_dir.h"
#include "common/trusted_path.h"
#include "pkg/hash_cache.h"
#include "scan/scanner.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

using namespace loadlens;

namespace {

const std::string kPlantedSha256(64, 'a');
const std::string kPlantedPackage = "loadlens-planted";
constexpr uid_t kOtherUid = 65534;

QString ownExecutable()
{
    return QFileInfo(QCoreApplication::applicationFilePath()).canonicalFilePath();
}

QByteArray fileDigest(const QString &path, QCryptographicHash::Algorithm algorithm)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(algorithm);
    h.addData(&f);
    return h.result().toHex();
}

struct OwnScan {
    std::string sha256;
    QStringList codes;
};

OwnScan scanSelf(const std::string &cachePath)
{
    scan::ScanOptions options;
    options.pid = int(::getpid());
    options.probeHiddenPids = false;
    options.hashCachePath = cachePath;
    const ScanResult result = scan::runScan(options);
    OwnScan out;
    const std::string exe = ownExecutable().toStdString();
    for (const auto &p : result.processes)
        for (const auto &m : p.modules)
            if (m.path == exe) {
                if (auto it = result.files.find(m.file); it != result.files.end())
                    out.sha256 = it->second.sha256;
                for (const auto &r : m.verdict.reasons)
                    out.codes << QString::fromStdString(r.code);
            }
    return out;
}

// A scan fills the dpkg answer cache (the executable is nobody's), then both caches are given
// false answers about the executable: a digest of all 'a', and ownership by a package whose
// manifest digest is the real one (which would make it "package-verified").
void plantCaches(const std::string &cachePath)
{
    const OwnScan first = scanSelf(cachePath);
    QVERIFY2(!first.sha256.empty(), "the first scan did not hash the test executable");
    const QString exe = ownExecutable();
    struct stat st {};
    QVERIFY(::stat(exe.toLocal8Bit().constData(), &st) == 0);
    pkg::FileStamp stamp{std::uint64_t(st.st_dev), std::uint64_t(st.st_ino), std::uint64_t(st.st_size),
                         st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                         st.st_ctim.tv_sec * 1000000000LL + st.st_ctim.tv_nsec};
    {
        auto cache = pkg::HashCache::open(cachePath);
        QVERIFY2(cache, cache ? "" : cache.error().message.c_str());
        QVERIFY(cache->store(stamp, pkg::Digests{kPlantedSha256, std::string(32, 'b')}));
    }
    const QString lookupPath = QString::fromStdString(cachePath + ".dpkg-lookup");
    QFile lookup(lookupPath);
    QVERIFY2(lookup.open(QIODevice::ReadOnly), qPrintable(lookupPath));
    QList<QByteArray> lines = lookup.readAll().split('\n');
    lookup.close();
    bool found = false;
    for (auto &line : lines) {
        if (line.startsWith(QByteArray(exe.toLocal8Bit() + '\t'))) {
            // path, owned, package, md5, sha256, listed path, diversion, kind (d: dpkg), note, md5sums stamp
            line = exe.toLocal8Bit() + "\t1\t" + QByteArray::fromStdString(kPlantedPackage) + '\t' + QByteArray(32, 'b') +
                   "\t-\t" + exe.toLocal8Bit() + "\t\td\t\t-";
            found = true;
        }
    }
    QVERIFY2(found, "the dpkg answer cache has no line for the test executable");
    QVERIFY(lookup.open(QIODevice::WriteOnly | QIODevice::Truncate));
    lookup.write(lines.join('\n'));
}

void chownAll(const QString &dir, uid_t uid)
{
    for (const QString &name : QDir(dir).entryList(QDir::Files | QDir::Hidden))
        QVERIFY(::chown(QByteArray(dir.toLocal8Bit() + '/' + name.toLocal8Bit()).constData(), uid, gid_t(-1)) == 0);
}

} // namespace

class TestScanCaches : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        // Warnings of core loggers are collected here (loggers copy the default logger's sinks).
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(m_log);
        spdlog::set_default_logger(std::make_shared<spdlog::logger>("tst_scan_caches", sink));
    }

    // Control: a cache the scanning user may trust is used, planted answers included. As a normal
    // user that holds even in a world-writable /tmp: nothing changed there.
    void trustedCacheIsUsed()
    {
        QTemporaryDir dir(::geteuid() == 0 ? QCoreApplication::applicationDirPath() + QStringLiteral("/caches-XXXXXX")
                                           : QDir::tempPath() + QStringLiteral("/caches-XXXXXX"));
        QVERIFY(dir.isValid());
        const std::string cachePath = dir.filePath(QStringLiteral("hash-cache.sqlite")).toStdString();
        plantCaches(cachePath);
        if (QTest::currentTestFailed())
            return;
        const OwnScan planted = scanSelf(cachePath);
        QCOMPARE(planted.sha256, kPlantedSha256);
        QVERIFY2(planted.codes.contains(QStringLiteral("package-verified")), qPrintable(planted.codes.join(u' ')));
    }

    void rootRefusesUntrustedCache_data()
    {
        QTest::addColumn<bool>("chownFiles");
        QTest::addColumn<int>("dirMode");
        QTest::addColumn<QString>("reason");
        QTest::addRow("files owned by another user") << true << 0700 << u"owned by uid 65534"_qs;
        QTest::addRow("directory writable by everyone") << false << 0777 << u"writable by everyone"_qs;
        QTest::addRow("directory writable by its group") << false << 0770 << u"writable by group"_qs;
        QTest::addRow("directory owned by another user") << false << -1 << u"owned by uid 65534"_qs;
    }
    void rootRefusesUntrustedCache()
    {
        if (::geteuid() != 0)
            QSKIP("needs root: the check applies to root's scans, and chown needs root");
        QFETCH(bool, chownFiles);
        QFETCH(int, dirMode);
        QFETCH(QString, reason);
        QTemporaryDir dir(QCoreApplication::applicationDirPath() + QStringLiteral("/caches-XXXXXX"));
        QVERIFY(dir.isValid());
        const std::string cachePath = dir.filePath(QStringLiteral("hash-cache.sqlite")).toStdString();
        plantCaches(cachePath);
        if (QTest::currentTestFailed())
            return;
        if (chownFiles)
            chownAll(dir.path(), kOtherUid);
        if (dirMode >= 0)
            QVERIFY(::chmod(dir.path().toLocal8Bit().constData(), mode_t(dirMode)) == 0);
        else
            QVERIFY(::chown(dir.path().toLocal8Bit().constData(), kOtherUid, gid_t(-1)) == 0);

        m_log.str({});
        const OwnScan refused = scanSelf(cachePath);
        QCOMPARE(QString::fromStdString(refused.sha256),
                 QString::fromLatin1(fileDigest(ownExecutable(), QCryptographicHash::Sha256)));
        QVERIFY2(!refused.codes.contains(QStringLiteral("package-verified")), qPrintable(refused.codes.join(u' ')));
        const QString log = QString::fromStdString(m_log.str());
        QVERIFY2(log.contains(reason), qPrintable(log));
        QCOMPARE(log.count(QStringLiteral("not trusting")), 1);  // reported once, for both caches

        QFileInfo file(dir.filePath(QStringLiteral("hash-cache.sqlite")));
        if (chownFiles)
            QCOMPARE(file.ownerId(), uint(kOtherUid));  // left alone, not rewritten by root
        ::chmod(dir.path().toLocal8Bit().constData(), 0700);
    }

    // As root the default cache is root's own, whatever the environment (sudo -E) says.
    void rootDefaultCachePath()
    {
        qputenv("XDG_DATA_HOME", QDir::tempPath().toLocal8Bit() + "/somebody-else");
        qputenv("HOME", "/home/somebody-else");
        const std::string path = pkg::defaultHashCachePath();
        if (::geteuid() == 0) {
            QCOMPARE(QString::fromStdString(path), QStringLiteral("/var/cache/loadlens/hash-cache.sqlite"));
            const auto trusted = checkCacheTrusted(path);
            QVERIFY2(trusted, trusted ? "" : trusted.error().message.c_str());
        } else {
            QCOMPARE(QString::fromStdString(path), QDir::tempPath() + QStringLiteral("/somebody-else/loadlens/hash-cache.sqlite"));
            QVERIFY(checkCacheTrusted(path));  // a user's scan trusts the user's files
        }
        QCOMPARE(QString::fromStdString(dataDirectoryFor(0)), QStringLiteral("/var/cache/loadlens"));
    }

    void trustedPathRules()
    {
        QVERIFY(checkRootTrustedPath("/"));
        QVERIFY(checkRootTrustedPath("/var/cache/loadlens-no-such-dir/hash-cache.sqlite"));
        const auto tmp = checkRootTrustedPath("/tmp/hash-cache.sqlite");
        QVERIFY(!tmp);
        QVERIFY2(QString::fromStdString(tmp.error().message).contains(u"/tmp is writable by everyone"_qs),
                 tmp.error().message.c_str());
        QVERIFY(!checkRootTrustedPath("relative/cache.sqlite"));
    }

private:
    std::ostringstream m_log;
};

QTEST_GUILESS_MAIN(TestScanCaches)
#include "tst_scan_caches.moc"
