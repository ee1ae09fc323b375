// ld.so.cache parsing: caches built in the test in each layout, damaged caches, and this
// machine's /etc/ld.so.cache checked against `ldconfig -p`.
#include "elf/ld_cache.h"
#include "ld_cache_builder.h"

#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlens;
using namespace loadlens::elf;
using loadlens::elftest::CacheEntrySpec;

namespace {

std::vector<CacheEntrySpec> sampleEntries()
{
    return {
        {"libfoo.so.1", "/usr/lib/x86_64-linux-gnu/glibc-hwcaps/x86-64-v3/libfoo.so.1", 0x0303,
         (1ull << 62) | 1},
        {"libfoo.so.1", "/lib32/libfoo.so.1", 0x0003, 0},
        {"libfoo.so.1", "/lib/x86_64-linux-gnu/libfoo.so.1", 0x0303, 0},
        {"libbar.so.2", "/opt/bar/lib/libbar.so.2", 0x0303, 0},
        {"libold.so.1", "/usr/i386/libold.so.1", 0x0001, 0},
    };
}

Result<LdCache> parse(const std::vector<std::uint8_t> &bytes, std::size_t length = SIZE_MAX)
{
    return parseLdCache({bytes.data(), std::min(length, bytes.size())});
}

struct LdconfigLine {
    QString soname;
    QString flags;
    QString path;
};

} // namespace

class TestLdCache : public QObject {
    Q_OBJECT
private slots:
    void layouts_data()
    {
        QTest::addColumn<int>("layout");  // 0 new LE, 1 new BE, 2 old only, 3 old + new
        QTest::addColumn<int>("format");
        QTest::addColumn<bool>("hasHwcap");
        QTest::addRow("new, little endian") << 0 << int(LdCacheFormat::New) << true;
        QTest::addRow("new, big endian") << 1 << int(LdCacheFormat::New) << true;
        QTest::addRow("old only") << 2 << int(LdCacheFormat::OldOnly) << false;
        QTest::addRow("old with new embedded") << 3 << int(LdCacheFormat::OldWithNew) << true;
    }
    void layouts()
    {
        QFETCH(int, layout);
        QFETCH(int, format);
        QFETCH(bool, hasHwcap);
        const auto specs = sampleEntries();
        const auto bytes = layout == 0   ? elftest::buildNewLdCache(specs)
                           : layout == 1 ? elftest::buildNewLdCache(specs, true)
                                         : elftest::buildOldLdCache(specs, layout == 3);
        auto cache = parse(bytes);
        QVERIFY2(cache.ok(), cache.ok() ? "" : cache.error().message.c_str());
        QCOMPARE(int(cache->format), format);
        QVERIFY(cache->warnings.empty());
        QCOMPARE(cache->entries.size(), specs.size());
        for (std::size_t i = 0; i < specs.size(); ++i) {
            QCOMPARE(cache->entries[i].soname, specs[i].soname);
            QCOMPARE(cache->entries[i].path, specs[i].path);
            QCOMPARE(cache->entries[i].flags, specs[i].flags);
            QCOMPARE(cache->entries[i].hwcap, hasHwcap ? specs[i].hwcap : 0);
        }
    }

    void lookup_data()
    {
        QTest::addColumn<QString>("soname");
        QTest::addColumn<uint>("flags");
        QTest::addColumn<QString>("expected");  // empty: no match
        QTest::addRow("x86-64 skips hwcap and i386 entries")
            << "libfoo.so.1" << uint(kCacheX8664Libc6) << "/lib/x86_64-linux-gnu/libfoo.so.1";
        QTest::addRow("i386 libc6") << "libfoo.so.1" << uint(kCacheFlagElfLibc6) << "/lib32/libfoo.so.1";
        QTest::addRow("plain ELF entry serves i386") << "libold.so.1" << uint(kCacheFlagElfLibc6)
                                                     << "/usr/i386/libold.so.1";
        QTest::addRow("plain ELF entry does not serve x86-64")
            << "libold.so.1" << uint(kCacheX8664Libc6) << "";
        QTest::addRow("absent name") << "libnone.so" << uint(kCacheX8664Libc6) << "";
        QTest::addRow("prefix is not a match") << "libbar.so" << uint(kCacheX8664Libc6) << "";
    }
    void lookup()
    {
        QFETCH(QString, soname);
        QFETCH(uint, flags);
        QFETCH(QString, expected);
        auto cache = parse(elftest::buildNewLdCache(sampleEntries()));
        QVERIFY(cache.ok());
        const auto found = cache->lookup(soname.toStdString(), flags);
        QCOMPARE(found.has_value(), !expected.isEmpty());
        if (found)
            QCOMPARE(QString::fromStdString(*found), expected);
        QCOMPARE(cache->lookupAll("libfoo.so.1").size(), std::size_t(3));
    }

    void damaged_data()
    {
        QTest::addColumn<QByteArray>("patch");  // "offset:hexbytes" applied to a new-format cache
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("message");
        QTest::addRow("unknown magic") << QByteArray("0:78") << false << "unknown magic";
        QTest::addRow("invalid byte order flag") << QByteArray("28:01") << false << "invalid";
        QTest::addRow("entry count past EOF") << QByteArray("20:ffffff7f") << true << "entries but only";
        QTest::addRow("key offset past EOF") << QByteArray("52:ffffff00") << true << "entry 0 skipped";
        QTest::addRow("value offset past EOF") << QByteArray("80:00000010") << true << "entry 1 skipped";
    }
    void damaged()
    {
        QFETCH(QByteArray, patch);
        QFETCH(bool, ok);
        QFETCH(QString, message);
        auto bytes = elftest::buildNewLdCache(sampleEntries());
        const QList<QByteArray> parts = patch.split(':');
        const QByteArray raw = QByteArray::fromHex(parts[1]);
        std::copy(raw.begin(), raw.end(), bytes.begin() + parts[0].toInt());
        auto cache = parse(bytes);
        QCOMPARE(cache.ok(), ok);
        if (!ok) {
            QVERIFY2(QString::fromStdString(cache.error().message).contains(message),
                     cache.error().message.c_str());
            return;
        }
        QVERIFY(!cache->warnings.empty());
        QVERIFY2(QString::fromStdString(cache->warnings.front()).contains(message),
                 cache->warnings.front().c_str());
    }

    void everyTruncationIsHandled()
    {
        for (bool embed : {false, true}) {
            const auto bytes = elftest::buildOldLdCache(sampleEntries(), embed);
            for (std::size_t len = 0; len <= bytes.size(); ++len) {
                auto cache = parse(bytes, len);
                if (cache.ok())
                    QVERIFY(cache->entries.size() <= sampleEntries().size());
            }
        }
        const auto full = elftest::buildNewLdCache(sampleEntries());
        QVERIFY(!parse(full, 30).ok());
        QVERIFY(parse(full, full.size() - 1).ok());
        QCOMPARE(parse(full, full.size() - 1)->entries.size(), std::size_t(4));  // last path cut
    }

    void readFromFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("ld.so.cache"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        const auto bytes = elftest::buildNewLdCache(sampleEntries());
        f.write(reinterpret_cast<const char *>(bytes.data()), qint64(bytes.size()));
        f.close();
        auto cache = readLdCache(path.toStdString());
        QVERIFY(cache.ok());
        QCOMPARE(cache->entries.size(), sampleEntries().size());

        QFile junk(dir.filePath(QStringLiteral("junk")));
        QVERIFY(junk.open(QIODevice::WriteOnly));
        junk.write("not a cache at all");
        junk.close();
        auto bad = readLdCache(junk.fileName().toStdString());
        QVERIFY(!bad.ok());
        QVERIFY(QString::fromStdString(bad.error().message).contains(junk.fileName()));
        QVERIFY(!readLdCache(dir.filePath(QStringLiteral("missing")).toStdString()).ok());
    }

    // The real cache of this machine, with `ldconfig -p` (which reads the same file) as oracle.
    void systemCacheMatchesLdconfig()
    {
        if (!QFileInfo::exists(QStringLiteral("/etc/ld.so.cache")))
            QSKIP("this machine has no /etc/ld.so.cache");
        const QString ldconfig = QStandardPaths::findExecutable(
            QStringLiteral("ldconfig"), {QStringLiteral("/sbin"), QStringLiteral("/usr/sbin")});
        if (ldconfig.isEmpty())
            QSKIP("ldconfig not found");
        QProcess process;
        process.start(ldconfig, {QStringLiteral("-p")});
        QVERIFY(process.waitForFinished(30000));
        QCOMPARE(process.exitCode(), 0);
        const QStringList lines = QString::fromUtf8(process.readAllStandardOutput()).split(QLatin1Char('\n'));

        static const QRegularExpression header(QStringLiteral("^(\\d+) libs found"));
        static const QRegularExpression entry(QStringLiteral("^\\t(\\S+) \\((.*)\\) => (.*)$"));
        int announced = -1;
        QList<LdconfigLine> expected;
        for (const QString &line : lines) {
            if (auto m = header.match(line); m.hasMatch())
                announced = m.captured(1).toInt();
            else if (auto e = entry.match(line); e.hasMatch())
                expected.append({e.captured(1), e.captured(2), e.captured(3)});
        }
        QVERIFY(announced > 0);
        QCOMPARE(expected.size(), announced);

        auto cache = readLdCache();
        QVERIFY2(cache.ok(), cache.ok() ? "" : cache.error().message.c_str());
        QVERIFY(cache->warnings.empty());
        QCOMPARE(int(cache->entries.size()), announced);
        for (int i = 0; i < announced; ++i) {
            const LdCacheEntry &got = cache->entries[std::size_t(i)];
            QCOMPARE(QString::fromStdString(got.soname), expected[i].soname);
            QCOMPARE(QString::fromStdString(got.path), expected[i].path);
            // ldconfig appends ", hwcap: ..." or ", OS ABI: ..." after the type and arch.
            QCOMPARE(QString::fromStdString(ldCacheFlagsDescription(got.flags)),
                     expected[i].flags.split(QStringLiteral(", ")).first());
            QVERIFY2(QFileInfo::exists(QString::fromStdString(got.path)), got.path.c_str());
        }

        QString libc;
        for (const auto &line : expected)
            if (line.soname == QStringLiteral("libc.so.6") && line.flags == QStringLiteral("libc6,x86-64")) {
                libc = line.path;
                break;
            }
        QVERIFY(!libc.isEmpty());
        const auto found = cache->lookup("libc.so.6", kCacheX8664Libc6);
        QVERIFY(found.has_value());
        QCOMPARE(QString::fromStdString(*found), libc);
    }
};

QTEST_GUILESS_MAIN(TestLdCache)
#include "tst_ld_cache.moc"
