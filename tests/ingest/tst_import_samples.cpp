// Importing the real third-party samples into a case: per-EID and Signed=false counts as
// ../shared/data/README.md states them, the HijackLibs matches it lists, idempotency, and
// damaged files importing what is readable.
#include <QtTest>

#include "ingest/importer.h"
#include "shared_data.h"
#include "store/event_store.h"
#include "store/json_codec.h"
#include "store/schema.h"
#include "sysmon/load_event.h"
#include "sysmon/sysmon_readers.h"

#include <QTemporaryDir>
#include <sqlite3.h>
#include <zlib.h>

using namespace loadlens;

namespace {

struct Imported {
    ImportReport report;
    std::vector<LoadEvent> events;
};

std::vector<LoadEvent> allEvents(const store::CaseDatabase &db, const std::string &file)
{
    store::EventFilter filter;
    filter.limit = 1000000;
    auto events = store::listEvents(db, filter);
    std::vector<LoadEvent> out;
    if (!events)
        return out;
    for (auto &e : *events)
        if (e.sourceFile == file)
            out.push_back(std::move(e));
    return out;
}

bool hasCode(const LoadEvent &e, std::string_view code)
{
    for (const auto &r : e.verdict.reasons)
        if (r.code == code)
            return true;
    return false;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// gzip with zlib, as logrotate's gzip would write it.
bool writeGzip(const QString &path, const QByteArray &bytes)
{
    gzFile out = gzopen(path.toUtf8().constData(), "wb9");
    if (!out)
        return false;
    const bool ok = gzwrite(out, bytes.constData(), unsigned(bytes.size())) == int(bytes.size());
    return gzclose(out) == Z_OK && ok;
}

QString baseName(const std::string &windowsPath)
{
    const QString p = QString::fromStdString(windowsPath);
    return p.mid(p.lastIndexOf(QLatin1Char('\\')) + 1).toLower();
}

} // namespace

class TestImportSamples : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

    Result<store::CaseDatabase> freshCase(const QString &name)
    {
        return store::CaseDatabase::open(m_dir.filePath(name).toStdString());
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void sysmonEvtx_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("records");
        QTest::addColumn<int>("imageLoads");
        QTest::addColumn<int>("unsignedLoads");
        QTest::addColumn<QString>("hijackLibsMatch");
        // Facts from ../shared/data/README.md (libevtx, python-evtx cross-checked).
        QTest::addRow("update session orchestrator") << QStringLiteral("sysmon-evtx/attack_sysmon7_update_session_orchestrator_dll_hijack.evtx") << 64 << 40 << 36 << QString();
        QTest::addRow("wwlib side-loading") << QStringLiteral("sysmon-evtx/attack_sideloading_wwlib_sysmon_7_1_11.evtx") << 7 << 1 << 1 << QString();
        QTest::addRow("cdpsgshims") << QStringLiteral("sysmon-evtx/attack_sysmon7_dllhijack_cdpsshims_CDPSvc.evtx") << 13 << 1 << 1 << QStringLiteral("cdpsgshims.dll");
        QTest::addRow("faxhell") << QStringLiteral("sysmon-evtx/attack_faxhell_sysmon_7_1_18_3_bindshell_dllhijack.evtx") << 10 << 1 << 1 << QString();
        QTest::addRow("apt10 jli") << QStringLiteral("sysmon-evtx/attack_apt10_jjs_sideloading_sysmon_1_7_8_13.evtx") << 11 << 2 << 2 << QStringLiteral("jli.dll");
        QTest::addRow("lsadb") << QStringLiteral("sysmon-evtx/attack_LM_ImageLoad_NFSH_Sysmon_7.evtx") << 2 << 2 << 2 << QString();
        QTest::addRow("uacme") << QStringLiteral("sysmon-evtx/attack_Sysmon_UACME_64.evtx") << 530 << 511 << 1 << QString();
        QTest::addRow("nvsmartmax") << QStringLiteral("sysmon-evtx/attack_DE_timestomp_and_dll_sideloading_and_RunPersist.evtx") << 23 << 9 << 1 << QStringLiteral("nvsmartmax.dll");
    }
    void sysmonEvtx()
    {
        QFETCH(QString, file);
        QFETCH(int, records);
        QFETCH(int, imageLoads);
        QFETCH(int, unsignedLoads);
        QFETCH(QString, hijackLibsMatch);
        const QString path = testing::sharedDataPath(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + file));
        LOADLENS_SHARED_DATA_OR_SKIP(hijacklibs, "hijacklibs");

        auto db = freshCase(QFileInfo(file).baseName() + QStringLiteral(".case"));
        QVERIFY2(db, db ? "" : db.error().message.c_str());
        ingest::ImportOptions options;
        options.hijackLibsDir = hijacklibs.toStdString();
        ingest::Importer importer(options);
        const ImportReport first = importer.importFile(*db, path.toStdString());
        QCOMPARE(QString::fromStdString(first.format), QStringLiteral("evtx"));
        QVERIFY2(first.errors.empty(), first.errors.empty() ? "" : first.errors.front().c_str());
        QCOMPARE(int(first.recordsRead), records);
        QCOMPARE(int(first.imported), records);

        const auto events = allEvents(*db, path.toStdString());
        QCOMPARE(int(events.size()), records);
        int loads = 0;
        int unsignedCount = 0;
        bool matched = hijackLibsMatch.isEmpty();
        for (const auto &e : events) {
            if (e.source != "sysmon" || e.eventId != 7)
                continue;
            ++loads;
            if (e.signedField == "false") {
                ++unsignedCount;
                QCOMPARE(e.signatureState, SignatureState::Unsigned);
                QVERIFY(e.verdict.level >= Level::Medium);
            }
            if (!matched && baseName(e.imageLoaded) == hijackLibsMatch && hasCode(e, "hijacklibs-match")) {
                matched = true;
                bool technique = false;
                for (const auto &r : e.verdict.reasons)
                    technique = technique || (r.code == "hijacklibs-match" && r.technique == "T1574.001");
                QVERIFY(technique);
            }
        }
        QCOMPARE(loads, imageLoads);
        QCOMPARE(unsignedCount, unsignedLoads);
        QVERIFY2(matched, qPrintable(hijackLibsMatch + QStringLiteral(" not flagged as a HijackLibs match")));

        const ImportReport second = importer.importFile(*db, path.toStdString());
        QCOMPARE(int(second.imported), 0);
        QCOMPARE(int(second.duplicates), records);
        QCOMPARE(int(allEvents(*db, path.toStdString()).size()), records);
    }

    void damagedEvtxImportsWhatIsReadable_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("atLeast");
        QTest::addRow("no crc32") << QStringLiteral("damaged/evtxrs_Application_no_crc32.evtx") << 17;
        QTest::addRow("bad chunk magic") << QStringLiteral("damaged/evtxrs_sample_with_a_bad_chunk_magic.evtx") << 267;
        QTest::addRow("libevtx cannot render") << QStringLiteral("damaged/evtxrs_issue_201.evtx") << 0;
    }
    void damagedEvtxImportsWhatIsReadable()
    {
        QFETCH(QString, file);
        QFETCH(int, atLeast);
        const QString path = testing::sharedDataPath(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + file));
        auto db = freshCase(QFileInfo(file).baseName() + QStringLiteral(".case"));
        QVERIFY(db);
        const ImportReport report = ingest::importFile(*db, path.toStdString(), {});
        QVERIFY(int(report.imported) >= atLeast);
        QCOMPARE(report.imported + report.duplicates + report.skipped, report.recordsRead);
        if (!report.complete || report.skipped > 0)
            QVERIFY2(!report.notes.empty() || !report.errors.empty() || !report.skippedRecords.empty(),
                     "an incomplete import must say what is missing");
    }

    // Every shared Sysmon JSON/XML sample stores exactly as many events as it has records
    // (counts from ../shared/data/README.md), and importing it again adds nothing. The Mordor
    // and Azure files have no record ids and repeat identical records (Sysmon logs some
    // registry and handle events several times in one tick).
    void sysmonJsonAndXml_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("records");
        QTest::addRow("winlogbeat") << QStringLiteral("sysmon-xml-json/otrf_empire_scm_dll_hijack_ikeext.winlogbeat.sysmon_1_7_11.jsonl") << QStringLiteral("sysmon-json") << 1788;
        QTest::addRow("mordor") << QStringLiteral("sysmon-xml-json/otrf_covenant_wmi_wbemcomn_dll_hijack.sysmon_1_7_11.jsonl") << QStringLiteral("sysmon-json") << 713;
        QTest::addRow("mordor without record numbers") << QStringLiteral("sysmon-xml-json/otrf_psh_mavinject_dll_notepad.json") << QStringLiteral("sysmon-json") << 509;
        QTest::addRow("azure log analytics") << QStringLiteral("sysmon-xml-json/otrf_sysmon_log4shell_java_serialized_object.azure_la.json") << QStringLiteral("sysmon-json") << 487;
        QTest::addRow("evtx_dump cpl") << QStringLiteral("sysmon-xml-json/sigma_image_load_side_load_cpl_from_non_system_location.json") << QStringLiteral("sysmon-json") << 1;
        QTest::addRow("evtx_dump offreg") << QStringLiteral("sysmon-xml-json/sigma_image_load_susp_offreg_dll_load.json") << QStringLiteral("sysmon-json") << 1;
        QTest::addRow("evtx_dump dbghelp") << QStringLiteral("sysmon-xml-json/sigma_image_load_win_susp_dbgcore_dbghelp_load.json") << QStringLiteral("sysmon-json") << 1;
        QTest::addRow("evtx_dump file create") << QStringLiteral("sysmon-xml-json/sigma_file_event_win_create_non_existent_dlls.json") << QStringLiteral("sysmon-json") << 1;
        QTest::addRow("evtxexport xml") << QStringLiteral("sysmon-xml-json/attack_sideloading_wwlib_sysmon_7_1_11.evtxexport.xml") << QStringLiteral("sysmon-xml") << 7;
    }
    void sysmonJsonAndXml()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        QFETCH(int, records);
        const QString path = testing::sharedDataPath(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + file));
        auto db = freshCase(QFileInfo(file).completeBaseName() + QStringLiteral(".case"));
        QVERIFY(db);
        const ImportReport report = ingest::importFile(*db, path.toStdString(), {});
        QCOMPARE(QString::fromStdString(report.format), format);
        QVERIFY2(report.errors.empty(), report.errors.empty() ? "" : report.errors.front().c_str());
        QCOMPARE(int(report.recordsRead), records);
        QCOMPARE(int(report.skipped), 0);
        QCOMPARE(int(report.imported), records);
        QCOMPARE(int(allEvents(*db, path.toStdString()).size()), records);
        const ImportReport again = ingest::importFile(*db, path.toStdString(), {});
        QCOMPARE(again.imported, std::uint64_t(0));
        QCOMPARE(int(again.duplicates), records);
        QCOMPARE(int(allEvents(*db, path.toStdString()).size()), records);
    }

    // The same samples gzip-compressed by the test import to the same counts.
    void gzipCopiesImportAlike_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addRow("azure json") << QStringLiteral("sysmon-xml-json/otrf_sysmon_log4shell_java_serialized_object.azure_la.json") << QStringLiteral("sysmon-json");
        QTest::addRow("evtxexport xml") << QStringLiteral("sysmon-xml-json/attack_sideloading_wwlib_sysmon_7_1_11.evtxexport.xml") << QStringLiteral("sysmon-xml");
        QTest::addRow("audit") << QStringLiteral("auditd/golibaudit_audit-rhel7.log") << QStringLiteral("auditd");
        QTest::addRow("audit with comments") << QStringLiteral("auditd/laurel_shell-proc-trace.txt") << QStringLiteral("auditd");
    }
    void gzipCopiesImportAlike()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        const QString path = testing::sharedDataPath(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + file));
        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QByteArray text = in.readAll();
        // A name that says nothing about compression: the magic bytes decide.
        const QString gz = m_dir.filePath(QFileInfo(file).completeBaseName() + QStringLiteral(".rotated.1"));
        QVERIFY(writeGzip(gz, text));

        ingest::ImportOptions options;
        options.defaultHost = "testhost";
        auto plainCase = freshCase(QFileInfo(file).completeBaseName() + QStringLiteral(".plain.case"));
        auto gzCase = freshCase(QFileInfo(file).completeBaseName() + QStringLiteral(".gz.case"));
        QVERIFY(plainCase && gzCase);
        const ImportReport plain = ingest::importFile(*plainCase, path.toStdString(), options);
        const ImportReport packed = ingest::importFile(*gzCase, gz.toStdString(), options);
        QCOMPARE(QString::fromStdString(packed.format), format);
        QVERIFY2(packed.errors.empty(), packed.errors.empty() ? "" : packed.errors.front().c_str());
        QVERIFY(packed.complete);
        QVERIFY(plain.imported > 0);
        QCOMPARE(packed.recordsRead, plain.recordsRead);
        QCOMPARE(packed.imported, plain.imported);
        QCOMPARE(packed.skipped, plain.skipped);
        QCOMPARE(packed.countsByKind, plain.countsByKind);
        bool noted = false;
        for (const auto &note : packed.notes)
            noted = noted || note.find("gzip") != std::string::npos;
        QVERIFY(noted);
    }

    // A gzip file cut short: a clear error naming the file and what is missing, and the events
    // before the cut are stored.
    void truncatedGzipKeepsWhatWasRead()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "sysmon-xml-json/otrf_empire_scm_dll_hijack_ikeext.winlogbeat.sysmon_1_7_11.jsonl");
        QFile in(path);
        QVERIFY(in.open(QIODevice::ReadOnly));
        const QString gz = m_dir.filePath(QStringLiteral("cut.jsonl.gz"));
        QVERIFY(writeGzip(gz, in.readAll()));
        QFile f(gz);
        QVERIFY(f.resize(f.size() * 6 / 10));
        auto db = freshCase(QStringLiteral("cut.case"));
        QVERIFY(db);
        const ImportReport report = ingest::importFile(*db, gz.toStdString(), {});
        QCOMPARE(QString::fromStdString(report.format), QStringLiteral("sysmon-json"));
        QVERIFY(!report.complete);
        QCOMPARE(report.errors.size(), std::size_t(1));
        const std::string &error = report.errors.front();
        QVERIFY2(error.find(gz.toStdString()) != std::string::npos, error.c_str());
        QVERIFY2(error.find("ends early") != std::string::npos, error.c_str());
        QVERIFY2(error.find("rest of the file is missing") != std::string::npos, error.c_str());
        QVERIFY(report.imported > 100);
        QVERIFY(report.imported < 1788);
        QCOMPARE(int(allEvents(*db, gz.toStdString()).size()), int(report.imported));

        // Damage inside the data rather than a cut: a byte in the middle flipped.
        const QString bad = m_dir.filePath(QStringLiteral("flipped.gz"));
        QVERIFY(writeGzip(bad, QByteArray(200000, 'x').prepend("type=SYSCALL msg=audit(1.000:1): syscall=2\n")));
        QFile b(bad);
        QVERIFY(b.open(QIODevice::ReadWrite));
        QByteArray bytes = b.readAll();
        for (qsizetype i = 20; i < bytes.size() - 20; i += 7)
            bytes[i] = char(bytes[i] ^ 0x5a);
        b.seek(0);
        b.write(bytes);
        b.close();
        const ImportReport damaged = ingest::importFile(*db, bad.toStdString(), {});
        QVERIFY(!damaged.complete);
        QVERIFY(!damaged.errors.empty());
    }

    // Two hand-made events without record ids that differ in one field are two events; the
    // same event shipped in two files with different ingestion times is one.
    void contentKeysNeitherMergeNorRepeat_data()
    {
        QTest::addColumn<QByteArray>("first");
        QTest::addColumn<QByteArray>("second");
        QTest::addColumn<int>("events");
        const QByteArray flat = R"({"EventID":7,"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS1","TimeCreated":"2020-10-21T09:40:40.709Z","@timestamp":"%1","EventReceivedTime":"%1","UtcTime":"2020-10-21 09:40:40.709","ProcessGuid":"{a}","ProcessId":"42","Image":"C:/a.exe","ImageLoaded":"%2","Signed":"true","SignatureStatus":"Valid"})";
        const auto line = [](QByteArray text, const char *ingested, const char *dll) -> QByteArray {
            return text.replace("%1", ingested).replace("%2", dll) + '\n';
        };
        QTest::addRow("flat, one field differs") << line(flat, "2020-10-21T09:41:00.000Z", "C:/x/one.dll")
                                                  << line(flat, "2020-10-21T09:41:00.000Z", "C:/x/two.dll") << 2;
        QTest::addRow("flat, ingested twice") << line(flat, "2020-10-21T09:41:00.000Z", "C:/x/one.dll")
                                               << line(flat, "2020-10-22T11:00:00.000Z", "C:/x/one.dll") << 1;
        const QByteArray azure = R"({"TenantId":"%3","SourceSystem":"OpsManager","TimeGenerated":"%1","Provider":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"WS1","Task":7,"EventLevel":4,"EventData":"%4","EventID":7,"EventOriginId":"%3","Type":"WindowsEvent","_ResourceId":"/subscriptions/%3"})";
        // EventData is a JSON object serialised into a string.
        const QByteArray eventData = QByteArray(R"({"UtcTime":"2022-05-13T08:54:05.1230000Z","ProcessId":"3936","Image":"C:/a.exe","ImageLoaded":"%2"})")
                                         .replace('"', "\\\"");
        const auto row = [eventData](QByteArray text, const char *ingested, const char *dll, const char *tenant) -> QByteArray {
            return text.replace("%4", eventData).replace("%1", ingested).replace("%2", dll).replace("%3", tenant) + '\n';
        };
        QTest::addRow("azure, one field differs") << row(azure, "2022-05-13T08:54:06.347Z", "C:/x/one.dll", "t1")
                                                   << row(azure, "2022-05-13T08:54:06.347Z", "C:/x/two.dll", "t1") << 2;
        QTest::addRow("azure, ingested twice") << row(azure, "2022-05-13T08:54:06.347Z", "C:/x/one.dll", "t1")
                                                << row(azure, "2022-05-14T10:00:00.000Z", "C:/x/one.dll", "t2") << 1;
        const QByteArray xml = R"(<Event><System><Provider Name="Microsoft-Windows-Sysmon"/><EventID>7</EventID><TimeCreated SystemTime="2021-01-01T00:00:00.1234567Z"/><EventRecordID>0</EventRecordID><Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>WS1</Computer></System><EventData><Data Name="ImageLoaded">%2</Data></EventData></Event>)";
        QTest::addRow("xml, record id 0, one field differs") << line(xml, "", "C:/one.dll") << line(xml, "", "C:/two.dll") << 2;
    }
    void contentKeysNeitherMergeNorRepeat()
    {
        QFETCH(QByteArray, first);
        QFETCH(QByteArray, second);
        QFETCH(int, events);
        static int round = 0;
        const QString tag = QString::number(++round);
        const QString a = m_dir.filePath(QStringLiteral("content-a") + tag);
        const QString b = m_dir.filePath(QStringLiteral("content-b") + tag);
        QVERIFY(writeFile(a, first));
        QVERIFY(writeFile(b, second));
        auto db = freshCase(QStringLiteral("content") + tag + QStringLiteral(".case"));
        QVERIFY(db);
        const ImportReport one = ingest::importFile(*db, a.toStdString(), {});
        QVERIFY2(one.errors.empty(), one.errors.empty() ? "" : one.errors.front().c_str());
        QCOMPARE(int(one.imported), 1);
        const ImportReport two = ingest::importFile(*db, b.toStdString(), {});
        QCOMPARE(int(two.recordsRead), 1);
        QCOMPARE(int(two.imported), events - 1);
        QCOMPARE(int(two.duplicates), 2 - events);
        QCOMPARE(*db->queryInt("SELECT count(*) FROM events"), std::int64_t(events));
        // Both files again: nothing new, everything already present.
        const ImportReport oneAgain = ingest::importFile(*db, a.toStdString(), {});
        const ImportReport twoAgain = ingest::importFile(*db, b.toStdString(), {});
        QCOMPARE(int(oneAgain.imported + twoAgain.imported), 0);
        QCOMPARE(int(oneAgain.duplicates + twoAgain.duplicates), 2);
    }

    // Identical records in one file are each an event; importing the file again adds none.
    void identicalRecordsAreEachStored()
    {
        const QByteArray record = R"({"EventID":12,"SourceName":"Microsoft-Windows-Sysmon","Channel":"Microsoft-Windows-Sysmon/Operational","Hostname":"WS1","TimeCreated":"2020-10-21T09:40:40.709Z","UtcTime":"2020-10-21 09:40:40.709","EventType":"CreateKey","TargetObject":"HKLM\\System"})" "\n";
        const QString path = m_dir.filePath(QStringLiteral("repeats.json"));
        QVERIFY(writeFile(path, record + record + record));
        auto db = freshCase(QStringLiteral("repeats.case"));
        QVERIFY(db);
        QCOMPARE(int(ingest::importFile(*db, path.toStdString(), {}).imported), 3);
        const ImportReport again = ingest::importFile(*db, path.toStdString(), {});
        QCOMPARE(int(again.imported), 0);
        QCOMPARE(int(again.duplicates), 3);
        QCOMPARE(*db->queryInt("SELECT count(*) FROM events"), std::int64_t(3));
    }

    // A case of schema version 1, where the file's events collapsed on (host, channel, record
    // id, time), is migrated when opened; importing the file again adds the lost events and
    // counts the ones it had as already present.
    void versionOneCaseIsMigrated()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "sysmon-xml-json/otrf_sysmon_log4shell_java_serialized_object.azure_la.json");
        const QString casePath = m_dir.filePath(QStringLiteral("v1.case"));
        int legacyRows = 0;
        {
            sqlite3 *raw = nullptr;
            QCOMPARE(sqlite3_open(casePath.toUtf8().constData(), &raw), SQLITE_OK);
            const std::string schema = std::string("PRAGMA application_id = ") +
                                       std::to_string(store::CaseDatabase::kApplicationId) +
                                       "; CREATE TABLE schema_version(version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL);" +
                                       store::migrations()[0].sql + "INSERT INTO schema_version VALUES(1, 0);";
            QCOMPARE(sqlite3_exec(raw, schema.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
            // What version 1 stored: each record through INSERT OR IGNORE on the old key.
            sqlite3_stmt *insert = nullptr;
            QCOMPARE(sqlite3_prepare_v2(raw,
                                        "INSERT OR IGNORE INTO events(host, channel, record_id, time_us, source, event_id,"
                                        " kind, level, reasons, process_guid, pid, image, image_loaded, user, hashes, signed,"
                                        " signature, signature_status, signature_state, command_line, parent_image, fields,"
                                        " source_file, source_offset) VALUES(?1, ?2, 0, ?3, ?4, ?5, ?6, 0, '[]', '', 0, '',"
                                        " '', '', '', '', '', '', 0, '', '', ?7, ?8, 0)",
                                        -1, &insert, nullptr),
                     SQLITE_OK);
            ImportReport report;
            const auto status = sysmon::readSysmonJson(path.toStdString(), [&](EventRecord &&record) {
                LoadEvent e = sysmon::toLoadEvent(record, path.toStdString());
                sqlite3_reset(insert);
                sqlite3_bind_text(insert, 1, e.host.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(insert, 2, e.channel.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(insert, 3, e.timeUs);
                sqlite3_bind_text(insert, 4, e.source.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_int64(insert, 5, e.eventId);
                sqlite3_bind_text(insert, 6, e.kind.c_str(), -1, SQLITE_TRANSIENT);
                const std::string fields = store::mapToJson(e.fields);
                sqlite3_bind_text(insert, 7, fields.c_str(), -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(insert, 8, e.sourceFile.c_str(), -1, SQLITE_TRANSIENT);
                if (sqlite3_step(insert) == SQLITE_DONE)
                    legacyRows += sqlite3_changes(raw);
                return true;
            }, report);
            sqlite3_finalize(insert);
            sqlite3_close(raw);
            QVERIFY(status.ok());
            QCOMPARE(int(report.recordsRead), 487);
        }
        QVERIFY2(legacyRows > 0 && legacyRows < 487, qPrintable(QString::number(legacyRows)));

        auto db = store::CaseDatabase::open(casePath.toStdString());
        QVERIFY2(db, db ? "" : db.error().message.c_str());
        QCOMPARE(db->schemaVersion(), store::CaseDatabase::kSchemaVersion);
        QCOMPARE(*db->queryInt("SELECT count(*) FROM events"), std::int64_t(legacyRows));
        const ImportReport report = ingest::importFile(*db, path.toStdString(), {});
        QVERIFY2(report.errors.empty(), report.errors.empty() ? "" : report.errors.front().c_str());
        QCOMPARE(int(report.duplicates), legacyRows);
        QCOMPARE(int(report.imported), 487 - legacyRows);
        QCOMPARE(*db->queryInt("SELECT count(*) FROM events"), std::int64_t(487));
        const ImportReport again = ingest::importFile(*db, path.toStdString(), {});
        QCOMPARE(int(again.imported), 0);
        QCOMPARE(int(again.duplicates), 487);
    }

    void auditLog()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "auditd/golibaudit_audit-rhel7.log");
        auto db = freshCase(QStringLiteral("audit.case"));
        QVERIFY(db);
        ingest::ImportOptions options;
        options.defaultHost = "testhost";
        const ImportReport report = ingest::importFile(*db, path.toStdString(), options);
        QCOMPARE(QString::fromStdString(report.format), QStringLiteral("auditd"));
        QVERIFY2(report.errors.empty(), report.errors.empty() ? "" : report.errors.front().c_str());
        QVERIFY(report.recordsRead > 0);
        const auto before = allEvents(*db, path.toStdString());
        const ImportReport again = ingest::importFile(*db, path.toStdString(), options);
        const auto after = allEvents(*db, path.toStdString());
        QString listing;
        for (const auto &e : after)
            listing += QStringLiteral("%1 %2 %3 %4 %5\n").arg(QString::fromStdString(e.host)).arg(e.recordId).arg(e.timeUs)
                           .arg(QString::fromStdString(e.kind), QString::fromStdString(e.imageLoaded));
        listing += QStringLiteral("first import: %1 imported, %2 duplicates; before %3, after %4")
                       .arg(report.imported).arg(report.duplicates).arg(before.size()).arg(after.size());
        QVERIFY2(report.imported == before.size(), qPrintable(listing));
        QVERIFY2(again.imported == 0 && after.size() == before.size(), qPrintable(listing));
    }

    void unknownFileIsRefusedClearly()
    {
        const QString path = m_dir.filePath(QStringLiteral("notes.txt"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("just some notes\n");
        f.close();
        auto db = freshCase(QStringLiteral("unknown.case"));
        QVERIFY(db);
        const ImportReport report = ingest::importFile(*db, path.toStdString(), {});
        QVERIFY(!report.complete);
        QVERIFY(!report.errors.empty());
        QVERIFY(report.errors.front().find(path.toStdString()) != std::string::npos);
    }
};

QTEST_GUILESS_MAIN(TestImportSamples)
#include "tst_import_samples.moc"
