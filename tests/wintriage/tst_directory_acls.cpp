// Directory ACLs from `icacls C:\ /save acls.txt /t /c`: the SDDL DACL reader and the decision
// whether a non-administrator can create files (data-driven, from DACLs Windows ships and ones
// a careless installer leaves), icacls files written by the test in UTF-16LE (and damaged ones),
// and the triage's application-directory and PATH findings with and without them.
#include "shared_data.h"
#include "wintriage/acl.h"
#include "wintriage/triage.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlens;
using namespace loadlens::wintriage;

namespace {

// What icacls /save writes: UTF-16LE, CRLF, a path line then an SDDL line per object.
QByteArray icaclsFile(const QStringList &lines, bool bom = false)
{
    const QString text = lines.join(QStringLiteral("\r\n")) + QStringLiteral("\r\n");
    QByteArray out = bom ? QByteArray("\xff\xfe", 2) : QByteArray();
    out += QByteArray(reinterpret_cast<const char *>(text.utf16()), text.size() * 2);
    return out;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

QString q(const std::string &s) { return QString::fromStdString(s); }

const QString kTrustedInstaller = QStringLiteral("S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464");

const Finding *findingFor(const TriageResult &r, const char *code)
{
    for (const auto &f : r.findings)
        if (f.code == code)
            return &f;
    return nullptr;
}

const PostureCheck *check(const TriageResult &r, const char *id)
{
    for (const auto &p : r.posture)
        if (p.id == id)
            return &p;
    return nullptr;
}

} // namespace

class TestDirectoryAcls : public QObject {
    Q_OBJECT
private slots:
    void decision_data()
    {
        QTest::addColumn<QString>("sddl");
        QTest::addColumn<bool>("writable");
        QTest::addColumn<QString>("ace");   // the granting ACE, when writable
        const QString programFiles = QStringLiteral("D:PAI(A;;FA;;;") + kTrustedInstaller + QStringLiteral(")(A;CIIO;GA;;;") +
                                     kTrustedInstaller + QStringLiteral(")(A;;0x1301bf;;;SY)(A;OICIIO;GA;;;SY)(A;;0x1301bf;;;BA)"
                                                                        "(A;OICIIO;GA;;;BA)(A;;0x1200a9;;;BU)(A;OICIIO;GXGR;;;BU)"
                                                                        "(A;OICIIO;GA;;;CO)(A;;0x1200a9;;;AC)(A;OICIIO;GXGR;;;AC)");
        QTest::addRow("Program Files as shipped") << programFiles << false << QString();
        // C:\ itself: Authenticated Users may create folders (LC), files only below (DC is IO).
        QTest::addRow("volume root as shipped") << QStringLiteral("D:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY)(A;OICIIO;GA;;;CO)"
                                                                  "(A;OICI;0x1200a9;;;BU)(A;CI;LC;;;AU)(A;CIIO;DC;;;AU)")
                                                << false << QString();
        QTest::addRow("Users modify") << QStringLiteral("D:AI(A;OICI;0x1301bf;;;BU)(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)") << true
                                      << QStringLiteral("(A;OICI;0x1301bf;;;BU)");
        QTest::addRow("Everyone FA by number") << QStringLiteral("D:(A;OICI;FA;;;S-1-1-0)") << true << QStringLiteral("(A;OICI;FA;;;S-1-1-0)");
        QTest::addRow("Users by number, hex add-file only") << QStringLiteral("D:(A;;0x2;;;S-1-5-32-545)") << true
                                                            << QStringLiteral("(A;;0x2;;;S-1-5-32-545)");
        QTest::addRow("generic write") << QStringLiteral("D:(A;;GW;;;AU)") << true << QStringLiteral("(A;;GW;;;AU)");
        QTest::addRow("generic all, inherited") << QStringLiteral("D:(A;OICIID;GA;;;IU)") << true << QStringLiteral("(A;OICIID;GA;;;IU)");
        QTest::addRow("write DAC only") << QStringLiteral("D:(A;;WD;;;BU)") << true << QStringLiteral("(A;;WD;;;BU)");
        QTest::addRow("write owner only") << QStringLiteral("D:(A;;WO;;;WD)") << true << QStringLiteral("(A;;WO;;;WD)");
        QTest::addRow("FILE_GENERIC_WRITE letters") << QStringLiteral("D:(A;;FW;;;BU)") << true << QStringLiteral("(A;;FW;;;BU)");
        QTest::addRow("read and execute only") << QStringLiteral("D:(A;;FRFX;;;BU)(A;;0x1200a9;;;WD)") << false << QString();
        QTest::addRow("inherit-only grant") << QStringLiteral("D:(A;OICIIO;FA;;;BU)") << false << QString();
        QTest::addRow("deny before allow") << QStringLiteral("D:(D;;FA;;;WD)(A;;FA;;;BU)") << false << QString();
        QTest::addRow("deny add-file, allow write") << QStringLiteral("D:(D;;0x2;;;AU)(A;;FW;;;BU)") << false << QString();
        // Windows evaluates ACEs in the order written: an allow before the deny wins.
        QTest::addRow("allow before deny (not canonical)") << QStringLiteral("D:(A;;FW;;;BU)(D;;0x2;;;AU)") << true
                                                           << QStringLiteral("(A;;FW;;;BU)");
        QTest::addRow("deny add-file leaves write DAC") << QStringLiteral("D:(D;;0x2;;;WD)(A;;FA;;;BU)") << true
                                                        << QStringLiteral("(A;;FA;;;BU)");
        QTest::addRow("ordinary account") << QStringLiteral("D:(A;OICI;FA;;;SY)(A;OICI;0x1301bf;;;S-1-5-21-1004336348-1177238915-682003330-1001)")
                                          << true << QStringLiteral("(A;OICI;0x1301bf;;;S-1-5-21-1004336348-1177238915-682003330-1001)");
        QTest::addRow("domain users") << QStringLiteral("D:(A;;FA;;;S-1-5-21-1-2-3-513)") << true << QStringLiteral("(A;;FA;;;S-1-5-21-1-2-3-513)");
        QTest::addRow("account denied itself") << QStringLiteral("D:(D;;FA;;;S-1-5-21-1-2-3-1001)(A;;FA;;;S-1-5-21-1-2-3-1001)") << false << QString();
        QTest::addRow("built-in Administrator account") << QStringLiteral("D:(A;;FA;;;S-1-5-21-1-2-3-500)") << false << QString();
        QTest::addRow("Domain Admins") << QStringLiteral("D:(A;;FA;;;S-1-5-21-1-2-3-512)") << false << QString();
        QTest::addRow("administrators, SYSTEM, service, creator owner")
            << QStringLiteral("D:(A;;FA;;;BA)(A;;FA;;;SY)(A;;FA;;;S-1-5-32-544)(A;;FA;;;") + kTrustedInstaller +
                   QStringLiteral(")(A;;FA;;;CO)(A;;FA;;;S-1-5-18)")
            << false << QString();
        QTest::addRow("null DACL") << QStringLiteral("D:NO_ACCESS_CONTROL") << true << QString();
        QTest::addRow("empty DACL") << QStringLiteral("D:P") << false << QString();
        QTest::addRow("owner, group and SACL around the DACL")
            << QStringLiteral("O:BAG:DUD:PAI(A;OICI;FA;;;BU)S:AI(AU;SA;FA;;;WD)") << true << QStringLiteral("(A;OICI;FA;;;BU)");
        QTest::addRow("object and audit ACEs ignored") << QStringLiteral("D:(OA;;CC;;;BU)(XA;;FA;;;WD)") << false << QString();
    }

    void decision()
    {
        QFETCH(QString, sddl);
        QFETCH(bool, writable);
        QFETCH(QString, ace);
        const auto dacl = parseSddlDacl(sddl.toStdString());
        QVERIFY2(dacl.ok(), dacl.ok() ? "" : dacl.error().message.c_str());
        const auto decision = nonAdminCanCreateFiles(*dacl);
        QCOMPARE(decision.writable, writable);
        if (writable && !ace.isEmpty())
            QCOMPARE(q(decision.ace), ace);
    }

    void malformedSddl_data()
    {
        QTest::addColumn<QString>("sddl");
        QTest::addColumn<QString>("error");
        QTest::addRow("five fields") << QStringLiteral("D:(A;;FA;;BU)") << QStringLiteral("5 fields");
        QTest::addRow("unknown right") << QStringLiteral("D:(A;;ZZ;;;BU)") << QStringLiteral("unknown right \"ZZ\"");
        QTest::addRow("odd rights") << QStringLiteral("D:(A;;FAF;;;BU)") << QStringLiteral("two-letter");
        QTest::addRow("bad hex") << QStringLiteral("D:(A;;0x12g;;;BU)") << QStringLiteral("bad hex");
        QTest::addRow("hex overflow") << QStringLiteral("D:(A;;0x1ffffffff;;;BU)") << QStringLiteral("bad hex");
        QTest::addRow("unknown flag") << QStringLiteral("D:(A;XX;FA;;;BU)") << QStringLiteral("unknown ACE flag");
        QTest::addRow("unterminated") << QStringLiteral("D:(A;;FA;;;BU") << QStringLiteral("unterminated");
        QTest::addRow("no SID") << QStringLiteral("D:(A;;FA;;;)") << QStringLiteral("no valid SID");
        QTest::addRow("not SDDL") << QStringLiteral("BUILTIN\\Users:(OI)(CI)(M)") << QStringLiteral("component expected");
        QTest::addRow("trailing junk") << QStringLiteral("D:(A;;FA;;;BU)junk") << QStringLiteral("unexpected");
        QString many = QStringLiteral("D:");
        for (int i = 0; i < 1100; ++i)
            many += QStringLiteral("(A;;FR;;;BU)");
        QTest::addRow("too many ACEs") << many << QStringLiteral("more than 1024 ACEs");
    }

    void malformedSddl()
    {
        QFETCH(QString, sddl);
        QFETCH(QString, error);
        const auto dacl = parseSddlDacl(sddl.toStdString());
        QVERIFY(!dacl.ok());
        QVERIFY2(q(dacl.error().message).contains(error), dacl.error().message.c_str());
    }

    void icaclsFiles()
    {
        QTemporaryDir dir;
        const QString good = dir.filePath(QStringLiteral("acls.txt"));
        QVERIFY(writeFile(good, icaclsFile({QStringLiteral("c:\\"), QStringLiteral("D:PAI(A;OICI;FA;;;BA)"),
                                            QStringLiteral("Program Files\\Vendor App"), QStringLiteral("D:AI(A;OICI;0x1301bf;;;BU)"),
                                            QStringLiteral("Users\\\u00e9l\u00e8ve\\AppData"), QStringLiteral("D:P(A;OICI;FA;;;SY)")})));
        AclCollection acls;
        QVERIFY(acls.addIcaclsSave(good.toStdString()).ok());
        QCOMPARE(acls.size(), std::size_t(3));
        QVERIFY(acls.problems().empty());
        // Looked up by Windows path without regard to case, drive or trailing separator.
        QVERIFY(acls.sddlFor("C:\\PROGRAM FILES\\vendor app\\"));
        QCOMPARE(q(*acls.sddlFor("C:\\Program Files\\Vendor App")), QStringLiteral("D:AI(A;OICI;0x1301bf;;;BU)"));
        QCOMPARE(q(acls.entryFor("C:\\Program Files\\Vendor App")->source), good + QStringLiteral(":4"));
        QVERIFY(acls.sddlFor("C:\\"));
        QVERIFY(acls.sddlFor(QStringLiteral("C:\\Users\\\u00e9l\u00e8ve\\AppData").toStdString()));
        QVERIFY(!acls.sddlFor("C:\\Windows"));

        // With a byte order mark, a path without its SDDL, an SDDL without a path: read, noted.
        const QString damaged = dir.filePath(QStringLiteral("damaged.txt"));
        QVERIFY(writeFile(damaged, icaclsFile({QStringLiteral("Windows"), QStringLiteral("Tools"), QStringLiteral("D:(A;;FA;;;BU)"),
                                               QStringLiteral("D:(A;;FA;;;WD)"), QStringLiteral("ProgramData\\X"),
                                               QStringLiteral("D:(A;;ZZ;;;BU)"), QStringLiteral("Trailing")},
                                              true)));
        AclCollection more;
        QVERIFY(more.addIcaclsSave(damaged.toStdString()).ok());
        QCOMPARE(more.size(), std::size_t(2));  // Tools and ProgramData\X (whose SDDL fails only when used)
        QCOMPARE(int(more.problems().size()), 3);
        QVERIFY2(q(more.problems()[0]).contains(QLatin1String(":1: \"Windows\" has no SDDL line")), more.problems()[0].c_str());
        QVERIFY2(q(more.problems()[1]).contains(QLatin1String(":4: an SDDL line without a path")), more.problems()[1].c_str());
        QVERIFY2(q(more.problems()[2]).contains(QLatin1String("\"Trailing\" has no SDDL line")), more.problems()[2].c_str());

        // Not UTF-16 (icacls output redirected through a UTF-8 console), empty, absent: errors.
        const QString utf8 = dir.filePath(QStringLiteral("utf8.txt"));
        QVERIFY(writeFile(utf8, "Program Files\r\nD:(A;;FA;;;BU)\r\n"));
        AclCollection bad;
        auto status = bad.addIcaclsSave(utf8.toStdString());
        QVERIFY(!status.ok());
        QVERIFY2(q(status.error().message).contains(QLatin1String("UTF-16LE")), status.error().message.c_str());
        const QString empty = dir.filePath(QStringLiteral("empty.txt"));
        QVERIFY(writeFile(empty, {}));
        QVERIFY(!bad.addIcaclsSave(empty.toStdString()).ok());
        status = bad.addIcaclsSave(dir.filePath(QStringLiteral("absent.txt")).toStdString());
        QVERIFY(!status.ok());
        QVERIFY(q(status.error().message).contains(QLatin1String("absent.txt")));
        const QString noPairs = dir.filePath(QStringLiteral("nopairs.txt"));
        QVERIFY(writeFile(noPairs, icaclsFile({QStringLiteral("just a name")})));
        QVERIFY(!bad.addIcaclsSave(noPairs.toStdString()).ok());
        QVERIFY(bad.empty());
    }

    // The triage with and without ACLs: a program directory Users may modify, a PATH directory
    // Authenticated Users may write, the rest as Windows ships them.
    void triageFindings()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(system, "windows/hives/regipy/SYSTEM");
        LOADLENS_SHARED_DATA_OR_SKIP(exe, "windows/pe/osslsigncode/unsigned.exe");
        QTemporaryDir dir;
        const QString root = dir.path();
        QDir().mkpath(root + QStringLiteral("/Windows/System32/config"));
        QVERIFY(QFile::link(system, root + QStringLiteral("/Windows/System32/config/SYSTEM")));
        for (const char *app : {"Program Files/Loose", "Program Files/Tight", "Program Files/Unlisted", "Users/alice/AppData/Local/Tool"}) {
            QDir().mkpath(root + QLatin1Char('/') + QLatin1String(app));
            QVERIFY(QFile::copy(exe, root + QLatin1Char('/') + QLatin1String(app) + QStringLiteral("/tool.exe")));
        }
        const QString shipped = QStringLiteral("D:PAI(A;;FA;;;SY)(A;;FA;;;BA)(A;;0x1200a9;;;BU)(A;OICIIO;GA;;;CO)");
        const QString acls = dir.filePath(QStringLiteral("acls.txt"));
        const QString profile = dir.filePath(QStringLiteral("profile.txt"));
        // PATH here: %SystemRoot%\system32;%SystemRoot%;%SystemRoot%\System32\Wbem;%SYSTEMROOT%\System32\WindowsPowerShell\v1.0\ .
        QVERIFY(writeFile(acls, icaclsFile({QStringLiteral("Program Files\\Loose"), QStringLiteral("D:AI(A;OICI;0x1301bf;;;BU)(A;OICIID;FA;;;BA)"),
                                            QStringLiteral("Program Files\\Tight"), shipped,
                                            QStringLiteral("Windows\\System32"), shipped, QStringLiteral("Windows"), shipped,
                                            QStringLiteral("Windows\\System32\\Wbem"), QStringLiteral("D:(A;OICI;FW;;;AU)(A;;FA;;;SY)"),
                                            QStringLiteral("Windows\\System32\\WindowsPowerShell\\v1.0"), shipped})));
        // A second file, as a responder might save the profiles apart.
        QVERIFY(writeFile(profile, icaclsFile({QStringLiteral("Users\\alice\\AppData\\Local\\Tool"),
                                               QStringLiteral("D:(A;OICI;FA;;;S-1-5-21-1-2-3-1001)(A;OICI;FA;;;SY)")})));

        TriageOptions options;
        options.root = root.toStdString();
        const auto without = triage(options);
        QVERIFY2(without.ok(), without.ok() ? "" : without.error().message.c_str());
        QVERIFY(!findingFor(*without, "writable-application-directory"));
        QVERIFY(!findingFor(*without, "writable-path-directory"));
        QCOMPARE(q(check(*without, "path-directories")->status), QStringLiteral("unknown"));
        QCOMPARE(q(check(*without, "application-directories")->status), QStringLiteral("unknown"));
        QVERIFY(q(check(*without, "application-directories")->evidence).contains(QLatin1String("--acls")));

        AclCollection collection;
        QVERIFY(collection.addIcaclsSave(acls.toStdString()).ok());
        QVERIFY(collection.addIcaclsSave(profile.toStdString()).ok());
        options.acls = &collection;
        const auto result = triage(options);
        QVERIFY(result.ok());
        const auto &r = *result;
        QCOMPARE(r.aclSources, (std::vector<std::string>{acls.toStdString(), profile.toStdString()}));
        std::vector<const Finding *> apps;
        for (const auto &f : r.findings)
            if (f.code == "writable-application-directory")
                apps.push_back(&f);
        QCOMPARE(int(apps.size()), 2);
        std::sort(apps.begin(), apps.end(), [](const Finding *a, const Finding *b) { return a->executable < b->executable; });
        QCOMPARE(q(apps[0]->executable), QStringLiteral("C:\\Program Files\\Loose\\tool.exe"));
        QCOMPARE(q(apps[0]->level), QStringLiteral("high"));
        QVERIFY2(q(apps[0]->evidence).contains(QLatin1String("writable by BU (Users): (A;OICI;0x1301bf;;;BU)")), apps[0]->evidence.c_str());
        QVERIFY2(q(apps[0]->evidence).contains(acls + QStringLiteral(":2")), apps[0]->evidence.c_str());
        QCOMPARE(q(apps[1]->executable), QStringLiteral("C:\\Users\\alice\\AppData\\Local\\Tool\\tool.exe"));
        QCOMPARE(q(apps[1]->level), QStringLiteral("low"));
        QVERIFY(q(apps[1]->evidence).contains(QLatin1String("S-1-5-21-1-2-3-1001")));

        const Finding *path = findingFor(r, "writable-path-directory");
        QVERIFY(path);
        QCOMPARE(q(path->level), QStringLiteral("high"));
        QVERIFY2(q(path->title).contains(QLatin1String("C:\\Windows\\System32\\Wbem")), path->title.c_str());
        QVERIFY2(q(path->evidence).contains(QLatin1String("(A;OICI;FW;;;AU)")), path->evidence.c_str());
        QCOMPARE(q(path->technique), QStringLiteral("T1574.007"));
        int pathFindings = 0;
        for (const auto &f : r.findings)
            pathFindings += f.code == "writable-path-directory";
        QCOMPARE(pathFindings, 1);
        QCOMPARE(q(check(r, "path-directories")->status), QStringLiteral("fail"));
        // Loose is writable: fail, though Unlisted is not in the ACLs.
        QCOMPARE(q(check(r, "application-directories")->status), QStringLiteral("fail"));
        QVERIFY2(q(check(r, "application-directories")->evidence).contains(QLatin1String("1 without a collected ACL")),
                 check(r, "application-directories")->evidence.c_str());

        // Only shipped ACLs and one directory not collected: unknown, not pass.
        const QString tight = dir.filePath(QStringLiteral("tight.txt"));
        QVERIFY(writeFile(tight, icaclsFile({QStringLiteral("Program Files\\Loose"), shipped, QStringLiteral("Program Files\\Tight"), shipped,
                                             QStringLiteral("Users\\alice\\AppData\\Local\\Tool"), shipped})));
        AclCollection tightOnly;
        QVERIFY(tightOnly.addIcaclsSave(tight.toStdString()).ok());
        options.acls = &tightOnly;
        const auto closed = triage(options);
        QVERIFY(closed.ok());
        QVERIFY(!findingFor(*closed, "writable-application-directory"));
        QCOMPARE(q(check(*closed, "application-directories")->status), QStringLiteral("unknown"));
        QCOMPARE(q(check(*closed, "path-directories")->status), QStringLiteral("unknown"));

        // A malformed DACL for a directory in use: noted as a problem, the directory unknown.
        const QString broken = dir.filePath(QStringLiteral("broken.txt"));
        QVERIFY(writeFile(broken, icaclsFile({QStringLiteral("Program Files\\Loose"), QStringLiteral("D:(A;;FA;;BU)")})));
        AclCollection brokenAcls;
        QVERIFY(brokenAcls.addIcaclsSave(broken.toStdString()).ok());
        options.acls = &brokenAcls;
        const auto damaged = triage(options);
        QVERIFY(damaged.ok());
        QVERIFY(!findingFor(*damaged, "writable-application-directory"));
        QVERIFY(std::any_of(damaged->problems.begin(), damaged->problems.end(), [](const std::string &p) {
            return p.find("the DACL of C:\\Program Files\\Loose is malformed") != std::string::npos;
        }));
    }
};

QTEST_GUILESS_MAIN(TestDirectoryAcls)
#include "tst_directory_acls.moc"
