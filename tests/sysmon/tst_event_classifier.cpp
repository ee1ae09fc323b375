// The Sysmon event classifier: signature vocabulary, load locations, HijackLibs expected
// locations on hand-made cases, and the HijackLibs matches the README lists for EVTX files,
// rebuilt as EventRecords from the facts of those files (paths as evtxexport renders them).
#include <QtTest>

#include "event_source_check.h"
#include "hijacklibs/windows_path.h"
#include "sysmon/event_classifier.h"
#include "sysmon/load_event.h"
#include "sysmon/load_location.h"
#include "sysmon/sysmon_reasons.h"

using namespace loadlens;
using namespace loadlens::sysmon;

namespace {

EventRecord imageLoad(const std::string &image, const std::string &loaded, const std::string &isSigned,
                      const std::string &status, const std::string &signature = {})
{
    EventRecord r;
    r.provider = "Microsoft-Windows-Sysmon";
    r.eventId = 7;
    r.channel = "Microsoft-Windows-Sysmon/Operational";
    r.computer = "host";
    r.recordId = 1;
    r.data = {{"UtcTime", "2020-10-17 16:27:08.058"}, {"ProcessId", "5076"}, {"Image", image},
              {"ImageLoaded", loaded}, {"Signed", isSigned}, {"SignatureStatus", status}, {"Signature", signature},
              {"Hashes", "SHA256=00"}};
    return r;
}

const char *kCryptbase = "Name: cryptbase.dll\nVendor: Microsoft\nExpectedLocations:\n- '%SYSTEM32%'\n- '%SYSWOW64%'\n"
                         "ExpectedSignatureInformation:\n- Subject: CN=Microsoft Windows, O=Microsoft Corporation\n  Type: Catalog\n"
                         "VulnerableExecutables:\n- Path: '%SYSTEM32%\\sysprep\\sysprep.exe'\n  Type: Sideloading\n  AutoElevate: true\n";

hijacklibs::Dataset handMadeDataset()
{
    hijacklibs::Dataset dataset;
    auto entry = hijacklibs::Dataset::parseEntry(kCryptbase, "cryptbase.yml");
    if (entry)
        dataset.add(std::move(entry).value());
    return dataset;
}

const Reason *reasonOf(const LoadEvent &event, std::string_view code)
{
    for (const auto &r : event.verdict.reasons)
        if (r.code == code)
            return &r;
    return nullptr;
}

std::string evidenceOf(const Reason &reason, const std::string &key)
{
    for (const auto &[k, v] : reason.evidence)
        if (k == key)
            return v;
    return {};
}

} // namespace

class TestEventClassifier : public QObject {
    Q_OBJECT
private slots:
    void signatureVocabulary_data()
    {
        QTest::addColumn<QString>("isSigned");
        QTest::addColumn<QString>("status");
        QTest::addColumn<int>("state");
        QTest::addRow("valid") << "true" << "Valid" << int(SignatureState::Valid);
        QTest::addRow("unsigned, unavailable") << "false" << "Unavailable" << int(SignatureState::Unsigned);
        QTest::addRow("case") << "TRUE" << "valid" << int(SignatureState::Valid);
        QTest::addRow("expired") << "true" << "Expired" << int(SignatureState::Expired);
        QTest::addRow("revoked") << "true" << "Revoked" << int(SignatureState::Revoked);
        QTest::addRow("unavailable") << "true" << "Unavailable" << int(SignatureState::Unavailable);
        QTest::addRow("other status") << "true" << "Distrust" << int(SignatureState::Invalid);
        QTest::addRow("hresult") << "true" << "0x800B0109" << int(SignatureState::Invalid);
        QTest::addRow("nothing") << "" << "" << int(SignatureState::Unknown);
        QTest::addRow("placeholders") << "-" << "-" << int(SignatureState::Unknown);
    }
    void signatureVocabulary()
    {
        QFETCH(QString, isSigned);
        QFETCH(QString, status);
        QFETCH(int, state);
        QCOMPARE(int(signatureStateFrom(isSigned.toStdString(), status.toStdString())), state);
    }

    void kinds_data()
    {
        QTest::addColumn<QString>("provider");
        QTest::addColumn<int>("eventId");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("source");
        QTest::addRow("image load") << "Microsoft-Windows-Sysmon" << 7 << "image-load" << "sysmon";
        QTest::addRow("process") << "Microsoft-Windows-Sysmon" << 1 << "process-create" << "sysmon";
        QTest::addRow("file") << "Microsoft-Windows-Sysmon" << 11 << "file-create" << "sysmon";
        QTest::addRow("driver") << "Microsoft-Windows-Sysmon" << 6 << "driver-load" << "sysmon";
        QTest::addRow("registry") << "Microsoft-Windows-Sysmon" << 13 << "other" << "sysmon";
        QTest::addRow("linux") << "Linux-Sysmon" << 1 << "process-create" << "sysmon";
        QTest::addRow("security") << "Microsoft-Windows-Security-Auditing" << 7 << "other" << "windows-event";
    }
    void kinds()
    {
        QFETCH(QString, provider);
        QFETCH(int, eventId);
        QFETCH(QString, kind);
        QFETCH(QString, source);
        EventRecord r = imageLoad("C:\\a.exe", "C:\\b.dll", "true", "Valid");
        r.provider = provider.toStdString();
        r.eventId = eventId;
        r.data["TargetFilename"] = "C:\\t.dll";
        r.data["CommandLine"] = "a.exe -x";
        const LoadEvent e = toLoadEvent(r, "f.xml");
        QCOMPARE(QString::fromStdString(e.kind), kind);
        QCOMPARE(QString::fromStdString(e.source), source);
        QCOMPARE(e.fields.size(), r.data.size());
        QCOMPARE(e.sourceFile, std::string("f.xml"));
        if (kind == QStringLiteral("file-create"))
            QCOMPARE(e.imageLoaded, std::string("C:\\t.dll"));
        if (kind == QStringLiteral("process-create"))
            QCOMPARE(e.commandLine, std::string("a.exe -x"));
        if (kind == QStringLiteral("image-load")) {
            QCOMPARE(e.imageLoaded, std::string("C:\\b.dll"));
            QCOMPARE(e.pid, std::int64_t(5076));
            QCOMPARE(e.timeUs, std::int64_t(1602952028058000));  // from UtcTime: the record has none
        }
    }

    void loadLocations_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<int>("location");
        QTest::addRow("system32") << "C:\\Windows\\System32\\a.dll" << int(LoadLocation::System);
        QTest::addRow("program files") << "C:\\Program Files\\X\\a.dll" << int(LoadLocation::System);
        QTest::addRow("appdata") << "C:\\Users\\x\\AppData\\Roaming\\a.dll" << int(LoadLocation::UserProfile);
        QTest::addRow("user temp") << "C:\\Users\\x\\AppData\\Local\\Temp\\a.dll" << int(LoadLocation::Temp);
        QTest::addRow("windows temp") << "C:\\Windows\\Temp\\a.dll" << int(LoadLocation::Temp);
        QTest::addRow("programdata") << "C:\\ProgramData\\Intel\\wwlib.dll" << int(LoadLocation::ProgramData);
        QTest::addRow("unc") << "\\\\172.16.66.254\\shared\\lsadb.dll" << int(LoadLocation::NetworkShare);
        QTest::addRow("tasks") << "C:\\Windows\\Tasks\\a.dll" << int(LoadLocation::WritableWindows);
        QTest::addRow("usb") << "E:\\a.dll" << int(LoadLocation::OtherDrive);
        QTest::addRow("root folder") << "C:\\tools\\a.dll" << int(LoadLocation::DriveRootFolder);
        QTest::addRow("file in root") << "C:\\a.dll" << int(LoadLocation::System);
        // By the folder's default ACL, not by its first component.
        QTest::addRow("defender platform") << "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2009.7-0\\MpOAV.dll" << int(LoadLocation::System);
        QTest::addRow("programdata microsoft") << "C:\\ProgramData\\Microsoft\\Windows\\x.dll" << int(LoadLocation::System);
        QTest::addRow("package cache") << "C:\\ProgramData\\Package Cache\\{guid}\\x.dll" << int(LoadLocation::System);
        QTest::addRow("machine keys") << "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys\\x.dll" << int(LoadLocation::WritableWindows);
        QTest::addRow("programdata root file") << "C:\\ProgramData\\T1055.dll" << int(LoadLocation::ProgramData);
        QTest::addRow("programdata app folder") << "C:\\ProgramData\\SomeApp\\x.dll" << int(LoadLocation::ProgramData);
        QTest::addRow("microsoft-named app folder") << "C:\\ProgramData\\MicrosoftUpdater\\x.dll" << int(LoadLocation::ProgramData);
        QTest::addRow("spool printers") << "C:\\Windows\\System32\\spool\\PRINTERS\\x.dll" << int(LoadLocation::WritableWindows);
        QTest::addRow("system32 tasks") << "C:\\Windows\\System32\\Tasks\\x.dll" << int(LoadLocation::WritableWindows);
        QTest::addRow("native images") << "C:\\Windows\\assembly\\NativeImages_v4.0.30319_64\\System\\0123456789abcdef0123456789abcdef\\System.ni.dll" << int(LoadLocation::System);
        QTest::addRow("file in users") << "C:\\Users\\a.dll" << int(LoadLocation::System);
        QTest::addRow("default profile") << "C:\\Users\\Default\\AppData\\a.dll" << int(LoadLocation::System);
        QTest::addRow("public profile") << "C:\\Users\\Public\\a.dll" << int(LoadLocation::UserProfile);
        QTest::addRow("program files x86") << "C:\\Program Files (x86)\\X\\a.dll" << int(LoadLocation::System);
    }
    void loadLocations()
    {
        QFETCH(QString, path);
        QFETCH(int, location);
        QCOMPARE(int(classifyLoadLocation(winpath::normalize(path.toStdString()))), location);
    }

    void signatureReasons()
    {
        const EventClassifier classifier;
        const auto ok = judgeRecord(imageLoad("C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\a.dll", "true", "Valid", "Microsoft Windows"), "f", classifier);
        QCOMPARE(ok.verdict.level, Level::Ok);
        QVERIFY(ok.verdict.reasons.empty());

        const auto unsignedLoad = judgeRecord(imageLoad("C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\a.dll", "false", "Unavailable"), "f", classifier);
        const Reason *r = reasonOf(unsignedLoad, code::UnsignedImageLoad);
        QVERIFY(r);
        QCOMPARE(r->level, Level::Medium);
        QCOMPARE(r->technique, std::string("T1574"));
        QCOMPARE(r->measure, std::string("Require digital signatures for all libraries"));
        QCOMPARE(evidenceOf(*r, "signed"), std::string("false"));

        const auto revoked = judgeRecord(imageLoad("C:\\a.exe", "C:\\Windows\\System32\\a.dll", "true", "Revoked", "Evil"), "f", classifier);
        QCOMPARE(revoked.verdict.level, Level::High);
        QVERIFY(revoked.verdict.has(code::InvalidSignature));

        EventRecord driver = imageLoad("", "C:\\Windows\\System32\\drivers\\x.sys", "false", "Unavailable");
        driver.eventId = 6;
        const auto driverLoad = judgeRecord(driver, "f", classifier);
        QCOMPARE(driverLoad.kind, std::string("driver-load"));
        QCOMPARE(reasonOf(driverLoad, code::UnsignedImageLoad)->level, Level::High);
    }

    void locationReasons()
    {
        const EventClassifier classifier;
        const auto share = judgeRecord(imageLoad("C:\\Windows\\System32\\lsass.exe", "\\\\172.16.66.254\\shared\\lsadb.dll", "false", "Unavailable"), "f", classifier);
        const Reason *r = reasonOf(share, code::UserWritableLoadPath);
        QVERIFY(r);
        QCOMPARE(r->level, Level::High);
        QCOMPARE(r->technique, std::string("T1574.001"));
        QCOMPARE(r->measure, std::string("Secure library paths and directories"));
        QCOMPARE(evidenceOf(*r, "location"), std::string("network share"));

        EventRecord file = imageLoad("C:\\Windows\\Explorer.EXE", "", "", "");
        file.eventId = 11;
        file.data["TargetFilename"] = "C:\\ProgramData\\Intel\\wwlib.dll";
        const auto written = judgeRecord(file, "f", classifier);
        QVERIFY(written.verdict.has(code::ExecutableFileCreated));
        QVERIFY(written.verdict.has(code::UserWritableLoadPath));
        file.data["TargetFilename"] = "C:\\ProgramData\\Intel\\notes.txt";
        QVERIFY(judgeRecord(file, "f", classifier).verdict.reasons.empty());
    }

    // The brief's hand-made case: a System32 load of a listed DLL is not flagged, the same DLL
    // from a user's AppData is.
    void expectedLocations()
    {
        const hijacklibs::Dataset dataset = handMadeDataset();
        QCOMPARE(dataset.size(), std::size_t(1));
        const EventClassifier classifier(&dataset);

        const auto home = judgeRecord(imageLoad("C:\\Windows\\System32\\calc.exe", "C:\\Windows\\System32\\CRYPTBASE.DLL", "true", "Valid", "Microsoft Windows"), "f", classifier);
        QVERIFY(!home.verdict.has(code::HijackLibsMatch));
        QVERIFY(home.verdict.reasons.empty());

        const auto wow = judgeRecord(imageLoad("C:\\Windows\\SysWOW64\\calc.exe", "C:\\Windows\\SysWOW64\\cryptbase.dll", "true", "Valid", "Microsoft Windows"), "f", classifier);
        QVERIFY(wow.verdict.reasons.empty());

        const auto planted = judgeRecord(imageLoad("C:\\Users\\x\\AppData\\Local\\calc.exe", "C:\\Users\\x\\AppData\\Local\\cryptbase.dll", "false", "Unavailable"), "f", classifier);
        const Reason *match = reasonOf(planted, code::HijackLibsMatch);
        QVERIFY(match);
        QCOMPARE(match->level, Level::High);
        QCOMPARE(match->technique, std::string("T1574.001"));
        QCOMPARE(evidenceOf(*match, "hijack-type"), std::string("Sideloading"));
        QCOMPARE(evidenceOf(*match, "expected-locations"), std::string("%SYSTEM32%; %SYSWOW64%"));
        QCOMPARE(evidenceOf(*match, "hijacklibs-entry"), std::string("cryptbase.yml"));
        QVERIFY(planted.verdict.has(code::UnsignedImageLoad));
        QVERIFY(planted.verdict.has(code::UserWritableLoadPath));
        QVERIFY(!planted.verdict.has(code::HijackLibsVulnerableExecutable));

        // The listed program at its listed path, loading the DLL from beside it.
        const auto sysprep = judgeRecord(imageLoad("C:\\Windows\\System32\\sysprep\\sysprep.exe", "C:\\Windows\\System32\\sysprep\\cryptbase.dll", "false", "Unavailable"), "f", classifier);
        const Reason *exe = reasonOf(sysprep, code::HijackLibsVulnerableExecutable);
        QVERIFY(exe);
        QCOMPARE(evidenceOf(*exe, "match"), std::string("path"));
        QCOMPARE(evidenceOf(*exe, "auto-elevate"), std::string("true"));
        QCOMPARE(evidenceOf(*exe, "vulnerable-executable"), std::string("%SYSTEM32%\\sysprep\\sysprep.exe"));

        // The same program copied to a user folder: matched by name, and its start is flagged.
        const auto copied = judgeRecord(imageLoad("C:\\Users\\x\\Desktop\\sysprep.exe", "C:\\Users\\x\\Desktop\\cryptbase.dll", "false", "Unavailable"), "f", classifier);
        QVERIFY(evidenceOf(*reasonOf(copied, code::HijackLibsVulnerableExecutable), "match").starts_with("file name only"));
        EventRecord start = imageLoad("C:\\Users\\x\\Desktop\\sysprep.exe", "", "", "");
        start.eventId = 1;
        const auto started = judgeRecord(start, "f", classifier);
        QVERIFY(started.verdict.has(code::HijackLibsRelocatedExecutable));
        start.data["Image"] = "C:\\Windows\\System32\\sysprep\\sysprep.exe";
        QVERIFY(judgeRecord(start, "f", classifier).verdict.reasons.empty());
    }

    void signerMismatch()
    {
        const hijacklibs::Dataset dataset = handMadeDataset();
        const EventClassifier classifier(&dataset);
        const auto other = judgeRecord(imageLoad("C:\\Windows\\System32\\calc.exe", "C:\\Windows\\System32\\cryptbase.dll", "true", "Valid", "Totally Legit Ltd"), "f", classifier);
        const Reason *r = reasonOf(other, code::SignerMismatch);
        QVERIFY(r);
        QCOMPARE(r->level, Level::High);
        QCOMPARE(evidenceOf(*r, "expected-signer"), std::string("Microsoft Windows"));
        QCOMPARE(evidenceOf(*r, "observed-signer"), std::string("Totally Legit Ltd"));
        const auto same = judgeRecord(imageLoad("C:\\Windows\\System32\\calc.exe", "C:\\Windows\\System32\\cryptbase.dll", "true", "Valid", "microsoft windows"), "f", classifier);
        QVERIFY(!same.verdict.has(code::SignerMismatch));
    }

    // The README's HijackLibs matches for the EVTX files, as events with those files' facts.
    void readmeEvtxMatches_data()
    {
        QTest::addColumn<QString>("image");
        QTest::addColumn<QString>("loaded");
        QTest::addColumn<QString>("dll");
        QTest::addColumn<QString>("hijackType");
        QTest::addRow("cdpsgshims (CDPSvc)") << "C:\\Windows\\System32\\svchost.exe" << "C:\\ProgramData\\chocolatey\\bin\\cdpsgshims.dll" << "cdpsgshims.dll" << "Phantom";
        QTest::addRow("jli (apt10 jjs)") << "C:\\Users\\IEUser\\Desktop\\info.rar\\jjs.exe" << "C:\\Users\\IEUser\\Desktop\\info.rar\\jli.dll" << "jli.dll" << "Sideloading";
        QTest::addRow("nvsmartmax") << "C:\\Users\\IEUser\\AppData\\Roaming\\NvSmart.exe" << "C:\\Users\\IEUser\\AppData\\Roaming\\NvSmartMax.dll" << "nvsmartmax.dll" << "Sideloading";
        QTest::addRow("cryptbase (sysprep)") << "C:\\Windows\\System32\\sysprep\\sysprep.exe" << "C:\\Windows\\System32\\sysprep\\cryptbase.dll" << "cryptbase.dll" << "Sideloading";
        QTest::addRow("bthprops (sigma)") << "C:\\Users\\SwachchhandaP\\Downloads\\fsquirt.exe" << "C:\\Users\\SwachchhandaP\\Downloads\\bthprops.cpl" << "bthprops.cpl" << "Sideloading";
    }
    void readmeEvtxMatches()
    {
        QFETCH(QString, image);
        QFETCH(QString, loaded);
        QFETCH(QString, dll);
        QFETCH(QString, hijackType);
        const hijacklibs::Dataset *dataset = testing::sharedHijackLibs();
        if (!dataset)
            QSKIP("shared sample data not found: hijacklibs (set LOADLENS_SHARED_DATA to the shared/data folder)");
        const EventClassifier classifier(dataset);
        const auto e = judgeRecord(imageLoad(image.toStdString(), loaded.toStdString(), "false", "Unavailable"), "f", classifier);
        const Reason *match = reasonOf(e, code::HijackLibsMatch);
        QVERIFY(match);
        QCOMPARE(QString::fromStdString(evidenceOf(*match, "dll")), dll);
        QCOMPARE(QString::fromStdString(evidenceOf(*match, "hijack-type")), hijackType);
        QCOMPARE(e.verdict.level, Level::High);
    }

    // Windows Defender's platform folder lies below ProgramData but has its own admin-only ACL;
    // a folder directly below ProgramData is flagged, saying that its ACL decides.
    void locationByDefaultAcl()
    {
        const EventClassifier classifier;
        const auto defender = judgeRecord(imageLoad("C:\\Windows\\System32\\notepad.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2009.7-0\\MpOAV.dll", "true", "Valid", "Microsoft Windows"), "f", classifier);
        QCOMPARE(defender.verdict.level, Level::Ok);
        QVERIFY(defender.verdict.reasons.empty());
        // Unsigned there: the signature speaks, the folder does not.
        const auto unsignedDefender = judgeRecord(imageLoad("C:\\Windows\\System32\\notepad.exe", "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.2009.7-0\\x.dll", "false", "Unavailable"), "f", classifier);
        QVERIFY(unsignedDefender.verdict.has(code::UnsignedImageLoad));
        QVERIFY(!unsignedDefender.verdict.has(code::UserWritableLoadPath));

        const auto app = judgeRecord(imageLoad("C:\\Windows\\System32\\notepad.exe", "C:\\ProgramData\\SomeApp\\bin\\x.dll", "false", "Unavailable"), "f", classifier);
        const Reason *r = reasonOf(app, code::UserWritableLoadPath);
        QVERIFY(r);
        QCOMPARE(r->level, Level::Medium);
        QCOMPARE(app.verdict.level, Level::Medium);
        QVERIFY2(r->text.find("depends on the ACL of C:\\ProgramData\\SomeApp") != std::string::npos, r->text.c_str());
        QVERIFY2(r->text.find("does not carry") != std::string::npos, r->text.c_str());
        QCOMPARE(evidenceOf(*r, "acl-folder"), std::string("C:\\ProgramData\\SomeApp"));
        QVERIFY(evidenceOf(*r, "acl-known").starts_with("no"));

        const auto root = judgeRecord(imageLoad("C:\\Windows\\System32\\notepad.exe", "C:\\ProgramData\\T1055.dll", "false", "Unavailable"), "f", classifier);
        r = reasonOf(root, code::UserWritableLoadPath);
        QVERIFY(r);
        QCOMPARE(r->level, Level::Medium);
        QVERIFY2(r->text.find("CREATOR OWNER") != std::string::npos, r->text.c_str());
        QVERIFY(evidenceOf(*r, "acl-known").empty());

        const auto profile = judgeRecord(imageLoad("C:\\Users\\x\\Desktop\\a.exe", "C:\\Users\\x\\AppData\\Roaming\\evil.dll", "false", "Unavailable"), "f", classifier);
        r = reasonOf(profile, code::UserWritableLoadPath);
        QVERIFY(r);
        QCOMPARE(evidenceOf(*r, "acl-folder"), std::string("C:\\Users\\x"));
        QCOMPARE(profile.verdict.level, Level::Medium);

        const auto printers = judgeRecord(imageLoad("C:\\Windows\\System32\\spoolsv.exe", "C:\\Windows\\System32\\spool\\PRINTERS\\x.dll", "false", "Unavailable"), "f", classifier);
        QVERIFY(printers.verdict.has(code::UserWritableLoadPath));
    }

    // .NET native images are unsigned by design: low, with its own reason, when path and name
    // are those NGEN gives them; anything else under NativeImages stays an unsigned load.
    void ngenImages_data()
    {
        QTest::addColumn<std::string>("loaded");
        QTest::addColumn<std::string>("isSigned");
        QTest::addColumn<int>("level");
        QTest::addColumn<bool>("ngen");
        QTest::addColumn<std::string>("layoutProblem");  // start of the ngen-layout evidence
        const std::string v4("C:\\Windows\\assembly\\NativeImages_v4.0.30319_64\\");
        const std::string hash("\\0a1b2c3d4e5f60718293a4b5c6d7e8f9\\");
        QTest::addRow("v4 64") << v4 + "System.Core" + hash + "System.Core.ni.dll" << std::string("false") << int(Level::Low) << true << std::string("");
        QTest::addRow("v4 32") << std::string("C:\\Windows\\assembly\\NativeImages_v4.0.30319_32\\System.Xml") + hash + "System.Xml.ni.dll" << std::string("false") << int(Level::Low) << true << std::string("");
        QTest::addRow("v2 64") << std::string("C:\\Windows\\assembly\\NativeImages_v2.0.50727_64\\mscorlib") + hash + "mscorlib.ni.dll" << std::string("false") << int(Level::Low) << true << std::string("");
        QTest::addRow("long name, cut") << v4 + "System.Dire5d62f0a2#" + hash + "System.DirectoryServices.Protocols.ni.dll" << std::string("false") << int(Level::Low) << true << std::string("");
        QTest::addRow("program") << v4 + "powershell_ise" + hash + "powershell_ise.ni.exe" << std::string("false") << int(Level::Low) << true << std::string("");
        QTest::addRow("signed") << v4 + "mscorlib" + hash + "mscorlib.ni.dll" << std::string("true") << int(Level::Ok) << false << std::string("");
        QTest::addRow("directly in the folder") << v4 + "evil.dll" << std::string("false") << int(Level::Medium) << false << std::string("NGEN keeps each image two folders below");
        QTest::addRow("not .ni.dll") << v4 + "System.Core" + hash + "System.Core.dll" << std::string("false") << int(Level::Medium) << false << std::string("the name does not end in .ni.dll");
        QTest::addRow("not a hash") << v4 + "System.Core\\latest\\System.Core.ni.dll" << std::string("false") << int(Level::Medium) << false << std::string("the folder above it is not");
        QTest::addRow("other assembly folder") << v4 + "System.Core" + hash + "evil.ni.dll" << std::string("false") << int(Level::Medium) << false << std::string("the assembly folder");
        QTest::addRow("cut name of another") << v4 + "System.Dire5d62f0a2#" + hash + "Evil.ni.dll" << std::string("false") << int(Level::Medium) << false << std::string("the assembly folder");
        QTest::addRow("not a runtime folder") << std::string("C:\\Windows\\assembly\\NativeImages_evil\\System.Core") + hash + "System.Core.ni.dll" << std::string("false") << int(Level::Medium) << false << std::string("the folder is not");
        // The same layout elsewhere is just an unsigned DLL in a user's profile.
        QTest::addRow("in a profile") << std::string("C:\\Users\\x\\AppData\\Local\\assembly\\NativeImages_v4.0.30319_64\\System.Core") + hash + "System.Core.ni.dll" << std::string("false") << int(Level::Medium) << false << std::string("");
    }
    void ngenImages()
    {
        QFETCH(std::string, loaded);
        QFETCH(std::string, isSigned);
        QFETCH(int, level);
        QFETCH(bool, ngen);
        QFETCH(std::string, layoutProblem);
        const EventClassifier classifier;
        const bool valid = isSigned == "true";
        const auto e = judgeRecord(imageLoad("C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", loaded,
                                             isSigned, valid ? "Valid" : "Unavailable", valid ? "Microsoft Corporation" : "-"),
                                   "f", classifier);
        QCOMPARE(int(e.verdict.level), level);
        QCOMPARE(e.verdict.has(code::NgenNativeImage), ngen);
        if (ngen) {
            QVERIFY(!e.verdict.has(code::UnsignedImageLoad));
            QCOMPARE(e.verdict.reasons.size(), std::size_t(1));
            const Reason &r = e.verdict.reasons.front();
            QCOMPARE(r.level, Level::Low);
            QVERIFY2(r.text.find("never Authenticode-signed") != std::string::npos, r.text.c_str());
            QVERIFY2(r.text.find("ngen.exe") != std::string::npos, r.text.c_str());
            QVERIFY2(r.text.find("administrators and TrustedInstaller") != std::string::npos, r.text.c_str());
            QVERIFY(evidenceOf(r, "native-images-folder").starts_with("C:\\Windows\\assembly\\NativeImages_v"));
            const std::string assembly = evidenceOf(r, "assembly");
            QVERIFY2(assembly.ends_with(".dll") || assembly.ends_with(".exe"), assembly.c_str());
            QVERIFY(assembly.find(".ni.") == std::string::npos);
        } else if (!valid) {
            const Reason *r = reasonOf(e, code::UnsignedImageLoad);
            QVERIFY(r);
            QCOMPARE(r->level, Level::Medium);
            QVERIFY2(evidenceOf(*r, "ngen-layout").starts_with(layoutProblem), evidenceOf(*r, "ngen-layout").c_str());
        }
    }

    // A native image of an assembly whose name HijackLibs lists is not set aside.
    void ngenImageOfListedName()
    {
        hijacklibs::Dataset dataset = handMadeDataset();
        auto entry = hijacklibs::Dataset::parseEntry("Name: evil.dll\nVendor: Microsoft\nExpectedLocations:\n- '%SYSTEM32%'\n"
                                                 "VulnerableExecutables:\n- Path: 'evil.exe'\n  Type: Phantom\n", "evil.yml");
        QVERIFY(entry);
        dataset.add(std::move(entry).value());
        const EventClassifier classifier(&dataset);
        const auto e = judgeRecord(imageLoad("C:\\Windows\\System32\\notepad.exe", "C:\\Windows\\assembly\\NativeImages_v4.0.30319_64\\Evil\\0a1b2c3d4e5f60718293a4b5c6d7e8f9\\Evil.ni.dll", "false", "Unavailable"), "f", classifier);
        QVERIFY(!e.verdict.has(code::NgenNativeImage));
        const Reason *r = reasonOf(e, code::UnsignedImageLoad);
        QVERIFY(r);
        QCOMPARE(r->level, Level::Medium);
        QCOMPARE(evidenceOf(*r, "hijacklibs-entry"), std::string("evil.yml"));
        QCOMPARE(evidenceOf(*r, "ngen-assembly"), std::string("evil.dll"));
    }

    // The Visual C++ runtime that Office keeps beside its programs: a copy its vendor signed in a
    // folder only administrators may write is info; unsigned, another signer, or a folder users
    // can write to stays flagged.
    void vendorCopies_data()
    {
        QTest::addColumn<std::string>("image");
        QTest::addColumn<std::string>("loaded");
        QTest::addColumn<std::string>("isSigned");
        QTest::addColumn<std::string>("status");
        QTest::addColumn<std::string>("signer");
        QTest::addColumn<int>("level");
        QTest::addColumn<bool>("vendorCopy");
        const std::string office("C:\\Program Files\\Microsoft Office\\root\\Office16\\");
        const std::string c2r("C:\\Program Files\\Common Files\\Microsoft Shared\\ClickToRun\\");
        const std::string shared16("C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\");
        QTest::addRow("office") << office + "WINWORD.EXE" << office + "VCRUNTIME140.dll" << std::string("true") << std::string("Valid") << std::string("Microsoft Corporation") << int(Level::Info) << true;
        QTest::addRow("office msvcp") << office + "EXCEL.EXE" << office + "MSVCP140.dll" << std::string("true") << std::string("Valid") << std::string("Microsoft Corporation") << int(Level::Info) << true;
        QTest::addRow("click-to-run") << c2r + "OfficeClickToRun.exe" << c2r + "vcruntime140.dll" << std::string("true") << std::string("Valid") << std::string("Microsoft Corporation") << int(Level::Info) << true;
        // The program HijackLibs names, at home, with the vendor's copy beside it.
        QTest::addRow("liclua at home") << shared16 + "LICLUA.exe" << shared16 + "VCRUNTIME140.dll" << std::string("true") << std::string("Valid") << std::string("Microsoft Corporation") << int(Level::Info) << true;
        // The entry expects another Microsoft certificate for the System32 copy.
        QTest::addRow("office _1") << office + "WINWORD.EXE" << office + "VCRUNTIME140_1.dll" << std::string("true") << std::string("Valid") << std::string("Microsoft Corporation") << int(Level::Info) << true;
        QTest::addRow("x86 office") << std::string("C:\\Program Files (x86)\\Microsoft Office\\root\\Office16\\WINWORD.EXE") << std::string("C:\\Program Files (x86)\\Microsoft Office\\root\\Office16\\vcruntime140.dll") << std::string("true") << std::string("Valid") << std::string("Microsoft Corporation") << int(Level::Info) << true;
        QTest::addRow("unsigned in office") << office + "WINWORD.EXE" << office + "VCRUNTIME140.dll" << std::string("false") << std::string("Unavailable") << std::string("-") << int(Level::High) << false;
        QTest::addRow("expired in office") << office + "WINWORD.EXE" << office + "VCRUNTIME140.dll" << std::string("true") << std::string("Expired") << std::string("Microsoft Corporation") << int(Level::High) << false;
        QTest::addRow("other signer in office") << office + "WINWORD.EXE" << office + "VCRUNTIME140.dll" << std::string("true") << std::string("Valid") << std::string("Totally Legit Ltd") << int(Level::Low) << false;
        QTest::addRow("vendor as a prefix only") << office + "WINWORD.EXE" << office + "VCRUNTIME140.dll" << std::string("true") << std::string("Valid") << std::string("MicrosoftEvil Ltd") << int(Level::Low) << false;
        QTest::addRow("signed in appdata") << std::string("C:\\Users\\x\\AppData\\Local\\app\\app.exe") << std::string("C:\\Users\\x\\AppData\\Local\\app\\vcruntime140.dll") << std::string("true") << std::string("Valid") << std::string("Microsoft Corporation") << int(Level::Medium) << false;
        QTest::addRow("signed in a programdata folder") << std::string("C:\\ProgramData\\SomeApp\\app.exe") << std::string("C:\\ProgramData\\SomeApp\\vcruntime140.dll") << std::string("true") << std::string("Valid") << std::string("Microsoft Corporation") << int(Level::Medium) << false;
        QTest::addRow("liclua copied out, unsigned") << std::string("C:\\Users\\x\\Downloads\\LICLUA.exe") << std::string("C:\\Users\\x\\Downloads\\VCRUNTIME140.dll") << std::string("false") << std::string("Unavailable") << std::string("-") << int(Level::High) << false;
    }
    void vendorCopies()
    {
        QFETCH(std::string, image);
        QFETCH(std::string, loaded);
        QFETCH(std::string, isSigned);
        QFETCH(std::string, status);
        QFETCH(std::string, signer);
        QFETCH(int, level);
        QFETCH(bool, vendorCopy);
        hijacklibs::Dataset dataset;
        // Shaped like the dataset's own entries for these DLLs.
        for (const char *yaml : {"Name: vcruntime140.dll\nVendor: Microsoft\nExpectedLocations:\n- '%SYSTEM32%'\n"
                                 "VulnerableExecutables:\n- Path: '%PROGRAMFILES%\\Common Files\\Microsoft Shared\\OFFICE16\\LICLUA.exe'\n  Type: Sideloading\n",
                                 "Name: msvcp140.dll\nVendor: Microsoft\nExpectedLocations:\n- '%SYSTEM32%'\n- '%SYSWOW64%'\n- '%PROGRAMFILES%'\n"
                                 "VulnerableExecutables:\n- Path: '%PROGRAMFILES%\\Java\\%VERSION%\\bin\\jp2launcher.exe'\n  Type: Sideloading\n",
                                 "Name: vcruntime140_1.dll\nVendor: Microsoft\nExpectedLocations:\n- '%SYSTEM32%'\n- '%SYSWOW64%'\n"
                                 "ExpectedSignatureInformation:\n- Type: Authenticode\n  Subject: CN=Microsoft Windows Software Compatibility Publisher,O=Microsoft Corporation,L=Redmond,ST=Washington,C=US\n"
                                 "VulnerableExecutables:\n- Path: '%PROGRAMFILES%\\Common Files\\Microsoft Shared\\OFFICE16\\LICLUA.exe'\n  Type: Sideloading\n"}) {
            auto entry = hijacklibs::Dataset::parseEntry(yaml, "vc.yml");
            QVERIFY2(entry, entry ? "" : entry.error().message.c_str());
            dataset.add(std::move(entry).value());
        }
        const EventClassifier classifier(&dataset);
        const auto e = judgeRecord(imageLoad(image, loaded, isSigned, status, signer), "f", classifier);
        QCOMPARE(int(e.verdict.level), level);
        QCOMPARE(e.verdict.has(code::HijackLibsVendorCopy), vendorCopy);
        QCOMPARE(e.verdict.has(code::HijackLibsMatch), !vendorCopy);
        if (!vendorCopy)
            return;
        QVERIFY(!e.verdict.has(code::HijackLibsVulnerableExecutable));
        QVERIFY(!e.verdict.has(code::SignerMismatch));
        const Reason *r = reasonOf(e, code::HijackLibsVendorCopy);
        QCOMPARE(r->level, Level::Info);
        QCOMPARE(r->technique, std::string());
        QVERIFY2(r->text.find("private copy") != std::string::npos, r->text.c_str());
        QVERIFY2(r->text.find("Only TrustedInstaller, SYSTEM and Administrators may write") != std::string::npos, r->text.c_str());
        QCOMPARE(evidenceOf(*r, "signer"), signer);
        QVERIFY(evidenceOf(*r, "default-acl").starts_with("C:\\Program Files"));
        if (image.ends_with("LICLUA.exe"))
            QVERIFY(evidenceOf(*r, "vulnerable-executable").ends_with("LICLUA.exe"));
    }

    // The same with the real HijackLibs entries, when the shared dataset is there.
    void vendorCopiesWithSharedDataset()
    {
        const hijacklibs::Dataset *dataset = testing::sharedHijackLibs();
        if (!dataset)
            QSKIP("shared sample data not found: hijacklibs (set LOADLENS_SHARED_DATA to the shared/data folder)");
        const EventClassifier classifier(dataset);
        const std::string office = "C:\\Program Files\\Microsoft Office\\root\\Office16\\";
        for (const char *dll : {"VCRUNTIME140.dll", "MSVCP140.dll", "VCRUNTIME140_1.dll"}) {
            const auto signedCopy = judgeRecord(imageLoad(office + "WINWORD.EXE", office + dll, "true", "Valid", "Microsoft Corporation"), "f", classifier);
            QVERIFY2(signedCopy.verdict.has(code::HijackLibsVendorCopy), dll);
            QCOMPARE(signedCopy.verdict.level, Level::Info);
            const auto unsignedCopy = judgeRecord(imageLoad(office + "WINWORD.EXE", office + dll, "false", "Unavailable"), "f", classifier);
            QVERIFY2(unsignedCopy.verdict.has(code::HijackLibsMatch), dll);
            QCOMPARE(unsignedCopy.verdict.level, Level::High);
            const auto planted = judgeRecord(imageLoad("C:\\Users\\x\\Downloads\\LICLUA.exe", std::string("C:\\Users\\x\\Downloads\\") + dll, "true", "Valid", "Microsoft Corporation"), "f", classifier);
            QVERIFY2(planted.verdict.has(code::HijackLibsMatch), dll);
            QVERIFY(planted.verdict.level >= Level::Medium);
        }
    }
};

QTEST_GUILESS_MAIN(TestEventClassifier)
#include "tst_event_classifier.moc"
