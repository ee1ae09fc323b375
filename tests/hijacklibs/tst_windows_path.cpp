// Lexical Windows paths and HijackLibs location patterns.
#include <QtTest>

#include "hijacklibs/windows_path.h"

using namespace loadlens::winpath;

class TestWindowsPath : public QObject {
    Q_OBJECT
private slots:
    void normalizes_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");
        QTest::addRow("case and slashes") << "C:/Windows/System32/CRYPTBASE.dll" << "c:\\windows\\system32\\cryptbase.dll";
        QTest::addRow("doubled backslashes") << "C:\\\\Users\\\\x\\" << "c:\\users\\x";
        QTest::addRow("unc kept") << "\\\\172.16.66.254\\shared\\lsadb.dll" << "\\\\172.16.66.254\\shared\\lsadb.dll";
        QTest::addRow("long path prefix") << "\\\\?\\C:\\Temp\\a.dll" << "c:\\temp\\a.dll";
        QTest::addRow("nt prefix") << "\\??\\C:\\Windows\\x.sys" << "c:\\windows\\x.sys";
        QTest::addRow("empty") << "" << "";
    }
    void normalizes()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        QCOMPARE(QString::fromStdString(normalize(input.toStdString())), expected);
    }

    void splitsNames()
    {
        QCOMPARE(std::string(baseName("c:\\a\\b.dll")), std::string("b.dll"));
        QCOMPARE(std::string(directoryOf("c:\\a\\b.dll")), std::string("c:\\a"));
        QCOMPARE(std::string(baseName("b.dll")), std::string("b.dll"));
        QCOMPARE(std::string(directoryOf("b.dll")), std::string());
    }

    void matchesLocations_data()
    {
        QTest::addColumn<QString>("pattern");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("matches");
        QTest::addRow("system32") << "%SYSTEM32%" << "C:\\Windows\\System32" << true;
        QTest::addRow("system32 not below") << "%SYSTEM32%" << "C:\\Windows\\System32\\wbem" << false;
        QTest::addRow("syswow64") << "%SYSWOW64%" << "c:\\windows\\SysWOW64" << true;
        QTest::addRow("program files") << "%PROGRAMFILES%\\NVIDIA Corporation\\Display" << "C:\\Program Files\\NVIDIA Corporation\\Display" << true;
        QTest::addRow("program files x86 too") << "%PROGRAMFILES%\\NVIDIA Corporation\\Display" << "C:\\Program Files (x86)\\NVIDIA Corporation\\Display" << true;
        QTest::addRow("version component") << "%PROGRAMFILES%\\Java\\%VERSION%\\bin" << "C:\\Program Files\\Java\\jre1.8.0_291\\bin" << true;
        QTest::addRow("version is one component") << "%PROGRAMFILES%\\Java\\%VERSION%\\bin" << "C:\\Program Files\\Java\\a\\b\\bin" << false;
        QTest::addRow("version inside a name") << "%PROGRAMFILES%\\Microsoft Office\\Office%VERSION%" << "C:\\Program Files\\Microsoft Office\\Office16" << true;
        QTest::addRow("localappdata any user") << "%LOCALAPPDATA%\\Temp\\%VERSION%\\bin" << "C:\\Users\\IEUser\\AppData\\Local\\Temp\\x\\bin" << true;
        QTest::addRow("appdata roaming") << "%APPDATA%\\Zoom\\bin" << "C:\\Users\\a\\AppData\\Roaming\\Zoom\\bin" << true;
        QTest::addRow("windir") << "%WINDIR%\\Prefetch" << "C:\\WINDOWS\\prefetch" << true;
        QTest::addRow("literal path") << "C:\\Windows\\ImmersiveControlPanel" << "c:\\windows\\immersivecontrolpanel" << true;
        QTest::addRow("other drive") << "%SYSTEM32%" << "D:\\Windows\\System32" << false;
    }
    void matchesLocations()
    {
        QFETCH(QString, pattern);
        QFETCH(QString, path);
        QFETCH(bool, matches);
        const LocationPattern compiled(pattern.toStdString());
        QVERIFY2(compiled.valid(), compiled.error().c_str());
        QCOMPARE(compiled.matches(normalize(path.toStdString())), matches);
    }

    void rejectsUnknownVariables()
    {
        const LocationPattern unknown("%NOSUCHVAR%\\x");
        QVERIFY(!unknown.valid());
        QVERIFY(unknown.error().find("NOSUCHVAR") != std::string::npos);
        QVERIFY(!unknown.matches("x"));
        const LocationPattern unbalanced("%SYSTEM32\\x");
        QVERIFY(!unbalanced.valid());
    }
};

QTEST_GUILESS_MAIN(TestWindowsPath)
#include "tst_windows_path.moc"
