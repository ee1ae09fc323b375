// parseElf/readElf on images built in the test and then damaged one field at a time: every
// case ends in an Error or in partial ElfInfo whose warnings say what was wrong.
#include "elf/elf_reader.h"
#include "elf_image_builder.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <functional>
#include <sys/stat.h>

using namespace loadlens;
using namespace loadlens::elf;
using loadlens::elftest::ElfImage;
using loadlens::elftest::ElfImageSpec;

Q_DECLARE_METATYPE(std::function<void(ElfImage &)>)

namespace {

using Damage = std::function<void(ElfImage &)>;

constexpr std::uint64_t kDtNeeded = 1, kDtStrtab = 5, kDtStrsz = 10, kDtRunpath = 29;

ElfImageSpec fullSpec(bool is64, bool bigEndian)
{
    ElfImageSpec spec;
    spec.is64 = is64;
    spec.bigEndian = bigEndian;
    spec.machine = is64 ? 183 : 40;
    spec.interp = "/lib/ld-linux-aarch64.so.1";
    spec.needed = {"libfoo.so.1", "libbar.so.2", "libc.so.6"};
    spec.soname = "libtest.so.1";
    spec.runpath = "$ORIGIN/../lib:/opt/x";
    spec.flags1 = 0x800;
    return spec;
}

Result<ElfInfo> parse(const ElfImage &image)
{
    return parseElf({image.bytes.data(), image.bytes.size()});
}

QString joined(const ElfInfo &info)
{
    QStringList list;
    for (const auto &w : info.warnings)
        list << QString::fromStdString(w);
    return list.join(QStringLiteral(" | "));
}

bool hasWarning(const ElfInfo &info, const QString &text)
{
    return joined(info).contains(text);
}

} // namespace

class TestElfReaderMalformed : public QObject {
    Q_OBJECT
private slots:
    void wellFormedImagesInEveryByteOrder_data()
    {
        QTest::addColumn<bool>("is64");
        QTest::addColumn<bool>("bigEndian");
        QTest::addRow("ELF64 little") << true << false;
        QTest::addRow("ELF64 big") << true << true;
        QTest::addRow("ELF32 little") << false << false;
        QTest::addRow("ELF32 big") << false << true;
    }
    void wellFormedImagesInEveryByteOrder()
    {
        QFETCH(bool, is64);
        QFETCH(bool, bigEndian);
        const ElfImage image = elftest::buildElfImage(fullSpec(is64, bigEndian));
        auto result = parse(image);
        QVERIFY(result.ok());
        QVERIFY2(result->warnings.empty(), qPrintable(joined(*result)));
        QCOMPARE(result->elfClass, is64 ? ElfClass::Elf64 : ElfClass::Elf32);
        QCOMPARE(result->endian, bigEndian ? Endian::Big : Endian::Little);
        QCOMPARE(result->machine, std::uint16_t(is64 ? 183 : 40));
        QCOMPARE(result->machineName, std::string(is64 ? "AArch64" : "ARM"));
        QCOMPARE(result->type, ObjectType::SharedObject);
        QCOMPARE(result->interp, std::string("/lib/ld-linux-aarch64.so.1"));
        QCOMPARE(result->needed, (std::vector<std::string>{"libfoo.so.1", "libbar.so.2", "libc.so.6"}));
        QCOMPARE(result->soname, std::string("libtest.so.1"));
        QVERIFY(result->hasRunpath && !result->hasRpath);
        QCOMPARE(result->runpath, std::string("$ORIGIN/../lib:/opt/x"));
        QVERIFY(result->noDefaultLib());
    }

    void notElf_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("message");
        QTest::addRow("empty") << QByteArray() << "file too small";
        QTest::addRow("text") << QByteArray("#!/bin/sh\necho hello\n") << "bad magic";
        QTest::addRow("bad class") << QByteArray("\x7f" "ELF\x03\x01\x01", 7).leftJustified(64, '\0')
                                   << "unknown ELF class 3";
        QTest::addRow("bad encoding") << QByteArray("\x7f" "ELF\x02\x07\x01", 7).leftJustified(64, '\0')
                                      << "unknown data encoding 7";
        QTest::addRow("64-bit header cut") << QByteArray("\x7f" "ELF\x02\x01\x01", 7).leftJustified(40, '\0')
                                           << "ELF header truncated";
    }
    void notElf()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, message);
        auto result = parseElf({reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                                std::size_t(bytes.size())});
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, ENOEXEC);
        QVERIFY2(QString::fromStdString(result.error().message).contains(message),
                 result.error().message.c_str());
    }

    // Each row damages one field of a good ELF64 image and names the warning it must produce.
    void damagedImages_data()
    {
        QTest::addColumn<Damage>("damage");
        QTest::addColumn<QString>("warning");
        QTest::addColumn<int>("neededLeft");  // -1: not checked

        QTest::addRow("program headers past EOF")
            << Damage([](ElfImage &i) { i.put(i.phoffField, i.bytes.size() + 100); })
            << "program header offset beyond end of file" << 0;
        QTest::addRow("huge program header count")
            << Damage([](ElfImage &i) { i.put(i.phnumField, 0xfff0, 2); })
            << "program header table extends beyond end of file" << 3;
        QTest::addRow("PN_XNUM without section headers")
            << Damage([](ElfImage &i) { i.put(i.phnumField, 0xffff, 2); })
            << "PN_XNUM" << 0;
        QTest::addRow("program header entry too small")
            << Damage([](ElfImage &i) { i.put(i.phentsizeField, 8, 2); })
            << "program header entry size 8" << 0;
        QTest::addRow("dynamic section past EOF")
            << Damage([](ElfImage &i) { i.put(i.phdrField(i.dynamicPhdr, 1), 1u << 30); })
            << "dynamic section offset 0x40000000 beyond end of file" << 0;
        QTest::addRow("dynamic section size huge")
            << Damage([](ElfImage &i) { i.put(i.phdrField(i.dynamicPhdr, 3), 0xffffffffffull); })
            << "dynamic section extends beyond end of file" << 3;
        QTest::addRow("no DT_NULL")
            << Damage([](ElfImage &i) {
                   i.put(i.phdrField(i.dynamicPhdr, 3), (i.dynamicCount - 1) * 16);
               })
            << "no DT_NULL terminator" << 3;
        QTest::addRow("DT_STRTAB outside every PT_LOAD")
            << Damage([](ElfImage &i) { i.put(i.dynamicField(kDtStrtab), 0x10); })
            << "is not inside any PT_LOAD segment" << 0;
        QTest::addRow("string table offset beyond end of file")
            << Damage([](ElfImage &i) {
                   // The segment claims file data far past EOF; DT_STRTAB points into that part.
                   i.put(i.phdrField(i.loadPhdr, 3), 1u << 20);
                   i.put(i.dynamicField(kDtStrtab), i.loadVaddr + (1u << 19));
               })
            << "string table offset 0x80000 beyond end of file" << 0;
        QTest::addRow("DT_STRSZ larger than the segment")
            << Damage([](ElfImage &i) { i.put(i.dynamicField(kDtStrsz), 1ull << 40); })
            << "runs past its PT_LOAD segment" << 3;
        QTest::addRow("DT_NEEDED offset beyond the string table")
            << Damage([](ElfImage &i) { i.put(i.dynamicField(kDtNeeded), 1u << 20); })
            << "DT_NEEDED string offset 1048576 beyond string table" << 2;
        QTest::addRow("unterminated string")
            << Damage([](ElfImage &i) { i.put(i.dynamicField(kDtStrsz), i.strtabSize - 3); })
            << "DT_RUNPATH string at offset" << 3;
        QTest::addRow("string table is the dynamic section itself")
            << Damage([](ElfImage &i) { i.put(i.dynamicField(kDtStrtab), i.loadVaddr + i.dynamicOffset); })
            << "" << -1;
        QTest::addRow("every string offset the same")
            << Damage([](ElfImage &i) {
                   for (std::size_t e = 0; e < i.dynamicCount; ++e)
                       if (i.get(i.dynamicOffset + e * 16) == kDtNeeded || i.get(i.dynamicOffset + e * 16) == kDtRunpath)
                           i.put(i.dynamicOffset + e * 16 + 8, 1);
               })
            << "" << 3;
    }
    void damagedImages()
    {
        QFETCH(Damage, damage);
        QFETCH(QString, warning);
        QFETCH(int, neededLeft);
        ElfImage image = elftest::buildElfImage(fullSpec(true, false));
        damage(image);
        auto result = parse(image);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        if (!warning.isEmpty())
            QVERIFY2(hasWarning(*result, warning), qPrintable(joined(*result)));
        if (neededLeft >= 0)
            QCOMPARE(int(result->needed.size()), neededLeft);
    }

    void unterminatedRunpathKeepsWhatWasThere()
    {
        ElfImage image = elftest::buildElfImage(fullSpec(true, false));
        image.put(image.dynamicField(kDtStrsz), image.strtabSize - 3);  // cuts "/opt/x\0" to "/opt"
        auto result = parse(image);
        QVERIFY(result.ok());
        QCOMPARE(result->runpath, std::string("$ORIGIN/../lib:/opt"));
        QVERIFY(hasWarning(*result, QStringLiteral("not NUL-terminated")));
    }

    void warningsAreBounded()
    {
        ElfImageSpec spec;
        for (int n = 0; n < 3000; ++n)
            spec.needed.push_back("lib" + std::to_string(n) + ".so");
        ElfImage image = elftest::buildElfImage(spec);
        for (std::size_t e = 0; e < image.dynamicCount; ++e)
            if (image.get(image.dynamicOffset + e * 16) == kDtNeeded)
                image.put(image.dynamicOffset + e * 16 + 8, 1u << 30);
        auto result = parse(image);
        QVERIFY(result.ok());
        QVERIFY(result->needed.empty());
        QVERIFY(result->warnings.size() <= 65);
        QCOMPARE(result->warnings.back(), std::string("further warnings suppressed"));
    }

    // Every prefix of a good image: an Error below the header size, partial info above it.
    void everyTruncationIsHandled()
    {
        for (bool is64 : {true, false}) {
            const ElfImage image = elftest::buildElfImage(fullSpec(is64, !is64));
            const std::size_t header = is64 ? 64 : 52;
            for (std::size_t len = 0; len < image.bytes.size(); ++len) {
                auto result = parseElf({image.bytes.data(), len});
                QCOMPARE(result.ok(), len >= header);
                if (result.ok())
                    QVERIFY2(!result->warnings.empty(), qPrintable(QString::number(len)));
            }
        }
    }

    void fileOpenRules()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const ElfImage image = elftest::buildElfImage(fullSpec(true, false));
        const QString real = dir.filePath(QStringLiteral("libtest.so.1"));
        QFile f(real);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(reinterpret_cast<const char *>(image.bytes.data()), qint64(image.bytes.size()));
        f.close();
        QVERIFY(readElf(real.toStdString()).ok());

        const QString link = dir.filePath(QStringLiteral("libtest.so"));
        QVERIFY(QFile::link(real, link));
        auto viaLink = readElf(link.toStdString());
        QVERIFY(!viaLink.ok());
        QCOMPARE(viaLink.error().code, ELOOP);

        const QString fifo = dir.filePath(QStringLiteral("fifo.so"));
        QCOMPARE(::mkfifo(fifo.toLocal8Bit().constData(), 0600), 0);
        auto viaFifo = readElf(fifo.toStdString());  // must not block waiting for a writer
        QVERIFY(!viaFifo.ok());
        QVERIFY(QString::fromStdString(viaFifo.error().message).contains(QStringLiteral("not a regular file")));

        auto onDir = readElf(dir.path().toStdString());
        QVERIFY(!onDir.ok());

        auto missing = readElf(dir.filePath(QStringLiteral("missing.so")).toStdString());
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ENOENT);
        QVERIFY(QString::fromStdString(missing.error().message).contains(QStringLiteral("missing.so")));
    }
};

QTEST_GUILESS_MAIN(TestElfReaderMalformed)
#include "tst_elf_reader_malformed.moc"
