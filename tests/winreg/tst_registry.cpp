// The registry readers against real data: the Windows 7 SYSTEM and NTUSER.DAT hives of
// ../shared/data/windows/hives (facts from regfexport in its README) and Wine's system.reg and
// user.reg; damaged copies written by the test.
#include "shared_data.h"
#include "winreg/registry.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlens;
using namespace loadlens::winreg;

class TestRegistry : public QObject {
    Q_OBJECT
private slots:
    void systemHive()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/hives/regipy/SYSTEM");
        auto hive = openRegfHive(path.toStdString());
        QVERIFY2(hive.ok(), hive.ok() ? "" : hive.error().message.c_str());
        const Hive &h = **hive;
        QCOMPARE(h.value("Select", "Current")->number, std::uint64_t(1));
        // Paths are compared without regard to case, as on Windows.
        const auto name = h.value("controlset001\\control\\COMPUTERNAME\\computername", "ComputerName");
        QVERIFY(name);
        QCOMPARE(QString::fromStdString(name->text), QStringLiteral("WKS-WIN732BITA"));
        const auto knownDlls = h.key("ControlSet001\\Control\\Session Manager\\KnownDLLs");
        QVERIFY(knownDlls);
        QCOMPARE(int(knownDlls->values.size()), 29);
        QCOMPARE(QString::fromStdString(knownDlls->value("kernel32")->text), QStringLiteral("kernel32.dll"));
        QCOMPARE(knownDlls->value("DllDirectory")->type, Value::Type::ExpandString);
        QCOMPARE(QString::fromStdString(knownDlls->value("DllDirectory")->text), QStringLiteral("%SystemRoot%\\system32"));
        const auto sessionManager = h.key("ControlSet001\\Control\\Session Manager");
        QVERIFY(sessionManager);
        QVERIFY(!sessionManager->value("SafeDllSearchMode"));
        QVERIFY(!sessionManager->value("CWDIllegalInDllSearch"));
        const auto *exclude = sessionManager->value("ExcludeFromKnownDlls");
        QVERIFY(exclude);
        QCOMPARE(exclude->type, Value::Type::MultiString);
        QVERIFY(exclude->strings.empty());
        const auto path32 = h.value("ControlSet001\\Control\\Session Manager\\Environment", "Path");
        QVERIFY(path32);
        QVERIFY(QString::fromStdString(path32->text).startsWith(QLatin1String("%SystemRoot%\\system32;%SystemRoot%;")));
        const auto services = h.key("ControlSet001\\Services");
        QVERIFY(services);
        QCOMPARE(int(services->subkeys.size()), 467);
        QCOMPARE(QString::fromStdString(h.value("ControlSet001\\Services\\Dnscache\\Parameters", "ServiceDll")->text),
                 QStringLiteral("%SystemRoot%\\System32\\dnsrslvr.dll"));
        QVERIFY(!h.key("ControlSet001\\Control\\Session Manager\\AppCertDlls"));
        QVERIFY(h.problems().empty());
    }

    void userHive()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/hives/regipy/NTUSER.DAT");
        auto hive = openRegfHive(path.toStdString());
        QVERIFY(hive.ok());
        QCOMPARE(QString::fromStdString((*hive)->value("Environment", "TEMP")->text),
                 QStringLiteral("%USERPROFILE%\\AppData\\Local\\Temp"));
        QVERIFY(!(*hive)->value("Environment", "Path"));
        QVERIFY(!(*hive)->value("Software\\Microsoft\\Windows NT\\CurrentVersion\\Windows", "AppInit_DLLs"));
    }

    void wineRegistry()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/wine/system.reg");
        auto system = openWineRegistry(path.toStdString(), "System");
        QVERIFY2(system.ok(), system.ok() ? "" : system.error().message.c_str());
        const auto env = (*system)->key("CurrentControlSet\\Control\\Session Manager\\Environment");
        QVERIFY(env);
        const auto *p = env->value("PATH");
        QVERIFY(p);
        QCOMPARE(p->type, Value::Type::ExpandString);
        QCOMPARE(QString::fromStdString(p->text),
                 QStringLiteral("%SystemRoot%\\system32;%SystemRoot%;%SystemRoot%\\system32\\wbem;%SystemRoot%\\system32\\WindowsPowershell\\v1.0"));
        QCOMPARE(QString::fromStdString(env->value("NUMBER_OF_PROCESSORS")->text), QStringLiteral("2"));
        // Wine sets up no KnownDLLs key.
        QVERIFY(!(*system)->key("CurrentControlSet\\Control\\Session Manager\\KnownDLLs"));
        QVERIFY((*system)->key("CurrentControlSet\\Control\\Session Manager"));
        QVERIFY(!(*system)->key("Software\\Wine")); // outside the System prefix

        auto software = openWineRegistry(path.toStdString(), "Software");
        QVERIFY(software.ok());
        QVERIFY((*software)->key("Microsoft\\Windows NT\\CurrentVersion"));
        // A hex(7) list continued over three lines is one multi-string.
        const auto hid = (*system)->key("CurrentControlSet\\Enum\\ROOT\\WINE\\WINEBUS");
        QVERIFY(hid && hid->value("HardwareId"));
        {
            QCOMPARE(hid->value("HardwareId")->type, Value::Type::MultiString);
            QCOMPARE(QString::fromStdString(hid->value("HardwareId")->strings.front()), QStringLiteral("root\\winebus"));
        }
        QVERIFY2((*system)->problems().empty(), (*system)->problems().empty() ? "" : (*system)->problems().front().c_str());
    }

    void damaged()
    {
        QTemporaryDir dir;
        const QString junk = dir.filePath(QStringLiteral("SYSTEM"));
        QFile f(junk);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("regf but not really a hive");
        f.close();
        auto hive = openRegfHive(junk.toStdString());
        QVERIFY(!hive.ok());
        QVERIFY(QString::fromStdString(hive.error().message).startsWith(junk + QStringLiteral(": not a readable registry hive")));
        QVERIFY(!openRegfHive(dir.path().toStdString()).ok());
        QVERIFY(!openRegfHive("/nonexistent/SYSTEM").ok());

        // A truncated real hive: either refused with a message or read with what is there.
        LOADLENS_SHARED_DATA_OR_SKIP(path, "windows/hives/regipy/NTUSER.DAT");
        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray bytes = in.read(300000);
        const QString cut = dir.filePath(QStringLiteral("NTUSER.DAT"));
        QFile out(cut);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(bytes);
        out.close();
        auto truncated = openRegfHive(cut.toStdString());
        if (truncated.ok())
            (void)(*truncated)->key("Environment");

        const QString reg = dir.filePath(QStringLiteral("user.reg"));
        QFile wine(reg);
        QVERIFY(wine.open(QIODevice::WriteOnly));
        wine.write("WINE REGISTRY Version 2\n[Environment] 1\n\"TEMP\"=str(2):\"C:\\\\temp\"\n\"bad\"=\"unterminated\n[Broken\n\"X\"=dword:1\n");
        wine.close();
        auto parsed = openWineRegistry(reg.toStdString(), "");
        QVERIFY(parsed.ok());
        QCOMPARE(QString::fromStdString((*parsed)->value("Environment", "TEMP")->text), QStringLiteral("C:\\temp"));
        QCOMPARE(int((*parsed)->problems().size()), 2);
        QVERIFY(!openWineRegistry(junk.toStdString(), "").ok());
    }
};

QTEST_GUILESS_MAIN(TestRegistry)
#include "tst_registry.moc"
