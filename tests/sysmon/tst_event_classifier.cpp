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
};

QTEST_GUILESS_MAIN(TestEventClassifier)
#include "tst_event_classifier.moc"
