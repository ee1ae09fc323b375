// Importing the real third-party samples into a case: per-EID and Signed=false counts as
// ../shared/data/README.md states them, the HijackLibs matches it lists, idempotency, and
// damaged files importing what is readable.
#include <QtTest>

#include "ingest/importer.h"
#include "shared_data.h"
#include "store/event_store.h"

#include <QTemporaryDir>

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

    void sysmonJsonAndXml_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addRow("winlogbeat") << QStringLiteral("sysmon-xml-json/otrf_empire_scm_dll_hijack_ikeext.winlogbeat.sysmon_1_7_11.jsonl") << QStringLiteral("sysmon-json");
        QTest::addRow("mordor") << QStringLiteral("sysmon-xml-json/otrf_covenant_wmi_wbemcomn_dll_hijack.sysmon_1_7_11.jsonl") << QStringLiteral("sysmon-json");
        QTest::addRow("evtxexport xml") << QStringLiteral("sysmon-xml-json/attack_sideloading_wwlib_sysmon_7_1_11.evtxexport.xml") << QStringLiteral("sysmon-xml");
    }
    void sysmonJsonAndXml()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        const QString path = testing::sharedDataPath(file);
        if (path.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + file));
        auto db = freshCase(QFileInfo(file).completeBaseName() + QStringLiteral(".case"));
        QVERIFY(db);
        const ImportReport report = ingest::importFile(*db, path.toStdString(), {});
        QCOMPARE(QString::fromStdString(report.format), format);
        QVERIFY(report.imported > 0);
        const ImportReport again = ingest::importFile(*db, path.toStdString(), {});
        QCOMPARE(again.imported, std::uint64_t(0));
        QCOMPARE(again.duplicates, report.imported);
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
