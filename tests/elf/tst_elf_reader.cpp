// readElf/parseElf against real files: the shared third-party samples (facts from readelf in
// shared/data/README.md), this machine's libc and /bin/ls, and truncated copies of libc.
#include "elf/dynamic_symbols.h"
#include "elf/elf_reader.h"
#include "shared_data.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

using namespace loadlens;
using namespace loadlens::elf;

namespace {

QStringList toQStringList(const std::vector<std::string> &list)
{
    QStringList out;
    for (const auto &s : list)
        out << QString::fromStdString(s);
    return out;
}

bool anyWarningContains(const ElfInfo &info, const char *text)
{
    return std::any_of(info.warnings.begin(), info.warnings.end(),
                       [&](const std::string &w) { return w.find(text) != std::string::npos; });
}

QString warningsText(const ElfInfo &info)
{
    QStringList list = toQStringList(info.warnings);
    return list.join(QStringLiteral(" | "));
}

QStringList names(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *s : list)
        out << QString::fromUtf8(s);
    return out;
}

const char *kInterp = "/lib64/ld-linux-x86-64.so.2";

} // namespace

class TestElfReader : public QObject {
    Q_OBJECT
private slots:
    void sharedSamples_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("bits");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QStringList>("needed");
        QTest::addColumn<QString>("soname");
        QTest::addColumn<QString>("interp");
        QTest::addColumn<bool>("hasRpath");
        QTest::addColumn<QString>("rpath");
        QTest::addColumn<bool>("hasRunpath");
        QTest::addColumn<QString>("runpath");
        QTest::addColumn<qulonglong>("flags1");

        QTest::addRow("dt_flags 32-bit RUNPATH $ORIGIN/lib")
            << "elf/pyelftools_dt_flags.so.elf" << 32 << "DYN" << names({"libc.so.6"}) << ""
            << "" << false << "" << true << "$ORIGIN/lib" << qulonglong(0xc3);
        QTest::addRow("exe_simple64 no RPATH/RUNPATH")
            << "elf/pyelftools_exe_simple64.elf" << 64 << "EXEC" << names({"libc.so.6"}) << ""
            << kInterp << false << "" << false << "" << qulonglong(0);
        QTest::addRow("lib_versioned64 SONAME")
            << "elf/pyelftools_lib_versioned64.so.elf" << 64 << "DYN"
            << names({"libz.so.1", "libc.so.6"}) << "lib_versioned.so.1" << "" << false << ""
            << false << "" << qulonglong(0);
        QTest::addRow("man-db manconv RUNPATH")
            << "elf/debian_man-db_manconv" << 64 << "DYN"
            << names({"libman-2.11.2.so", "libz.so.1", "libpipeline.so.1", "libc.so.6"}) << ""
            << kInterp << false << "" << true << "/usr/lib/man-db" << qulonglong(0x08000001);
        QTest::addRow("llvm-omp-device-info RUNPATH with /build entry")
            << "elf/debian_libomp-14-dev_llvm-omp-device-info" << 64 << "DYN"
            << names({"libomp.so.5", "libomptarget.so", "libomptarget.rtl.x86_64.so",
                           "libm.so.6", "libLLVM-14.so.1", "libffi.so.8", "libelf.so.1",
                           "libstdc++.so.6", "libgcc_s.so.1", "libc.so.6"})
            << "" << kInterp << false << "" << true
            << "$ORIGIN/../lib:/build/llvm-toolchain-14-rmONpU/llvm-toolchain-14-14.0.6/"
               "build-llvm/tools/clang/stage2-bins/./lib"
            << qulonglong(0x08000000);
        QTest::addRow("sharp .node legacy DT_RPATH")
            << "elf/npm_img-sharp-linux-x64_0.34.5_sharp-linux-x64.node" << 64 << "DYN"
            << names({"libvips-cpp.so.8.17.3", "libstdc++.so.6", "libm.so.6", "libgcc_s.so.1",
                           "libpthread.so.0", "libc.so.6", "ld-linux-x86-64.so.2"})
            << "sharp-linux-x64.node" << "" << true
            << "$ORIGIN/../../sharp-libvips-linux-x64/lib:"
               "$ORIGIN/../../../sharp-libvips-linux-x64/1.2.4/lib:"
               "$ORIGIN/../../node_modules/@img/sharp-libvips-linux-x64/lib:"
               "$ORIGIN/../../../node_modules/@img/sharp-libvips-linux-x64/lib:"
               "$ORIGIN/../../../../../@img-sharp-libvips-linux-x64-npm-1.2.4-105fd6d44d/"
               "node_modules/@img/sharp-libvips-linux-x64/lib"
            << false << "" << qulonglong(0x8);
    }
    void sharedSamples()
    {
        QFETCH(QString, file);
        QFETCH(int, bits);
        QFETCH(QString, type);
        QFETCH(QStringList, needed);
        QFETCH(QString, soname);
        QFETCH(QString, interp);
        QFETCH(bool, hasRpath);
        QFETCH(QString, rpath);
        QFETCH(bool, hasRunpath);
        QFETCH(QString, runpath);
        QFETCH(qulonglong, flags1);
        const QString path = testing::sharedDataPath(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + file));

        auto result = readElf(path.toStdString());
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        const ElfInfo &info = *result;
        QVERIFY2(info.warnings.empty(), qPrintable(warningsText(info)));
        QCOMPARE(int(info.elfClass), bits);
        QCOMPARE(info.endian, Endian::Little);
        QCOMPARE(QString::fromUtf8(objectTypeName(info.type).data()), type);
        QCOMPARE(info.machine, bits == 64 ? std::uint16_t(62) : std::uint16_t(3));
        QCOMPARE(info.machineName, std::string(bits == 64 ? "x86-64" : "Intel 80386"));
        QVERIFY(info.hasDynamic);
        QCOMPARE(toQStringList(info.needed), needed);
        QCOMPARE(QString::fromStdString(info.soname), soname);
        QCOMPARE(QString::fromStdString(info.interp), interp);
        QCOMPARE(info.hasRpath, hasRpath);
        QCOMPARE(QString::fromStdString(info.rpath), rpath);
        QCOMPARE(info.hasRunpath, hasRunpath);
        QCOMPARE(QString::fromStdString(info.runpath), runpath);
        QCOMPARE(qulonglong(info.flags1), flags1);
    }

    void readerAndMemoryParserAgree()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "elf/debian_man-db_manconv");
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        auto fromMemory = parseElf({reinterpret_cast<const std::uint8_t *>(bytes.constData()),
                                    std::size_t(bytes.size())});
        auto fromFile = readElf(path.toStdString());
        QVERIFY(fromMemory.ok() && fromFile.ok());
        QCOMPARE(fromMemory->needed, fromFile->needed);
        QCOMPARE(fromMemory->runpath, fromFile->runpath);
        QCOMPARE(fromMemory->interp, fromFile->interp);
    }

    // Damaged samples: never a crash; ELF ones parse with what readelf shows, others are errors
    // naming the file.
    void damagedSamples_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("isElf");
        QTest::addColumn<QString>("type");
        QTest::addColumn<QString>("warning");
        QTest::addRow("corrupt_sh") << "damaged/pyelftools_corrupt_sh.elf" << true << "EXEC" << "";
        QTest::addRow("section_header_bogus_size")
            << "damaged/pyelftools_section_header_bogus_size.elf" << true << "NONE" << "";
        QTest::addRow("section_link_to_self")
            << "damaged/pyelftools_section_link_to_self.elf" << true << "NONE"
            << "non-zero program header offset but no program headers";
        QTest::addRow("compressed_bad_size.o")
            << "damaged/pyelftools_compressed_bad_size.o" << true << "REL" << "";
        QTest::addRow("12-byte text") << "damaged/signify_simple" << false << "" << "too small";
        QTest::addRow("PE file") << "damaged/peparse_pr_153.exe" << false << "" << "bad magic";
        QTest::addRow("EVTX file") << "damaged/evtxrs_issue_201.evtx" << false << "" << "bad magic";
    }
    void damagedSamples()
    {
        QFETCH(QString, file);
        QFETCH(bool, isElf);
        QFETCH(QString, type);
        QFETCH(QString, warning);
        const QString path = testing::sharedDataPath(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + file));
        auto result = readElf(path.toStdString());
        if (!isElf) {
            QVERIFY(!result.ok());
            QCOMPARE(result.error().code, ENOEXEC);
            QVERIFY(QString::fromStdString(result.error().message).contains(path));
            QVERIFY(QString::fromStdString(result.error().message).contains(warning));
            return;
        }
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        QCOMPARE(QString::fromUtf8(objectTypeName(result->type).data()), type);
        QVERIFY(result->needed.empty());
        QVERIFY(!result->hasRpath && !result->hasRunpath);
        if (!warning.isEmpty())
            QVERIFY2(anyWarningContains(*result, warning.toUtf8().constData()),
                     qPrintable(warningsText(*result)));
    }

    void systemLibc()
    {
        const std::string path = "/usr/lib/x86_64-linux-gnu/libc.so.6";
        if (!QFile::exists(QString::fromStdString(path)))
            QSKIP("this machine has no /usr/lib/x86_64-linux-gnu/libc.so.6");
        auto result = readElf(path);
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        QCOMPARE(result->soname, std::string("libc.so.6"));
        QCOMPARE(result->type, ObjectType::SharedObject);
        QCOMPARE(result->machine, std::uint16_t(62));
        QVERIFY(result->warnings.empty());
        QCOMPARE(result->needed, std::vector<std::string>{"ld-linux-x86-64.so.2"});
    }

    void systemLs()
    {
        if (!QFile::exists(QStringLiteral("/bin/ls")))
            QSKIP("this machine has no /bin/ls");
        auto result = readElf("/bin/ls");
        QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
        QVERIFY(std::find(result->needed.begin(), result->needed.end(), "libc.so.6") !=
                result->needed.end());
        QCOMPARE(result->interp, std::string(kInterp));
        QVERIFY(result->soname.empty());
    }

    // A truncated copy of libc: whatever falls beyond the cut is reported, never read.
    void truncatedLibc_data()
    {
        QTest::addColumn<int>("numerator");    // cut at size * numerator / 64, or at `bytes`
        QTest::addColumn<int>("bytes");
        QTest::addColumn<bool>("ok");
        QTest::addColumn<QString>("expected");
        QTest::addRow("inside the ident") << 0 << 10 << false << "file too small";
        QTest::addRow("inside the header") << 0 << 40 << false << "ELF header truncated";
        QTest::addRow("header only") << 0 << 64 << true << "program header offset beyond end of file";
        QTest::addRow("part of the program headers")
            << 0 << 400 << true << "program header table extends beyond end of file";
        QTest::addRow("half") << 32 << 0 << true << "beyond end of file";
    }
    void truncatedLibc()
    {
        QFETCH(int, numerator);
        QFETCH(int, bytes);
        QFETCH(bool, ok);
        QFETCH(QString, expected);
        QFile libc(QStringLiteral("/usr/lib/x86_64-linux-gnu/libc.so.6"));
        if (!libc.open(QIODevice::ReadOnly))
            QSKIP("this machine has no readable /usr/lib/x86_64-linux-gnu/libc.so.6");
        const qint64 cut = numerator ? libc.size() * numerator / 64 : bytes;
        const QByteArray head = libc.read(cut);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString copy = dir.filePath(QStringLiteral("libc.so.6"));
        QFile out(copy);
        QVERIFY(out.open(QIODevice::WriteOnly));
        QCOMPARE(out.write(head), qint64(head.size()));
        out.close();

        auto result = readElf(copy.toStdString());
        QCOMPARE(result.ok(), ok);
        if (!ok) {
            QVERIFY(QString::fromStdString(result.error().message).contains(copy));
            QVERIFY(QString::fromStdString(result.error().message).contains(expected));
            return;
        }
        QVERIFY2(anyWarningContains(*result, expected.toUtf8().constData()),
                 qPrintable(warningsText(*result)));
        if (numerator == 32)  // the dynamic section and PT_INTERP lie in the second half
            QVERIFY(result->soname.empty() && result->interp.empty());
    }

    // The dynamic symbol table: this host's C library exports readdir and open (what LD_PRELOAD
    // rootkits replace); a stripped-of-sections or truncated copy says why it cannot tell.
    void exportedFunctions()
    {
        const QString libc = QStringLiteral("/lib/x86_64-linux-gnu/libc.so.6");
        if (!QFileInfo::exists(libc))
            QSKIP("no /lib/x86_64-linux-gnu/libc.so.6 on this host");
        auto source = FileByteSource::open(libc.toStdString());
        QVERIFY(source.ok());
        const auto names = readExportedFunctions(*source);
        QVERIFY2(names.ok(), names.ok() ? "" : names.error().message.c_str());
        for (const char *f : {"readdir", "open", "accept", "execve", "malloc"})
            QVERIFY2(std::binary_search(names->begin(), names->end(), std::string(f)), f);
        QVERIFY(!std::binary_search(names->begin(), names->end(), std::string("environ"))); // an object, not a function
        QVERIFY(std::is_sorted(names->begin(), names->end()));

        QFile file(libc);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray bytes = file.readAll();
        // No section headers (e_shoff = 0), as sstrip leaves a library: read through PT_DYNAMIC
        // and DT_GNU_HASH, the same functions.
        QByteArray noSections = bytes;
        std::fill(noSections.begin() + 0x28, noSections.begin() + 0x30, char(0));
        MemoryByteSource stripped({reinterpret_cast<const std::uint8_t *>(noSections.constData()), std::size_t(noSections.size())});
        const auto fromSegment = readExportedFunctions(stripped);
        QVERIFY2(fromSegment.ok(), fromSegment.ok() ? "" : fromSegment.error().message.c_str());
        QCOMPARE(fromSegment->size(), names->size());
        QVERIFY(*fromSegment == *names);
        // Neither section headers nor program headers (e_phoff = 0): unknown, not empty.
        QByteArray nothing = noSections;
        std::fill(nothing.begin() + 0x20, nothing.begin() + 0x28, char(0));
        MemoryByteSource bare({reinterpret_cast<const std::uint8_t *>(nothing.constData()), std::size_t(nothing.size())});
        const auto unknown = readExportedFunctions(bare);
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().message.find("unknown") != std::string::npos);
        // Cut before the section headers.
        MemoryByteSource cut({reinterpret_cast<const std::uint8_t *>(bytes.constData()), std::size_t(bytes.size() / 2)});
        QVERIFY(!readExportedFunctions(cut).ok());
    }
};

QTEST_GUILESS_MAIN(TestElfReader)
#include "tst_elf_reader.moc"
