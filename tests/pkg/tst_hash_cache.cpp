// HashCache: persistence, hit/miss counting across scans, and clean errors for bad files.
#include "pkg/hash_cache.h"

#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include <sqlite3.h>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::pkg;

namespace {

bool writeFile(const QString &path, const QByteArray &content)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(content) == content.size();
}

Digests fakeDigests(int i)
{
    return Digests{std::string(63, 'a') + char('0' + i % 10), std::string(31, 'b') + char('0' + i % 10)};
}

FileStamp fakeStamp(int i)
{
    return FileStamp{2049, std::uint64_t(1000 + i), std::uint64_t(4096 + i), 1700000000000000000 + i, 1700000000000000001 + i};
}

// As root the cache must sit where only root can write (HashCache::open refuses /tmp): the build
// tree. Others use the usual temporary directory.
QString scratchTemplate()
{
    const QString base = ::geteuid() == 0 ? QCoreApplication::applicationDirPath() : QDir::tempPath();
    return base + QStringLiteral("/tst_hash_cache-XXXXXX");
}

} // namespace

class TestHashCache : public QObject {
    Q_OBJECT

private slots:
    void storeAndFindByFullStamp()
    {
        QTemporaryDir dir(scratchTemplate());
        const std::string path = dir.filePath(QStringLiteral("nested/deeper/cache.sqlite")).toStdString();
        auto cache = HashCache::open(path);
        QVERIFY2(cache.ok(), cache.ok() ? "" : cache.error().message.c_str());
        QVERIFY(QFileInfo::exists(dir.filePath(QStringLiteral("nested/deeper/cache.sqlite"))));
        QVERIFY(cache->store(fakeStamp(1), fakeDigests(1)).ok());
        QCOMPARE(cache->find(fakeStamp(1)), std::optional<Digests>(fakeDigests(1)));
        // Any field of the stamp differing is a miss.
        FileStamp changed = fakeStamp(1);
        changed.ctimeNs += 1;
        QVERIFY(!cache->find(changed));
        changed = fakeStamp(1);
        changed.size += 1;
        QVERIFY(!cache->find(changed));
        // A new version of the same inode replaces the old row.
        FileStamp newer = fakeStamp(1);
        newer.mtimeNs += 5;
        QVERIFY(cache->store(newer, fakeDigests(2)).ok());
        QVERIFY(!cache->find(fakeStamp(1)));
        QCOMPARE(cache->find(newer), std::optional<Digests>(fakeDigests(2)));
    }

    void batchPersistsAcrossOpens()
    {
        QTemporaryDir dir(scratchTemplate());
        const std::string path = dir.filePath(QStringLiteral("cache.sqlite")).toStdString();
        {
            auto cache = HashCache::open(path);
            QVERIFY(cache.ok());
            std::vector<std::pair<FileStamp, Digests>> batch;
            for (int i = 0; i < 300; ++i)
                batch.emplace_back(fakeStamp(i), fakeDigests(i));
            QVERIFY(cache->storeBatch(batch).ok());
        }
        auto again = HashCache::open(path);
        QVERIFY(again.ok());
        for (int i = 0; i < 300; i += 37)
            QCOMPARE(again->find(fakeStamp(i)), std::optional<Digests>(fakeDigests(i)));
    }

    void secondScanHashesNothingUnchanged()
    {
        QTemporaryDir dir(scratchTemplate());
        std::vector<HashJob> jobs;
        for (int i = 0; i < 12; ++i) {
            const QString path = dir.filePath(QStringLiteral("lib%1.so").arg(i));
            QVERIFY(writeFile(path, QByteArray(1000 * (i + 1), char('a' + i))));
            jobs.push_back(HashJob{path.toStdString(), -1});
        }
        auto cache = HashCache::open(dir.filePath(QStringLiteral("c/cache.sqlite")).toStdString());
        QVERIFY(cache.ok());

        auto first = hashFilesCached(jobs, &*cache, 2, {}, CancelToken());
        QCOMPARE(first.hashed, jobs.size());
        QCOMPARE(first.cacheHits, std::size_t(0));
        QVERIFY(!first.cacheError);

        auto second = hashFilesCached(jobs, &*cache, 2, {}, CancelToken());
        QCOMPARE(second.hashed, std::size_t(0));
        QCOMPARE(second.cacheHits, jobs.size());
        for (std::size_t i = 0; i < jobs.size(); ++i) {
            QVERIFY(second.outcomes[i].fromCache);
            QCOMPARE(second.outcomes[i].digests, first.outcomes[i].digests);
        }

        // Changing one file's content (and so its size and ctime) makes exactly that one a miss.
        QVERIFY(writeFile(QString::fromStdString(jobs[3].path), "changed"));
        auto third = hashFilesCached(jobs, &*cache, 2, {}, CancelToken());
        QCOMPARE(third.hashed, std::size_t(1));
        QCOMPARE(third.cacheHits, jobs.size() - 1);
        QVERIFY(!third.outcomes[3].fromCache);
        QVERIFY(third.outcomes[3].digests.md5 != first.outcomes[3].digests.md5);
        auto direct = hashFile(jobs[3].path);
        QVERIFY(direct.ok());
        QCOMPARE(third.outcomes[3].digests, *direct);
    }

    void badFilesAreCleanErrors_data()
    {
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("expected");
        QTest::addRow("garbage") << QStringLiteral("garbage") << QStringLiteral("not a database");
        QTest::addRow("foreign sqlite") << QStringLiteral("foreign") << QStringLiteral("another application");
        QTest::addRow("damaged pages") << QStringLiteral("damaged") << QStringLiteral("cache.sqlite");
        QTest::addRow("newer schema") << QStringLiteral("newer") << QStringLiteral("schema version 99");
    }
    void badFilesAreCleanErrors()
    {
        QFETCH(QString, kind);
        QFETCH(QString, expected);
        QTemporaryDir dir(scratchTemplate());
        const QString path = dir.filePath(QStringLiteral("cache.sqlite"));
        const QByteArray native = QFile::encodeName(path);
        if (kind == QLatin1String("garbage")) {
            QByteArray junk(8192, '\0');
            QRandomGenerator gen(5);
            for (auto &c : junk)
                c = char(gen.generate());
            QVERIFY(writeFile(path, junk));
        } else if (kind == QLatin1String("foreign") || kind == QLatin1String("newer")) {
            if (kind == QLatin1String("newer")) {
                QVERIFY(HashCache::open(path.toStdString()).ok());
            }
            sqlite3 *db = nullptr;
            QCOMPARE(sqlite3_open(native.constData(), &db), SQLITE_OK);
            const char *sql = kind == QLatin1String("foreign") ? "CREATE TABLE notes(x TEXT); INSERT INTO notes VALUES('hi');"
                                                                : "UPDATE schema_version SET version = 99;";
            QCOMPARE(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK);
            sqlite3_close(db);
        } else {
            {
                auto cache = HashCache::open(path.toStdString());
                QVERIFY(cache.ok());
                std::vector<std::pair<FileStamp, Digests>> batch;
                for (int i = 0; i < 2000; ++i)
                    batch.emplace_back(fakeStamp(i), fakeDigests(i));
                QVERIFY(cache->storeBatch(batch).ok());
            }
            QFile f(path);
            QVERIFY(f.size() > 4 * 4096);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.seek(2 * 4096));
            f.write(QByteArray(3 * 4096, char(0x5a)));
            f.close();
        }
        auto cache = HashCache::open(path.toStdString());
        QVERIFY(!cache.ok());
        const std::string &message = cache.error().message;
        QVERIFY2(message.find(path.toStdString()) != std::string::npos, message.c_str());
        QVERIFY2(message.find(expected.toStdString()) != std::string::npos, message.c_str());
    }

    // As root a cache another user could have written is refused, naming why.
    void rootRefusesACacheOthersCanWrite()
    {
        if (::geteuid() != 0)
            QSKIP("needs root: the refusal applies to root's caches");
        QTemporaryDir dir;  // under /tmp, writable by everyone
        QVERIFY(dir.isValid());
        auto cache = HashCache::open(dir.filePath(QStringLiteral("cache.sqlite")).toStdString());
        QVERIFY(!cache.ok());
        QVERIFY2(cache.error().message.find("writable by everyone") != std::string::npos, cache.error().message.c_str());
        QVERIFY(!QFileInfo::exists(dir.filePath(QStringLiteral("cache.sqlite"))));
    }

    void defaultPathFollowsXdg()
    {
        if (::geteuid() == 0)
            QSKIP("as root the cache lives in /var/cache/loadlens whatever XDG_DATA_HOME says (tst_data_dir checks that)");
        const QByteArray oldXdg = qgetenv("XDG_DATA_HOME");
        const QByteArray oldHome = qgetenv("HOME");
        qputenv("XDG_DATA_HOME", "/xdg/data");
        QCOMPARE(defaultHashCachePath(), std::string("/xdg/data/loadlens/hash-cache.sqlite"));
        qputenv("XDG_DATA_HOME", "relative/ignored");
        qputenv("HOME", "/home/someone");
        QCOMPARE(defaultHashCachePath(), std::string("/home/someone/.local/share/loadlens/hash-cache.sqlite"));
        qunsetenv("XDG_DATA_HOME");
        QCOMPARE(defaultHashCachePath(), std::string("/home/someone/.local/share/loadlens/hash-cache.sqlite"));
        if (!oldXdg.isNull())
            qputenv("XDG_DATA_HOME", oldXdg);
        qputenv("HOME", oldHome);
    }
};

QTEST_GUILESS_MAIN(TestHashCache)
#include "tst_hash_cache.moc"
