// Every JSON and XML sample of ../shared/data/sysmon-xml-json, and the XML rendering of every
// EVTX in sysmon-evtx (by libyal evtxexport, when installed), reproduce the README's counts
// and HijackLibs matches through the readers and the classifier.
#include <QtTest>

#include "event_source_check.h"
#include "shared_data.h"
#include "sysmon/json_record.h"
#include "sysmon/sysmon_readers.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace loadlens;
using namespace loadlens::testing;

class TestSysmonSamples : public QObject {
    Q_OBJECT
private slots:
    void textSamples_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("index");
        const auto &table = textSampleFacts();
        for (int i = 0; i < int(table.size()); ++i)
            QTest::addRow("%s", qPrintable(table[i].first)) << table[i].first << i;
    }
    void textSamples()
    {
        QFETCH(QString, file);
        QFETCH(int, index);
        LOADLENS_SHARED_DATA_OR_SKIP(dir, "sysmon-xml-json");
        const QString path = dir + QLatin1Char('/') + file;
        const bool xml = file.endsWith(QStringLiteral(".xml"));
        const RecordReader reader = xml ? RecordReader(sysmon::readSysmonXml) : RecordReader(sysmon::readSysmonJson);
        const SourceSummary summary = summarize(reader, path, sharedHijackLibs());
        QCOMPARE(QString::fromStdString(summary.report.format), xml ? QStringLiteral("sysmon-xml") : QStringLiteral("sysmon-json"));
        QVERIFY(summary.report.complete);
        checkFacts(summary, textSampleFacts()[std::size_t(index)].second);
        // Every record has a provider and, where the export carries one, a time.
        for (const auto &event : summary.events) {
            QVERIFY(!event.channel.empty() || !event.host.empty());
            QVERIFY2(event.timeUs > 1'500'000'000'000'000LL, event.sourceFile.c_str());
        }
    }

    // The layout of each JSON sample, as detected from its first record.
    void jsonLayouts_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("layout");
        QTest::addRow("evtx_dump") << "sigma_image_load_susp_offreg_dll_load.json" << "evtx_dump";
        QTest::addRow("flat") << "otrf_psh_mavinject_dll_notepad.json" << "flat";
        QTest::addRow("flat nxlog") << "otrf_covenant_wmi_wbemcomn_dll_hijack.sysmon_1_7_11.jsonl" << "flat";
        QTest::addRow("winlogbeat") << "otrf_empire_scm_dll_hijack_ikeext.winlogbeat.sysmon_1_7_11.jsonl" << "winlogbeat-6";
        QTest::addRow("azure") << "otrf_sysmon_log4shell_java_serialized_object.azure_la.json" << "azure-log-analytics";
    }
    void jsonLayouts()
    {
        QFETCH(QString, file);
        QFETCH(QString, layout);
        LOADLENS_SHARED_DATA_OR_SKIP(dir, "sysmon-xml-json");
        QFile f(dir + QLatin1Char('/') + file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QByteArray first = file.endsWith(QStringLiteral(".json")) && file.startsWith(QStringLiteral("sigma"))
                               ? f.readAll() : f.readLine();
        auto detected = sysmon::detectJsonLayout(std::string_view(first.constData(), std::size_t(first.size())));
        QVERIFY(detected.ok());
        QCOMPARE(QString::fromUtf8(sysmon::jsonLayoutName(*detected).data()), layout);
    }

    // Field values survive each layout: the Azure EventData string is decoded, Winlogbeat's
    // event_data is flattened, evtx_dump numbers become text.
    void fieldsOfKnownEvents()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(dir, "sysmon-xml-json");
        auto cpl = summarize(sysmon::readSysmonJson, dir + QStringLiteral("/sigma_image_load_side_load_cpl_from_non_system_location.json"), nullptr);
        QCOMPARE(cpl.events.size(), std::size_t(1));
        const LoadEvent &e = cpl.events.front();
        QCOMPARE(e.imageLoaded, std::string("C:\\Users\\SwachchhandaP\\Downloads\\bthprops.cpl"));
        QCOMPARE(e.image, std::string("C:\\Users\\SwachchhandaP\\Downloads\\fsquirt.exe"));
        QCOMPARE(e.pid, std::int64_t(6672));
        QCOMPARE(e.recordId, std::uint64_t(715282));
        QCOMPARE(e.host, std::string("srv-01.midgardnet.tech"));
        QCOMPARE(e.signatureState, SignatureState::Unsigned);
        QVERIFY(e.verdict.has("unsigned-image-load"));
        QVERIFY(e.verdict.has("user-writable-load-path"));

        auto azure = summarize(sysmon::readSysmonJson, dir + QStringLiteral("/otrf_sysmon_log4shell_java_serialized_object.azure_la.json"), nullptr);
        QCOMPARE(azure.events.front().image,
                 std::string("C:\\ProgramData\\chocolatey\\lib\\Tomcat\\tools\\apache-tomcat-9.0.62\\bin\\tomcat9.exe"));
        QCOMPARE(azure.events.front().fields.at("DestinationPort"), std::string("8080"));

        auto xml = summarize(sysmon::readSysmonXml, dir + QStringLiteral("/attack_sideloading_wwlib_sysmon_7_1_11.evtxexport.xml"), nullptr);
        QCOMPARE(xml.events.size(), std::size_t(7));
        QCOMPARE(xml.events[0].kind, std::string("file-create"));
        QCOMPARE(xml.events[0].imageLoaded, std::string("C:\\ProgramData\\Intel\\wwlib.dll"));
        QCOMPARE(xml.events[0].recordId, std::uint64_t(419622));
        // 2020-10-17T16:26:54.679582900Z
        QCOMPARE(xml.events[0].timeUs, std::int64_t(1602952014679582));
        QVERIFY(xml.events[0].verdict.has("executable-file-created"));
        QCOMPARE(xml.events[1].kind, std::string("image-load"));
        QCOMPARE(xml.events[1].signedField, std::string("false"));
        QCOMPARE(xml.events[1].signatureStatus, std::string("Unavailable"));
    }

    // Loads an analyst dismisses at once: .NET native images (unsigned by design, in an
    // admin-only folder) are low, Windows Defender's platform DLLs (signed, in a ProgramData
    // subtree with its own admin-only ACL) are not flagged at all.
    void falseAlarmKinds_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("ngenImages");
        QTest::addColumn<int>("defenderLoads");
        QTest::addRow("covenant") << "otrf_covenant_wmi_wbemcomn_dll_hijack.sysmon_1_7_11.jsonl" << 41 << 3;
        QTest::addRow("mavinject") << "otrf_psh_mavinject_dll_notepad.json" << 1 << 0;
        QTest::addRow("log4shell") << "otrf_sysmon_log4shell_java_serialized_object.azure_la.json" << 16 << 2;
    }
    void falseAlarmKinds()
    {
        QFETCH(QString, file);
        QFETCH(int, ngenImages);
        QFETCH(int, defenderLoads);
        LOADLENS_SHARED_DATA_OR_SKIP(dir, "sysmon-xml-json");
        const SourceSummary summary = summarize(sysmon::readSysmonJson, dir + QLatin1Char('/') + file, sharedHijackLibs());
        int ngen = 0, defender = 0;
        for (const auto &e : summary.events) {
            if (e.kind != "image-load")
                continue;
            if (e.imageLoaded.find("\\assembly\\NativeImages_v") != std::string::npos && e.signedField == "false") {
                ++ngen;
                QVERIFY2(e.verdict.has("ngen-native-image"), e.imageLoaded.c_str());
                QVERIFY2(!e.verdict.has("unsigned-image-load"), e.imageLoaded.c_str());
                QCOMPARE(e.verdict.level, Level::Low);
            }
            if (e.imageLoaded.find("\\Windows Defender\\Platform\\") != std::string::npos) {
                ++defender;
                QVERIFY2(e.verdict.reasons.empty(), e.imageLoaded.c_str());
            }
        }
        QCOMPARE(ngen, ngenImages);
        QCOMPARE(defender, defenderLoads);
    }

    // What must stay flagged in the same samples keeps its level.
    void realFindingsKeepTheirLevels()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(dir, "sysmon-xml-json");
        const hijacklibs::Dataset *dataset = sharedHijackLibs();
        auto levelOf = [&](const QString &file, const std::string &loaded, const std::string &kind) {
            const SourceSummary s = summarize(sysmon::readSysmonJson, dir + QLatin1Char('/') + file, dataset);
            Level worst = Level::Ok;
            int found = 0;
            for (const auto &e : s.events)
                if (e.kind == kind && e.imageLoaded == loaded) {
                    ++found;
                    worst = std::max(worst, e.verdict.level);
                }
            return found ? worst : Level(-1);
        };
        // mavinject's DLL, directly in the ProgramData root where Users may create files.
        const QString mavinject = QStringLiteral("otrf_psh_mavinject_dll_notepad.json");
        QCOMPARE(levelOf(mavinject, "C:\\ProgramData\\T1055.dll", "image-load"), Level::Medium);
        QCOMPARE(levelOf(mavinject, "C:\\ProgramData\\T1055.dll", "file-create"), Level::Medium);
        const QString covenant = QStringLiteral("otrf_covenant_wmi_wbemcomn_dll_hijack.sysmon_1_7_11.jsonl");
        QCOMPARE(levelOf(covenant, "C:\\ProgramData\\test.dll", "file-create"), Level::Medium);
        const QString cpl = QStringLiteral("sigma_image_load_side_load_cpl_from_non_system_location.json");
        QCOMPARE(levelOf(cpl, "C:\\Users\\SwachchhandaP\\Downloads\\bthprops.cpl", "image-load"), dataset ? Level::High : Level::Medium);
        if (!dataset)
            return;
        QCOMPARE(levelOf(covenant, "C:\\Windows\\System32\\wbem\\wbemcomn.dll", "image-load"), Level::High);
        const QString empire = QStringLiteral("otrf_empire_scm_dll_hijack_ikeext.winlogbeat.sysmon_1_7_11.jsonl");
        QCOMPARE(levelOf(empire, "C:\\Windows\\System32\\wlbsctrl.dll", "image-load"), Level::High);
        // Microsoft-signed copies of HijackLibs names in WinSxS and a System32 subfolder: info.
        const SourceSummary s = summarize(sysmon::readSysmonJson, dir + QLatin1Char('/') + empire, dataset);
        int vendorCopies = 0;
        for (const auto &e : s.events)
            if (e.verdict.has("hijacklibs-vendor-copy")) {
                ++vendorCopies;
                QCOMPARE(e.verdict.level, Level::Info);
                QCOMPARE(e.signature, std::string("Microsoft Windows"));
            }
        QCOMPARE(vendorCopies, 5);
    }

    void evtxRenderings_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("index");
        const auto &table = evtxSampleFacts();
        for (int i = 0; i < int(table.size()); ++i)
            QTest::addRow("%s", qPrintable(table[i].first)) << table[i].first << i;
    }
    // evtxexport's XML of each EVTX, read by readSysmonXml: the same facts the EVTX reader must
    // reproduce from the binary file.
    void evtxRenderings()
    {
        QFETCH(QString, file);
        QFETCH(int, index);
        LOADLENS_SHARED_DATA_OR_SKIP(dir, "sysmon-evtx");
        const QString tool = QStandardPaths::findExecutable(QStringLiteral("evtxexport"));
        if (tool.isEmpty())
            QSKIP("evtxexport (Debian libevtx-utils) is not installed");
        QTemporaryDir out;
        QVERIFY(out.isValid());
        const QString xmlPath = out.filePath(QStringLiteral("rendered.xml"));
        QProcess process;
        process.setStandardOutputFile(xmlPath);
        process.start(tool, {QStringLiteral("-f"), QStringLiteral("xml"), dir + QLatin1Char('/') + file});
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitCode(), 0);
        const SourceSummary summary = summarize(sysmon::readSysmonXml, xmlPath, sharedHijackLibs());
        checkFacts(summary, evtxSampleFacts()[std::size_t(index)].second);
    }
};

QTEST_GUILESS_MAIN(TestSysmonSamples)
#include "tst_sysmon_samples.moc"
