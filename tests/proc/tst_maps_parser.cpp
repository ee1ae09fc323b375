// /proc/PID/maps lines as the kernel writes them, including the names a hostile process can
// choose, and damaged lines that must be rejected without harm.
#include "proc/maps_parser.h"

#include <QtTest>

using namespace loadlens::proc;

class TestMapsParser : public QObject {
    Q_OBJECT
private slots:
    void parsesLine_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<quint64>("start");
        QTest::addColumn<quint64>("end");
        QTest::addColumn<QString>("perms");
        QTest::addColumn<quint64>("offset");
        QTest::addColumn<uint>("major");
        QTest::addColumn<uint>("minor");
        QTest::addColumn<quint64>("inode");
        QTest::addColumn<QByteArray>("path");
        QTest::addColumn<bool>("deleted");

        QTest::addRow("library")
            << QByteArray("7f1c2c3a5000-7f1c2c3cb000 r-xp 00028000 fe:00 1311089                    /usr/lib/x86_64-linux-gnu/libc.so.6")
            << quint64(0x7f1c2c3a5000) << quint64(0x7f1c2c3cb000) << QStringLiteral("r-xp") << quint64(0x28000)
            << 0xfeu << 0u << quint64(1311089) << QByteArray("/usr/lib/x86_64-linux-gnu/libc.so.6") << false;
        QTest::addRow("with newline at end")
            << QByteArray("00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/dbus-daemon\n")
            << quint64(0x400000) << quint64(0x452000) << QStringLiteral("r-xp") << quint64(0) << 8u << 2u
            << quint64(173521) << QByteArray("/usr/bin/dbus-daemon") << false;
        QTest::addRow("spaces in path")
            << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 42      /opt/My App/lib two  spaces.so")
            << quint64(0x7f0000000000) << quint64(0x7f0000001000) << QStringLiteral("r-xp") << quint64(0)
            << 0xfeu << 0u << quint64(42) << QByteArray("/opt/My App/lib two  spaces.so") << false;
        QTest::addRow("escaped newline")
            << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 43      /tmp/evil\\012name.so")
            << quint64(0x7f0000000000) << quint64(0x7f0000001000) << QStringLiteral("r-xp") << quint64(0)
            << 0xfeu << 0u << quint64(43) << QByteArray("/tmp/evil\nname.so") << false;
        QTest::addRow("other backslashes kept")
            << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 43      /tmp/a\\b\\01.so")
            << quint64(0x7f0000000000) << quint64(0x7f0000001000) << QStringLiteral("r-xp") << quint64(0)
            << 0xfeu << 0u << quint64(43) << QByteArray("/tmp/a\\b\\01.so") << false;
        QTest::addRow("deleted suffix")
            << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 44      /tmp/payload.so (deleted)")
            << quint64(0x7f0000000000) << quint64(0x7f0000001000) << QStringLiteral("r-xp") << quint64(0)
            << 0xfeu << 0u << quint64(44) << QByteArray("/tmp/payload.so") << true;
        QTest::addRow("memfd")
            << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 00:01 1025      /memfd:x (deleted)")
            << quint64(0x7f0000000000) << quint64(0x7f0000001000) << QStringLiteral("r-xp") << quint64(0) << 0u
            << 1u << quint64(1025) << QByteArray("/memfd:x") << true;
        QTest::addRow("deleted in the middle of a name")
            << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 45      /tmp/a (deleted) b.so")
            << quint64(0x7f0000000000) << quint64(0x7f0000001000) << QStringLiteral("r-xp") << quint64(0)
            << 0xfeu << 0u << quint64(45) << QByteArray("/tmp/a (deleted) b.so") << false;
        QTest::addRow("named deleted and deleted")
            << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 46      /tmp/x.so (deleted) (deleted)")
            << quint64(0x7f0000000000) << quint64(0x7f0000001000) << QStringLiteral("r-xp") << quint64(0)
            << 0xfeu << 0u << quint64(46) << QByteArray("/tmp/x.so (deleted)") << true;
        QTest::addRow("vdso")
            << QByteArray("7ffd5c5f3000-7ffd5c5f5000 r-xp 00000000 00:00 0                          [vdso]")
            << quint64(0x7ffd5c5f3000) << quint64(0x7ffd5c5f5000) << QStringLiteral("r-xp") << quint64(0) << 0u
            << 0u << quint64(0) << QByteArray("[vdso]") << false;
        QTest::addRow("vsyscall")
            << QByteArray("ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]")
            << quint64(0xffffffffff600000) << quint64(0xffffffffff601000) << QStringLiteral("--xp") << quint64(0)
            << 0u << 0u << quint64(0) << QByteArray("[vsyscall]") << false;
        QTest::addRow("heap")
            << QByteArray("5581b7c4e000-5581b7c6f000 rw-p 00000000 00:00 0                          [heap]")
            << quint64(0x5581b7c4e000) << quint64(0x5581b7c6f000) << QStringLiteral("rw-p") << quint64(0) << 0u
            << 0u << quint64(0) << QByteArray("[heap]") << false;
        QTest::addRow("stack")
            << QByteArray("7ffd5c4d2000-7ffd5c4f3000 rw-p 00000000 00:00 0                          [stack]")
            << quint64(0x7ffd5c4d2000) << quint64(0x7ffd5c4f3000) << QStringLiteral("rw-p") << quint64(0) << 0u
            << 0u << quint64(0) << QByteArray("[stack]") << false;
        QTest::addRow("vvar")
            << QByteArray("7ffd5c5ef000-7ffd5c5f3000 r--p 00000000 00:00 0                          [vvar]")
            << quint64(0x7ffd5c5ef000) << quint64(0x7ffd5c5f3000) << QStringLiteral("r--p") << quint64(0) << 0u
            << 0u << quint64(0) << QByteArray("[vvar]") << false;
        QTest::addRow("anonymous with trailing space")
            << QByteArray("7f1c2c000000-7f1c2c021000 rw-p 00000000 00:00 0 ")
            << quint64(0x7f1c2c000000) << quint64(0x7f1c2c021000) << QStringLiteral("rw-p") << quint64(0) << 0u
            << 0u << quint64(0) << QByteArray() << false;
        QTest::addRow("anonymous without trailing space")
            << QByteArray("7f1c2c000000-7f1c2c021000 r-xp 00000000 00:00 0")
            << quint64(0x7f1c2c000000) << quint64(0x7f1c2c021000) << QStringLiteral("r-xp") << quint64(0) << 0u
            << 0u << quint64(0) << QByteArray() << false;
        QTest::addRow("named anonymous")
            << QByteArray("7f1c2c000000-7f1c2c021000 r-xp 00000000 00:00 0                          [anon:jit code]")
            << quint64(0x7f1c2c000000) << quint64(0x7f1c2c021000) << QStringLiteral("r-xp") << quint64(0) << 0u
            << 0u << quint64(0) << QByteArray("[anon:jit code]") << false;
        QTest::addRow("shared mapping, big device numbers")
            << QByteArray("7f0000000000-7f0000001000 r--s 7fffffffffff0000 103:1a 18446744073709551615 /dev/shm/x")
            << quint64(0x7f0000000000) << quint64(0x7f0000001000) << QStringLiteral("r--s")
            << quint64(0x7fffffffffff0000) << 0x103u << 0x1au << quint64(18446744073709551615ull)
            << QByteArray("/dev/shm/x") << false;
    }
    void parsesLine()
    {
        QFETCH(QByteArray, line);
        auto entry = parseMapsLine(std::string_view(line.constData(), static_cast<std::size_t>(line.size())));
        QVERIFY(entry);
        QFETCH(quint64, start);
        QFETCH(quint64, end);
        QFETCH(QString, perms);
        QFETCH(quint64, offset);
        QFETCH(uint, major);
        QFETCH(uint, minor);
        QFETCH(quint64, inode);
        QFETCH(QByteArray, path);
        QFETCH(bool, deleted);
        QCOMPARE(quint64(entry->start), start);
        QCOMPARE(quint64(entry->end), end);
        QCOMPARE(QString::fromStdString(entry->perms), perms);
        QCOMPARE(quint64(entry->offset), offset);
        QCOMPARE(uint(entry->devMajor), major);
        QCOMPARE(uint(entry->devMinor), minor);
        QCOMPARE(quint64(entry->inode), inode);
        QCOMPARE(QByteArray::fromStdString(entry->path), path);
        QCOMPARE(entry->deletedSuffix, deleted);
        QCOMPARE(entry->executable(), perms.at(2) == QLatin1Char('x'));
    }

    void rejectsGarbage_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addRow("empty") << QByteArray("");
        QTest::addRow("spaces") << QByteArray("     ");
        QTest::addRow("words") << QByteArray("hello world this is not maps");
        QTest::addRow("truncated after range") << QByteArray("7f0000000000-7f0000001000");
        QTest::addRow("truncated in perms") << QByteArray("7f0000000000-7f0000001000 r-x");
        QTest::addRow("truncated after offset") << QByteArray("7f0000000000-7f0000001000 r-xp 00000000");
        QTest::addRow("truncated in device") << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:");
        QTest::addRow("no inode") << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 ");
        QTest::addRow("missing dash") << QByteArray("7f0000000000 7f0000001000 r-xp 00000000 fe:00 1 /x");
        QTest::addRow("end before start") << QByteArray("7f0000001000-7f0000000000 r-xp 00000000 fe:00 1 /x");
        QTest::addRow("empty range") << QByteArray("7f0000001000-7f0000001000 r-xp 00000000 fe:00 1 /x");
        QTest::addRow("bad perms") << QByteArray("7f0000000000-7f0000001000 rwzp 00000000 fe:00 1 /x");
        QTest::addRow("address too long") << QByteArray("17f00000000000000-27f00000000000000 r-xp 00000000 fe:00 1 /x");
        QTest::addRow("inode overflow") << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 18446744073709551616 /x");
        QTest::addRow("device too wide") << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 1fe000000:00 1 /x");
        QTest::addRow("junk after inode") << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 12x /x");
        QTest::addRow("two lines") << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 1 /x\n7f0000001000-7f0000002000 r-xp 00000000 fe:00 1 /x");
        QTest::addRow("embedded NUL") << QByteArray("7f0000000000-7f0000001000 r-xp 00000000 fe:00 1 /x\0y", 52);
        QTest::addRow("tab separators") << QByteArray("7f0000000000-7f0000001000\tr-xp 00000000 fe:00 1 /x");
    }
    void rejectsGarbage()
    {
        QFETCH(QByteArray, line);
        QVERIFY(!parseMapsLine(std::string_view(line.constData(), static_cast<std::size_t>(line.size()))));
    }

    void parsesWholeBufferAndCountsBadLines()
    {
        const std::string buffer =
            "55fec7623000-55fec7625000 r--p 00000000 fe:00 247498                     /usr/bin/head\n"
            "55fec7625000-55fec762b000 r-xp 00002000 fe:00 247498                     /usr/bin/head\n"
            "this line is damaged\n"
            "\n"
            "56346173f000-56346174f000 rw-p 00000000 00:00 0 \n"
            "7ffd5c5f3000-7ffd5c5f5000 r-xp 00000000 00:00 0                          [vdso]";  // no final newline
        const ParsedMaps parsed = parseMaps(buffer);
        QCOMPARE(parsed.entries.size(), std::size_t(4));
        QCOMPARE(parsed.malformedLines, std::size_t(1));
        QCOMPARE(parsed.entries[1].offset, std::uint64_t(0x2000));
        QVERIFY(parsed.entries[2].path.empty());
        QCOMPARE(parsed.entries[3].path, std::string("[vdso]"));
    }

    void parsesOwnMaps()
    {
        QFile maps(QStringLiteral("/proc/self/maps"));
        QVERIFY(maps.open(QIODevice::ReadOnly));
        const QByteArray text = maps.readAll();
        const ParsedMaps parsed = parseMaps(std::string_view(text.constData(), static_cast<std::size_t>(text.size())));
        QCOMPARE(parsed.malformedLines, std::size_t(0));
        QCOMPARE(qsizetype(parsed.entries.size()), text.count('\n'));
        bool sawSelf = false;
        const std::string self = QCoreApplication::applicationFilePath().toStdString();
        for (const auto &e : parsed.entries)
            sawSelf = sawSelf || (e.path == self && e.executable());
        QVERIFY2(sawSelf, self.c_str());
    }

    void unescapesOnlyNewlines()
    {
        QCOMPARE(unescapeMapsPath("/a\\012b\\012"), std::string("/a\nb\n"));
        QCOMPARE(unescapeMapsPath("/a\\01"), std::string("/a\\01"));
        QCOMPARE(unescapeMapsPath("\\\\012"), std::string("\\\n"));
    }
};

QTEST_GUILESS_MAIN(TestMapsParser)
#include "tst_maps_parser.moc"
