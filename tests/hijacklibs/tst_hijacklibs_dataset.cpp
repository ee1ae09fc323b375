// The HijackLibs reader on hand-written entries and on the real dataset in ../shared/data.
#include <QtTest>

#include "hijacklibs/hijacklibs.h"
#include "shared_data.h"

#include <QTemporaryDir>

#include <fstream>

using namespace loadlens;
using namespace loadlens::hijacklibs;

namespace {

void writeFile(const QString &path, const std::string &text)
{
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << text;
}

const char *kCryptbase = R"(---
Name: cryptbase.dll
Author: Someone
Created: 2022-06-13
Vendor: Microsoft
ExpectedLocations:
- '%SYSTEM32%'
- '%SYSWOW64%'
ExpectedSignatureInformation:
- Subject: CN=Microsoft Windows, O=Microsoft Corporation, L=Redmond, S=Washington, C=US
  Type: Catalog
VulnerableExecutables:
- Path: '%SYSTEM32%\sysprep\sysprep.exe'
  Type: Sideloading
  AutoElevate: true
- Path: 'winbox.exe'
  Type: Search Order
)";

} // namespace

class TestHijackLibsDataset : public QObject {
    Q_OBJECT
private slots:
    void parsesOneEntry()
    {
        auto entry = Dataset::parseEntry(kCryptbase, "cryptbase.yml");
        QVERIFY2(entry.ok(), entry.ok() ? "" : entry.error().message.c_str());
        QCOMPARE(entry->name, std::string("cryptbase.dll"));
        QCOMPARE(entry->vendor, std::string("Microsoft"));
        QCOMPARE(entry->expectedLocations.size(), std::size_t(2));
        QCOMPARE(entry->vulnerableExecutables.size(), std::size_t(2));
        QVERIFY(entry->vulnerableExecutables[0].autoElevate);
        QCOMPARE(entry->expectedSignatures.size(), std::size_t(1));
        QCOMPARE(entry->expectedSignatures[0].type, std::string("Catalog"));
        QCOMPARE(entry->hijackTypes(), std::string("Sideloading, Search Order"));
        QVERIFY(entry->warnings.empty());
    }

    // A System32 copy is where the DLL belongs; the same DLL under a user's AppData is not.
    void expectedDirectories_data()
    {
        QTest::addColumn<QString>("directory");
        QTest::addColumn<bool>("expected");
        QTest::addRow("system32") << "C:\\Windows\\System32" << true;
        QTest::addRow("syswow64 any case") << "C:\\WINDOWS\\SysWOW64" << true;
        QTest::addRow("appdata") << "C:\\Users\\x\\AppData\\Local\\Temp" << false;
        QTest::addRow("sysprep subfolder") << "C:\\Windows\\System32\\sysprep" << false;
    }
    void expectedDirectories()
    {
        QFETCH(QString, directory);
        QFETCH(bool, expected);
        auto entry = Dataset::parseEntry(kCryptbase, "cryptbase.yml");
        QVERIFY(entry.ok());
        QCOMPARE(entry->isExpectedDirectory(winpath::normalize(directory.toStdString())), expected);
    }

    void matchesVulnerableExecutables()
    {
        auto entry = Dataset::parseEntry(kCryptbase, "cryptbase.yml");
        QVERIFY(entry.ok());
        const auto *exe = entry->vulnerableExecutableFor(winpath::normalize("C:\\Windows\\System32\\sysprep\\SYSPREP.EXE"));
        QVERIFY(exe);
        QCOMPARE(exe->type, std::string("Sideloading"));
        QVERIFY(!entry->vulnerableExecutableFor(winpath::normalize("C:\\Users\\x\\sysprep.exe")));
        // A bare name in the dataset matches the program wherever it is.
        const auto *bare = entry->vulnerableExecutableFor(winpath::normalize("D:\\tools\\WinBox.exe"));
        QVERIFY(bare);
        QCOMPARE(bare->type, std::string("Search Order"));
    }

    void rejectsBrokenEntries_data()
    {
        QTest::addColumn<QString>("yaml");
        QTest::addColumn<QString>("messagePart");
        QTest::addRow("no name") << "Vendor: x\nVulnerableExecutables:\n- Path: a.exe\n  Type: Phantom\n" << "no Name";
        QTest::addRow("no executables") << "Name: a.dll\n" << "VulnerableExecutables";
        QTest::addRow("bad yaml") << "Name: [a.dll\n" << "line";
        QTest::addRow("not a mapping") << "- a\n- b\n" << "not a mapping";
        QTest::addRow("locations not a list") << "Name: a.dll\nExpectedLocations: 3\nVulnerableExecutables:\n- Path: a.exe\n  Type: Phantom\n" << "not a list";
    }
    void rejectsBrokenEntries()
    {
        QFETCH(QString, yaml);
        QFETCH(QString, messagePart);
        auto entry = Dataset::parseEntry(yaml.toStdString(), "bad.yml");
        QVERIFY(!entry.ok());
        QVERIFY2(QString::fromStdString(entry.error().message).contains(messagePart), entry.error().message.c_str());
        QVERIFY(QString::fromStdString(entry.error().message).startsWith(QStringLiteral("bad.yml")));
    }

    void unknownVariableIsAWarning()
    {
        auto entry = Dataset::parseEntry(
            "Name: a.dll\nExpectedLocations:\n- '%SYSTEM32%'\n- '%FOO%\\x'\nVulnerableExecutables:\n- Path: a.exe\n  Type: Phantom\n",
            "a.yml");
        QVERIFY(entry.ok());
        QCOMPARE(entry->expectedLocations.size(), std::size_t(1));
        QCOMPARE(entry->warnings.size(), std::size_t(1));
        QVERIFY(entry->warnings[0].find("%FOO%") != std::string::npos);
    }

    // A broken file is reported by name and the others still load.
    void loadsFolderWithABadFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        writeFile(dir.filePath(QStringLiteral("yml/microsoft/built-in/cryptbase.yml")), kCryptbase);
        writeFile(dir.filePath(QStringLiteral("yml/3rd_party/broken.yml")), "Name: [oops\n");
        writeFile(dir.filePath(QStringLiteral("template.yml")), "Name: nameofthedll.dll\n");  // beside yml/: not read
        LoadReport report;
        auto dataset = Dataset::loadDirectory(dir.path().toStdString(), report);
        QVERIFY2(dataset.ok(), dataset.ok() ? "" : dataset.error().message.c_str());
        QCOMPARE(dataset->size(), std::size_t(1));
        QCOMPARE(report.filesRead, std::size_t(2));
        QCOMPARE(report.problems.size(), std::size_t(1));
        QVERIFY(report.problems[0].file.find("broken.yml") != std::string::npos);
        QVERIFY(dataset->find("CRYPTBASE.DLL"));
        QVERIFY(!dataset->find("nameofthedll.dll"));
        QCOMPARE(dataset->entriesForExecutable("SysPrep.exe").size(), std::size_t(1));
    }

    void missingFolderIsAnError()
    {
        QTemporaryDir dir;
        LoadReport report;
        auto missing = Dataset::loadDirectory(dir.filePath(QStringLiteral("absent")).toStdString(), report);
        QVERIFY(!missing.ok());
        QVERIFY(missing.error().message.find("absent") != std::string::npos);
        auto empty = Dataset::loadDirectory(dir.path().toStdString(), report);
        QVERIFY(!empty.ok());
        QVERIFY(empty.error().message.find("no HijackLibs entry") != std::string::npos);
    }

    // The README of the shared data: 598 entries, 2360 VulnerableExecutables (Sideloading 1865,
    // Environment Variable 459, Phantom 20, Search Order 16), no YAML parse failures. One path
    // in libcef.yml has a stray '%' ("%Program Files (x86)\..."): reported, entry kept.
    void loadsTheRealDataset()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(root, "hijacklibs");
        LoadReport report;
        auto dataset = Dataset::loadDirectory(root.toStdString(), report);
        QVERIFY2(dataset.ok(), dataset.ok() ? "" : dataset.error().message.c_str());
        for (const auto &problem : report.problems)
            qInfo("%s: %s", problem.file.c_str(), problem.message.c_str());
        QCOMPARE(report.problems.size(), std::size_t(1));
        QVERIFY(report.problems[0].file.ends_with("libcef.yml"));
        QVERIFY(report.problems[0].message.find("unbalanced '%'") != std::string::npos);
        QCOMPARE(report.filesRead, std::size_t(598));
        QCOMPARE(dataset->size(), std::size_t(598));
        std::map<std::string, int> types;
        int executables = 0;
        for (const auto &entry : dataset->entries())
            for (const auto &exe : entry.vulnerableExecutables) {
                ++types[exe.type];
                ++executables;
            }
        QCOMPARE(executables, 2360);
        QCOMPARE(types["Sideloading"], 1865);
        QCOMPARE(types["Environment Variable"], 459);
        QCOMPARE(types["Phantom"], 20);
        QCOMPARE(types["Search Order"], 16);
        for (const char *name : {"cdpsgshims.dll", "jli.dll", "nvsmartmax.dll", "cryptbase.dll", "bthprops.cpl",
                                 "wbemcomn.dll", "wlbsctrl.dll"})
            QVERIFY2(dataset->find(name), name);
        // Two vendors ship a sqlite.dll; both entries are kept.
        QCOMPARE(dataset->findAll("SQLite.dll").size(), std::size_t(2));
        const auto *jli = dataset->find("JLI.DLL");
        QVERIFY(jli->isExpectedDirectory(winpath::normalize("C:\\Program Files\\Java\\jdk-17\\bin")));
        QVERIFY(!jli->isExpectedDirectory(winpath::normalize("C:\\Users\\IEUser\\Desktop\\info.rar")));
    }
};

QTEST_GUILESS_MAIN(TestHijackLibsDataset)
#include "tst_hijacklibs_dataset.moc"
