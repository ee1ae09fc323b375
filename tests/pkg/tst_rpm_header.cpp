// The RPM header parser and index on the headers of the fuzz seed corpus
// (tests/fuzz/pkg/make_rpm_header_seeds.py): what each well-formed one yields, and the message
// each damaged one gets.
#include <QtTest>

#include "pkg/rpm_db.h"
#include "pkg/rpm_header.h"

using namespace loadlens::pkg;

namespace {

QByteArray seed(const char *name)
{
    QFile f(QStringLiteral(QT_TESTCASE_SOURCEDIR "/../fuzz/corpus/rpm_header/") + QString::fromLatin1(name));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

std::span<const unsigned char> bytes(const QByteArray &b)
{
    return {reinterpret_cast<const unsigned char *>(b.constData()), static_cast<std::size_t>(b.size())};
}

RpmIndex indexOf(const char *name)
{
    RpmIndex index;
    const QByteArray blob = seed(name);
    index.addHeader(bytes(blob), name);
    return index;
}

} // namespace

class TestRpmHeader : public QObject {
    Q_OBJECT

private slots:
    void currentPackage()
    {
        const QByteArray blob = seed("sha256_config_ghost");
        QVERIFY(!blob.isEmpty());
        auto h = parseRpmHeader(bytes(blob));
        QVERIFY2(h, h ? "" : h.error().message.c_str());
        QCOMPARE(h->nevra(), std::string("demo-1.0-1.fc40.x86_64"));
        QCOMPARE(h->digestAlgo, 8u);
        QCOMPARE(h->files.size(), std::size_t(4));
        QCOMPARE(h->files[0].path, std::string("/usr/lib64/libdemo.so.1"));
        QCOMPARE(h->files[0].mode, 0100755u);
        QCOMPARE(h->files[0].user, std::string("root"));

        const RpmIndex index = indexOf("sha256_config_ghost");
        auto lib = index.lookup("/usr/lib64/libdemo.so.1");
        QVERIFY(lib && lib->sha256 && !lib->md5 && !lib->configFile);
        QCOMPARE(lib->sha256->size(), std::size_t(64));
        auto conf = index.lookup("/etc/demo.conf");
        QVERIFY(conf && conf->configFile && conf->sha256);
        auto ghost = index.lookup("/var/log/demo.log");
        QVERIFY(ghost && !ghost->sha256 && !ghost->md5);
        QVERIFY(ghost->digestNote.find("%ghost") != std::string::npos);
        QVERIFY(!index.lookup("/usr/share/demo"));  // directories are not indexed
        QVERIFY(!index.lookup("/usr/lib64/libother.so"));
    }

    void olderAndOtherDigests()
    {
        auto md5 = indexOf("md5_no_algo_tag").lookup("/usr/lib64/libdemo.so.1");
        QVERIFY(md5 && md5->md5 && !md5->sha256);
        auto sha512 = indexOf("sha512_not_computed").lookup("/usr/lib64/libdemo.so.1");
        QVERIFY(sha512 && !sha512->md5 && !sha512->sha256);
        QVERIFY2(sha512->digestNote.find("SHA-512") != std::string::npos, sha512->digestNote.c_str());
        auto old = indexOf("old_filenames").lookup("/lib/libancient.so");
        QVERIFY(old && old->md5);
        QCOMPARE(indexOf("pubkey_no_files").packageCount(), std::size_t(1));
    }

    void laterEntriesReplaceTheRegion()
    {
        const RpmIndex index = indexOf("relocated_dribble");
        QVERIFY(index.lookup("/opt/reloc/lib64/libdemo.so.1"));
        QVERIFY(!index.lookup("/usr/lib64/libdemo.so.1"));
    }

    void damagedHeaders_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("message");
        QTest::newRow("truncated") << u"damaged_truncated"_qs << u"bytes, but its intro"_qs;
        QTest::newRow("directory index") << u"damaged_dirindex"_qs << u"names directory 7 of 1 DIRNAMES"_qs;
        QTest::newRow("array count") << u"damaged_count"_qs << u"FILEMODES has 1 entries for 2 files"_qs;
        QTest::newRow("unterminated") << u"damaged_unterminated"_qs << u"runs past the end of the data"_qs;
    }
    void damagedHeaders()
    {
        QFETCH(QString, name);
        QFETCH(QString, message);
        const QByteArray blob = seed(name.toLatin1().constData());
        QVERIFY(!blob.isEmpty());
        auto h = parseRpmHeader(bytes(blob));
        QVERIFY(!h);
        QVERIFY2(QString::fromStdString(h.error().message).contains(message), h.error().message.c_str());
        RpmIndex index;
        QVERIFY(!index.addHeader(bytes(blob), "header #7"));
        QCOMPARE(index.warnings().badHeaders, std::size_t(1));
        QVERIFY(index.warnings().examples.at(0).starts_with("header #7: "));
    }

    void hostileIntro()
    {
        // Counts that would overflow or exceed rpm's own limits are refused before any read.
        const unsigned char huge[] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        auto h = parseRpmHeader(huge);
        QVERIFY(!h);
        QVERIFY2(h.error().message.find("index entries") != std::string::npos, h.error().message.c_str());
        const unsigned char empty[] = {0, 0, 0, 0, 0, 0, 0, 0};
        QVERIFY(!parseRpmHeader(empty));
        QVERIFY(!parseRpmHeader({}));
    }
};

QTEST_GUILESS_MAIN(TestRpmHeader)
#include "tst_rpm_header.moc"
