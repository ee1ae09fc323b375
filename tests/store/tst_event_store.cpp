// EventWriter and the event queries: duplicates within and across batches, rollback of a
// failed batch, filters, and bucket counts aggregated in SQL.
#include <QtTest>

#include "store/case_database.h"
#include "store/event_store.h"

#include <QTemporaryDir>

using namespace loadlens;
using store::CaseDatabase;

namespace {

constexpr std::int64_t kHourUs = 3600LL * 1000000;
constexpr std::int64_t kBase = 1699999200LL * 1000000;  // a whole hour (and a whole two hours)

LoadEvent imageLoad(std::uint64_t record, std::int64_t timeUs, Level level, const std::string &host = "WS1")
{
    LoadEvent e;
    e.source = "sysmon";
    e.eventId = 7;
    e.kind = "image-load";
    e.timeUs = timeUs;
    e.host = host;
    e.channel = "Microsoft-Windows-Sysmon/Operational";
    e.recordId = record;
    e.image = "C:\\app\\app.exe";
    e.imageLoaded = "C:\\Users\\Public\\version.dll";
    e.signatureState = SignatureState::Unsigned;
    e.fields = {{"ImageLoaded", e.imageLoaded}, {"Signed", "false"}};
    if (level != Level::Ok)
        e.verdict.add(Reason{"unsigned-user-dir", level, "Unsigned DLL from a user-writable directory", "T1574.001", "", {{"path", e.imageLoaded}}});
    return e;
}

LoadEvent auditWrite(std::uint64_t serial, std::int64_t timeUs)
{
    LoadEvent e;
    e.source = "auditd";
    e.kind = "preload-config-write";
    e.timeUs = timeUs;
    e.host = "web1";
    e.channel = "auditd";
    e.recordId = serial;
    e.imageLoaded = "/etc/ld.so.preload";
    e.verdict.add(Reason{"preload-config-write", Level::High, "ld.so.preload written", "T1574.006", "", {}});
    return e;
}

} // namespace

class TestEventStore : public QObject {
    Q_OBJECT

private slots:
    // Events without a record id at the same time are told apart by their content keys; the
    // key column holds the record id and time otherwise.
    void contentKeysKeepEventsApart()
    {
        QTemporaryDir dir;
        auto db = CaseDatabase::open(dir.filePath(QStringLiteral("keys.sqlite")).toStdString());
        QVERIFY(db.ok());
        LoadEvent a = imageLoad(0, kBase, Level::Ok);
        LoadEvent b = a;
        a.contentKey = "h:00000000000000000000000000000001";
        b.contentKey = "h:00000000000000000000000000000002";
        LoadEvent again = a;
        {
            store::EventWriter writer(*db);
            QVERIFY(writer.add(a).ok());
            QVERIFY(writer.add(b).ok());
            QVERIFY(writer.add(again).ok());
            QVERIFY(writer.add(imageLoad(5, kBase, Level::Ok)).ok());
            QVERIFY(writer.finish().ok());
            QCOMPARE(writer.imported(), std::uint64_t(3));
            QCOMPARE(writer.duplicates(), std::uint64_t(1));
        }
        QCOMPARE(*db->queryInt("SELECT count(*) FROM events WHERE event_key = 'r:5:" + std::to_string(kBase) + "'"),
                 std::int64_t(1));
        QCOMPARE(store::eventKey(a), a.contentKey);
    }

    // A recovered copy never replaces a stored event; a live event replaces a recovered copy
    // with its key, in the same batch, in a later batch or a later writer.
    void liveEventsReplaceRecoveredCopies()
    {
        QTemporaryDir dir;
        auto db = CaseDatabase::open(dir.filePath(QStringLiteral("recovered.sqlite")).toStdString());
        QVERIFY(db.ok());
        auto recovered = [](std::uint64_t record) {
            LoadEvent e = imageLoad(record, kBase + std::int64_t(record), Level::Ok);
            e.recovered = true;
            e.imageLoaded = "partial";
            e.fields = {{"ImageLoaded", "partial"}};
            return e;
        };
        auto live = [](std::uint64_t record) { return imageLoad(record, kBase + std::int64_t(record), Level::High); };
        {
            store::EventWriter writer(*db, {2});
            // 1: recovered then live in one batch; 2: live then recovered; 3: recovered only;
            // 4: recovered, live in the next batch.
            for (const LoadEvent &e : {recovered(1), live(1), live(2), recovered(2), recovered(3), recovered(4)})
                QVERIFY(writer.add(e).ok());
            QVERIFY(writer.add(live(4)).ok());
            QVERIFY(writer.finish().ok());
            const store::EventWriteCounts &c = writer.counts();
            QCOMPARE(c.imported, std::uint64_t(3));
            QCOMPARE(c.duplicates, std::uint64_t(0));
            QCOMPARE(c.recoveredImported, std::uint64_t(3));
            QCOMPARE(c.recoveredDuplicates, std::uint64_t(1));
            QCOMPARE(c.recoveredReplaced, std::uint64_t(2));
        }
        {
            // A later writer: live 3 replaces its recovered copy, recovered 1 changes nothing.
            store::EventWriter writer(*db);
            QVERIFY(writer.add(recovered(1)).ok());
            QVERIFY(writer.add(live(3)).ok());
            QVERIFY(writer.add(live(2)).ok());
            QVERIFY(writer.finish().ok());
            QCOMPARE(writer.counts().imported, std::uint64_t(1));
            QCOMPARE(writer.counts().duplicates, std::uint64_t(1));
            QCOMPARE(writer.counts().recoveredDuplicates, std::uint64_t(1));
            QCOMPARE(writer.counts().recoveredReplaced, std::uint64_t(1));
        }
        store::EventFilter all;
        auto events = store::listEvents(*db, all);
        QVERIFY(events);
        QCOMPARE(events->size(), std::size_t(4));
        // Whether a case holds recovered rows is read from a partial index, not a table scan.
        QCOMPARE(*db->queryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = 'events_recovered'"),
                 std::int64_t(1));
        for (const LoadEvent &e : *events) {
            QVERIFY(!e.recovered);
            QCOMPARE(e.imageLoaded, std::string("C:\\Users\\Public\\version.dll"));
            QCOMPARE(e.verdict.level, Level::High);
        }
    }

    void duplicatesWithinAndAcrossBatches()
    {
        QTemporaryDir dir;
        auto db = CaseDatabase::open(dir.filePath(QStringLiteral("c.sqlite")).toStdString());
        QVERIFY(db.ok());
        {
            store::EventWriter writer(*db, {3});
            auto sink = writer.sink();
            // 1, 2, 2 (duplicate in the batch), 3 | 1 (duplicate of an earlier batch), 4, 5
            for (std::uint64_t r : {1, 2, 2, 3, 1, 4, 5})
                QVERIFY(sink(imageLoad(r, kBase + std::int64_t(r) * 1000, Level::Ok)));
            QVERIFY(writer.finish().ok());
            QCOMPARE(writer.imported(), std::uint64_t(5));
            QCOMPARE(writer.duplicates(), std::uint64_t(2));
        }
        QCOMPARE(*db->queryInt("SELECT count(*) FROM events"), std::int64_t(5));
        // The indexes left out for the first bulk load exist afterwards.
        QCOMPARE(*db->queryInt("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name LIKE 'events_by_%'"),
                 std::int64_t(3));
        // Same record id on another host or channel is another event.
        store::EventWriter again(*db, {100});
        QVERIFY(again.add(imageLoad(1, kBase + 1000, Level::Ok, "WS2")).ok());
        QVERIFY(again.add(imageLoad(1, kBase + 1000, Level::Ok)).ok());
        QVERIFY(again.finish().ok());
        QCOMPARE(again.imported(), std::uint64_t(1));
        QCOMPARE(again.duplicates(), std::uint64_t(1));
        ImportReport report;
        again.fillReport(report);
        QCOMPARE(report.imported, std::uint64_t(1));
        QVERIFY(report.complete);
    }

    void uncommittedBatchIsRolledBack()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("c.sqlite")).toStdString();
        {
            auto db = CaseDatabase::open(path);
            QVERIFY(db.ok());
            store::EventWriter writer(*db, {2});
            for (std::uint64_t r = 1; r <= 3; ++r)
                QVERIFY(writer.add(imageLoad(r, kBase, Level::Ok)).ok());
            // No finish(): the third event's batch is dropped with the writer.
        }
        auto db = CaseDatabase::open(path);
        QCOMPARE(*db->queryInt("SELECT count(*) FROM events"), std::int64_t(2));
    }

    void writerOnReadOnlyCaseReportsError()
    {
        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("c.sqlite")).toStdString();
        QVERIFY(CaseDatabase::open(path).ok());
        auto db = CaseDatabase::open(path, store::OpenMode::ReadOnly);
        QVERIFY(db.ok());
        store::EventWriter writer(*db);
        auto sink = writer.sink();
        QVERIFY(!sink(imageLoad(1, kBase, Level::Ok)));
        QVERIFY(writer.error().has_value());
        QVERIFY(QString::fromStdString(writer.error()->message).contains(QString::fromStdString(path)));
        ImportReport report;
        writer.fillReport(report);
        QVERIFY(!report.complete);
        QCOMPARE(report.errors.size(), std::size_t(1));
    }

    void listAndBucket()
    {
        QTemporaryDir dir;
        auto db = CaseDatabase::open(dir.filePath(QStringLiteral("c.sqlite")).toStdString());
        QVERIFY(db.ok());
        store::EventWriter writer(*db, {4});
        // Hour 0: 3 ok image loads, 2 high; hour 2: 1 high image load, 2 audit writes.
        std::uint64_t r = 1;
        for (int i = 0; i < 3; ++i)
            QVERIFY(writer.add(imageLoad(r++, kBase + i, Level::Ok)).ok());
        for (int i = 0; i < 2; ++i)
            QVERIFY(writer.add(imageLoad(r++, kBase + 10 + i, Level::High)).ok());
        QVERIFY(writer.add(imageLoad(r++, kBase + 2 * kHourUs + 5, Level::High)).ok());
        QVERIFY(writer.add(auditWrite(900, kBase + 2 * kHourUs + 7)).ok());
        QVERIFY(writer.add(auditWrite(901, kBase + 2 * kHourUs + 8)).ok());
        QVERIFY(writer.finish().ok());

        store::EventFilter all;
        auto buckets = store::eventBuckets(*db, 3600, all);
        QVERIFY(buckets.ok());
        QMap<QString, quint64> counts;
        for (const auto &b : *buckets)
            counts[QStringLiteral("%1/%2/%3").arg((b.startUs - kBase) / kHourUs).arg(int(b.level)).arg(QString::fromStdString(b.kind))] = b.count;
        QMap<QString, quint64> expected{{QStringLiteral("0/0/image-load"), 3},
                                        {QStringLiteral("0/4/image-load"), 2},
                                        {QStringLiteral("2/4/image-load"), 1},
                                        {QStringLiteral("2/4/preload-config-write"), 2}};
        QCOMPARE(counts, expected);

        store::EventFilter high;
        high.minLevel = Level::High;
        high.source = "sysmon";
        auto highBuckets = store::eventBuckets(*db, 7200, high);
        QCOMPARE(highBuckets->size(), std::size_t(2));
        QCOMPARE(highBuckets->at(0).count, std::uint64_t(2));

        store::EventFilter page;
        page.source = "sysmon";
        page.eventId = 7;
        page.limit = 2;
        page.offset = 1;
        auto listed = store::listEvents(*db, page);
        QVERIFY(listed.ok());
        QCOMPARE(listed->size(), std::size_t(2));
        QCOMPARE(listed->at(0).recordId, std::uint64_t(2));
        QCOMPARE(listed->at(0).fields.at("Signed"), std::string("false"));
        QCOMPARE(listed->at(0).signatureState, SignatureState::Unsigned);

        store::EventFilter window;
        window.fromUs = kBase + 2 * kHourUs;
        window.toUs = kBase + 2 * kHourUs + 8;  // exclusive: serial 901 is left out
        window.host = "web1";
        auto audit = store::listEvents(*db, window);
        QCOMPARE(audit->size(), std::size_t(1));
        QCOMPARE(audit->at(0).recordId, std::uint64_t(900));
        QCOMPARE(audit->at(0).verdict.level, Level::High);
        QVERIFY(audit->at(0).verdict.has("preload-config-write"));
        QCOMPARE(audit->at(0).verdict.reasons.at(0).technique, std::string("T1574.006"));

        QVERIFY(!store::eventBuckets(*db, 0, all).ok());
    }
};

QTEST_GUILESS_MAIN(TestEventStore)
#include "tst_event_store.moc"
