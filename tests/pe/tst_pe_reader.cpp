// parsePe against real Windows images from ../shared/data (Microsoft, Debian, Wine, npm), with
// objdump -p as the oracle for the import and export tables, and against damaged copies.
#include "pe/pe_reader.h"
#include "program_run.h"
#include "shared_data.h"

#include <QDirIterator>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QtTest>

#include <algorithm>
#include <cstring>

using namespace loadlens;
using namespace loadlens::pe;

namespace {

std::vector<std::uint8_t> load(const QString &path)
{
    auto bytes = readImageFile(path.toStdString());
    if (!bytes)
        qFatal("%s", bytes.error().message.c_str());
    return std::move(*bytes);
}

QStringList sharedImages()
{
    QStringList files;
    for (const char *dir : {"windows/pe", "windows/wine", "pe"}) {
        const QString root = testing::sharedDataPath(QString::fromLatin1(dir));
        if (root.isEmpty())
            continue;
        QDirIterator it(root, QDir::Files, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QString path = it.next();
            if (path.endsWith(QLatin1String(".dll")) || path.endsWith(QLatin1String(".exe")) ||
                path.endsWith(QLatin1String(".sys")) || path.endsWith(QLatin1String(".node")) ||
                path.endsWith(QLatin1String(".signed")))
                files << path;
        }
    }
    files.sort();
    return files;
}

} // namespace

class TestPeReader : public QObject {
    Q_OBJECT
private slots:
    void headers_data()
    {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<bool>("is64");
        QTest::addColumn<int>("certificates");
        QTest::addColumn<bool>("managed");
        // Facts from file(1) and the shared data README.
        QTest::addRow("fwupd EFI") << "windows/pe/debian/fwupdx64.efi.signed" << "EFI" << true << 1 << false;
        QTest::addRow("DXCore.dll") << "windows/pe/signify/DXCore.dll" << "DLL" << true << 1 << false;
        QTest::addRow("pciide.sys") << "windows/pe/signify/pciide.sys" << "SYS" << true << 1 << false;
        QTest::addRow("kdbazis.dll") << "windows/pe/signify/kdbazis.dll" << "DLL" << true << 1 << false;
        QTest::addRow("unsigned.exe") << "windows/pe/osslsigncode/unsigned.exe" << "EXE" << true << 0 << false;
        QTest::addRow("msal node addon") << "windows/pe/npm/msal-node-runtime.node" << "DLL" << true << 0 << false;
        QTest::addRow("whois.exe (PE32)") << "pe/signify_whois.exe" << "EXE" << false << 1 << false;
        QTest::addRow("wine kernel32") << "windows/wine/drive_c/windows/system32/kernel32.dll" << "DLL" << true << 0 << false;
    }
    void headers()
    {
        QFETCH(QString, relative);
        QFETCH(QString, kind);
        QFETCH(bool, is64);
        QFETCH(int, certificates);
        QFETCH(bool, managed);
        const QString path = testing::sharedDataPath(relative);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample missing: ") + relative));
        const auto bytes = load(path);
        const auto info = parsePe(bytes, path.toStdString());
        QVERIFY2(info.ok(), info.ok() ? "" : info.error().message.c_str());
        QCOMPARE(QString::fromLatin1(peKindName(info->kind)), kind);
        QCOMPARE(info->is64(), is64);
        QCOMPARE(int(info->certificates.size()), certificates);
        QCOMPARE(info->isManaged(), managed);
        for (const auto &cert : info->certificates) {
            QCOMPARE(cert.type, kCertTypePkcsSignedData);
            QVERIFY(cert.contentOffset + cert.contentLength <= bytes.size());
        }
        QVERIFY2(info->warnings.empty(), info->warnings.empty() ? "" : info->warnings.front().c_str());
    }

    // Import DLL names in order, delay imports, and exports with their forwarders, compared with
    // what objdump -p prints for the same file.
    void tablesMatchObjdump_data()
    {
        QTest::addColumn<QString>("path");
        for (const QString &path : sharedImages())
            QTest::newRow(qPrintable(QFileInfo(path).fileName())) << path;
    }
    void tablesMatchObjdump()
    {
        QFETCH(QString, path);
        const QString objdump = QStandardPaths::findExecutable(QStringLiteral("objdump"));
        if (objdump.isEmpty())
            QSKIP("objdump (binutils) is not installed: the oracle for import and export tables is missing");
        const auto run = testing::runProgram(objdump, {QStringLiteral("-p"), path});
        QCOMPARE(run.exitCode, 0);
        const QString text = QString::fromUtf8(run.out);

        QStringList expectedImports;
        static const QRegularExpression dllName(QStringLiteral("^\\tDLL Name: (.*)$"), QRegularExpression::MultilineOption);
        for (auto it = dllName.globalMatch(text); it.hasNext();)
            expectedImports << it.next().captured(1);
        std::size_t expectedForwarders = text.count(QStringLiteral("Forwarder RVA -- "));
        static const QRegularExpression exportLine(QStringLiteral("^\\t\\[ *\\d+\\] \\+base\\[ *\\d+\\] ([0-9a-f]+) "),
                                                   QRegularExpression::MultilineOption);
        std::size_t expectedExports = 0;
        for (auto it = exportLine.globalMatch(text); it.hasNext();)
            if (it.next().captured(1).toULongLong(nullptr, 16) != 0)
                ++expectedExports;

        const auto bytes = load(path);
        const auto info = parsePe(bytes, path.toStdString());
        QVERIFY2(info.ok(), info.ok() ? "" : info.error().message.c_str());
        QStringList imports;
        for (const auto &dll : info->imports)
            if (!dll.delayed)
                imports << QString::fromStdString(dll.dll);
        QCOMPARE(imports, expectedImports);
        std::size_t forwarders = std::count_if(info->exports.begin(), info->exports.end(),
                                               [](const ExportedSymbol &e) { return !e.forwarder.empty(); });
        QCOMPARE(forwarders, expectedForwarders);
        QCOMPARE(info->exports.size(), expectedExports);
        static const QRegularExpression checksum(QStringLiteral("^CheckSum\\s+([0-9a-f]+)$"), QRegularExpression::MultilineOption);
        const auto match = checksum.match(text);
        QVERIFY(match.hasMatch());
        QCOMPARE(info->storedChecksum, match.captured(1).toUInt(nullptr, 16));
    }

    // The header checksum as Windows computes it: right for the Microsoft-signed images, wrong
    // for the copy with one flipped bit.
    void checksum_data()
    {
        QTest::addColumn<QString>("relative");
        QTest::addColumn<bool>("matches");
        QTest::addRow("DXCore.dll") << "windows/pe/signify/DXCore.dll" << true;
        QTest::addRow("pciide.sys") << "windows/pe/signify/pciide.sys" << true;
        QTest::addRow("whois.exe") << "pe/signify_whois.exe" << true;
        QTest::addRow("pciide_corrupt.sys") << "windows/pe/derived/pciide_corrupt.sys" << false;
    }
    void checksum()
    {
        QFETCH(QString, relative);
        QFETCH(bool, matches);
        const QString path = testing::sharedDataPath(relative);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample missing: ") + relative));
        const auto bytes = load(path);
        const auto info = parsePe(bytes);
        QVERIFY(info.ok());
        QCOMPARE(computeChecksum(bytes, info->checksumFieldOffset) == info->storedChecksum, matches);
    }

    void delayImportsAndForwarders()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(dxcore, "windows/pe/signify/DXCore.dll");
        const auto bytes = load(dxcore);
        const auto info = parsePe(bytes);
        QVERIFY(info.ok());
        // The delay-import directory is 0xa0 bytes: four descriptors and the zero terminator.
        QCOMPARE(std::count_if(info->imports.begin(), info->imports.end(), [](const ImportedDll &d) { return d.delayed; }), 4);
        for (const auto &dll : info->imports)
            QVERIFY2(!dll.symbols.empty(), dll.dll.c_str());

        LOADLENS_SHARED_DATA_OR_SKIP(kernel32, "windows/wine/drive_c/windows/system32/kernel32.dll");
        const auto kbytes = load(kernel32);
        const auto k = parsePe(kbytes);
        QVERIFY(k.ok());
        QCOMPARE(QString::fromStdString(k->exportName), QStringLiteral("KERNEL32.dll"));
        const auto it = std::find_if(k->exports.begin(), k->exports.end(),
                                     [](const ExportedSymbol &e) { return e.name == "AcquireSRWLockExclusive"; });
        QVERIFY(it != k->exports.end());
        QCOMPARE(QString::fromStdString(it->forwarder), QStringLiteral("NTDLL.RtlAcquireSRWLockExclusive"));
    }

    // Every truncation of a real signed image either parses (with the damage named) or fails
    // with a message naming the file; none crashes or reads out of bounds (ASan in CI).
    void truncatedImages()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/pe/signify/kdbazis.dll");
        const auto bytes = load(path);
        int failures = 0;
        for (std::size_t size = 0; size < bytes.size(); size += (size < 4096 ? 7 : 509)) {
            const auto info = parsePe({bytes.data(), size}, "cut");
            if (!info) {
                ++failures;
                QVERIFY2(info.error().message.rfind("cut: ", 0) == 0, info.error().message.c_str());
            }
        }
        QVERIFY(failures > 0);
        // Cut inside the certificate table: the table no longer fits, which is an error.
        const auto whole = parsePe(bytes);
        QVERIFY(whole.ok());
        const auto cut = parsePe({bytes.data(), bytes.size() - 16}, "cut");
        QVERIFY(!cut.ok());
        QVERIFY2(cut.error().message.find("certificate table") != std::string::npos, cut.error().message.c_str());
    }

    void malformedHeaders_data()
    {
        QTest::addColumn<int>("offset");  // relative to the PE signature, or -1 for e_lfanew
        QTest::addColumn<quint32>("value");
        QTest::addColumn<int>("width");
        QTest::addColumn<QString>("message");
        QTest::addRow("e_lfanew past the end") << -1 << 0x7ffffff0u << 4 << "past the end";
        QTest::addRow("bad signature") << 0 << 0x00004551u << 4 << "no PE signature";
        QTest::addRow("too many sections") << 6 << 4000u << 2 << "sections";
        QTest::addRow("unknown magic") << 24 << 0x1234u << 2 << "magic";
        QTest::addRow("optional header too small") << 20 << 16u << 2 << "too small";
    }
    void malformedHeaders()
    {
        QFETCH(int, offset);
        QFETCH(quint32, value);
        QFETCH(int, width);
        QFETCH(QString, message);
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/pe/osslsigncode/unsigned.exe");
        auto bytes = load(path);
        const std::uint32_t pe = bytes[0x3c] | (bytes[0x3d] << 8) | (bytes[0x3e] << 16) | (std::uint32_t(bytes[0x3f]) << 24);
        const std::size_t at = offset < 0 ? 0x3c : pe + std::size_t(offset);
        for (int i = 0; i < width; ++i)
            bytes[at + std::size_t(i)] = static_cast<std::uint8_t>(value >> (8 * i));
        const auto info = parsePe(bytes, "damaged.exe");
        QVERIFY(!info.ok());
        QVERIFY2(QString::fromStdString(info.error().message).contains(message), info.error().message.c_str());
        QVERIFY(info.error().message.rfind("damaged.exe: ", 0) == 0);
    }

    void versionAndManifest()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(dxcore, "windows/pe/signify/DXCore.dll");
        auto bytes = load(dxcore);
        auto info = parsePe(bytes);
        QVERIFY(info.ok());
        QCOMPARE(QString::fromStdString(info->version.fileVersion), QStringLiteral("10.0.26100.4768"));
        QCOMPARE(QString::fromStdString(info->version.value("CompanyName")), QStringLiteral("Microsoft Corporation"));
        QCOMPARE(QString::fromStdString(info->version.value("OriginalFilename")), QStringLiteral("DXCore.DLL"));
        QCOMPARE(QString::fromStdString(info->version.value("ProductName")),
                 QString::fromUtf8("Microsoft\u00ae Windows\u00ae Operating System"));

        LOADLENS_SHARED_DATA_OR_SKIP(node, "windows/pe/npm/msal-node-runtime.node");
        bytes = load(node);
        info = parsePe(bytes);
        QVERIFY(info.ok());
        QVERIFY(QString::fromStdString(info->manifest).contains(QLatin1String("<assembly")));
        QCOMPARE(info->manifestResourceId, 2u); // a DLL's own: ISOLATIONAWARE_MANIFEST_RESOURCE_ID

        // An EXE's is resource 1, the one its process's activation context is built from.
        LOADLENS_SHARED_DATA_OR_SKIP(whois, "pe/signify_whois.exe");
        bytes = load(whois);
        info = parsePe(bytes);
        QVERIFY(info.ok());
        QCOMPARE(info->manifestResourceId, 1u);
        QVERIFY(QString::fromStdString(info->manifest).contains(QLatin1String("<assembly")));
    }

    // A CLR header and metadata root written into a copy of a native image make it managed.
    void managedAssembly()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/pe/osslsigncode/unsigned.exe");
        auto bytes = load(path);
        auto info = parsePe(bytes);
        QVERIFY(info.ok());
        QVERIFY(!info->isManaged());
        const Section &text = info->sections.front();
        auto put32 = [&](std::size_t at, std::uint32_t v) {
            for (int i = 0; i < 4; ++i)
                bytes[at + std::size_t(i)] = std::uint8_t(v >> (8 * i));
        };
        auto put16 = [&](std::size_t at, std::uint16_t v) {
            bytes[at] = std::uint8_t(v);
            bytes[at + 1] = std::uint8_t(v >> 8);
        };
        const std::size_t cor = text.rawOffset;          // IMAGE_COR20_HEADER at the section start
        const std::uint32_t corRva = text.virtualAddress;
        put32(cor, 72);
        put16(cor + 4, 2);
        put16(cor + 6, 5);
        put32(cor + 8, corRva + 72);                      // MetaData RVA
        put32(cor + 12, 32);
        put32(cor + 16, 1);                               // COMIMAGE_FLAGS_ILONLY
        const std::size_t meta = cor + 72;
        put32(meta, 0x424a5342);                          // "BSJB"
        put32(meta + 12, 12);
        std::memcpy(&bytes[meta + 16], "v4.0.30319\0\0", 12);
        const std::size_t directory = info->certificateDirectoryOffset + 8 * (kClrHeader - kCertificateTable);
        put32(directory, corRva);
        put32(directory + 4, 72);
        info = parsePe(bytes);
        QVERIFY(info.ok());
        QVERIFY(info->isManaged());
        QCOMPARE(info->clr->majorRuntimeVersion, std::uint16_t(2));
        QCOMPARE(info->clr->flags, 1u);
        QCOMPARE(QString::fromStdString(info->clr->metadataVersion), QStringLiteral("v4.0.30319"));
    }

    void notPe()
    {
        const std::vector<std::uint8_t> elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
        const auto info = parsePe(elf, "libc.so.6");
        QVERIFY(!info.ok());
        QCOMPARE(QString::fromStdString(info.error().message), QStringLiteral("libc.so.6: not a PE image (no MZ header)"));
        QVERIFY(!looksLikePe(elf));
        const auto missing = readImageFile("/nonexistent/file.dll");
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("/nonexistent/file.dll") != std::string::npos);
        const auto dir = readImageFile("/tmp");
        QVERIFY(!dir.ok());
    }
};

QTEST_GUILESS_MAIN(TestPeReader)
#include "tst_pe_reader.moc"
