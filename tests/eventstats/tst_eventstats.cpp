// Text search, counting, time span, image stacking and findings by level over a temp case.
#include <QTemporaryDir>
#include <QTest>

#include "eventstats/event_stats.h"
#include "store/event_store.h"

using namespace loadlens;

namespace {

constexpr std::int64_t kBase = 1'700'000'000'000'000;  // microseconds

LoadEvent imageLoad(std::uint64_t record, std::int64_t offsetUs, const std::string &host, const std::string &image,
                    const std::string &loaded, Level level)
{
    LoadEvent e;
    e.source = "sysmon";
    e.eventId = 7;
    e.kind = "image-load";
    e.timeUs = kBase + offsetUs;
    e.host = host;
    e.channel = "Microsoft-Windows-Sysmon/Operational";
    e.recordId = record;
    e.image = image;
    e.imageLoaded = loaded;
    e.user = "CORP\\alice";
    e.verdict.level = level;
    return e;
}

} // namespace

class TestEventStats : public QObject {
    Q_OBJECT

private slots:
    void init();
    void cleanup();
    void textSearch_data();
    void textSearch();
    void pagesFollowTheStoreOrder();
    void exactLevel();
    void timeSpan();
    void mostLoadedAndRarest();
    void bucketsWithText();
    void badLimitIsAnError();
    void findingsPerSnapshotByLevel();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::optional<store::CaseDatabase> m_db;
};

void TestEventStats::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    auto db = store::CaseDatabase::open(m_dir->filePath(QStringLiteral("case.sqlite")).toStdString());
    QVERIFY2(db.ok(), db.ok() ? "" : db.error().message.c_str());
    m_db.emplace(std::move(*db));
    store::EventWriter writer(*m_db);
    const std::vector<LoadEvent> events = {
        imageLoad(1, 0, "WS1", "C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\ntdll.dll", Level::Ok),
        imageLoad(2, 1'000'000, "WS2", "C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\NTDLL.dll", Level::Ok),
        imageLoad(3, 2'000'000, "WS1", "C:\\Tools\\app.exe", "C:\\Windows\\System32\\ntdll.dll", Level::Ok),
        imageLoad(4, 3'000'000, "WS1", "C:\\Users\\bob\\Downloads\\setup.exe", "C:\\Users\\bob\\Downloads\\version.dll",
                  Level::High),
        imageLoad(5, 4'000'000, "WS2", "C:\\Windows\\explorer.exe", "C:\\Windows\\System32\\kernel32.dll", Level::Info),
    };
    for (const auto &event : events)
        QVERIFY(writer.add(event).ok());
    LoadEvent drop = imageLoad(6, 5'000'000, "WS1", "C:\\Tools\\dropper.exe", "C:\\ProgramData\\evil.dll", Level::Medium);
    drop.eventId = 11;
    drop.kind = "file-create";
    QVERIFY(writer.add(drop).ok());
    QVERIFY(writer.finish().ok());
}

void TestEventStats::cleanup()
{
    m_db.reset();
    m_dir.reset();
}

void TestEventStats::textSearch_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<Level>("minLevel");
    QTest::addColumn<qint64>("expected");
    QTest::addRow("no text") << QString() << Level::Ok << qint64(6);
    QTest::addRow("case-insensitive over loaded image") << QStringLiteral("ntdll") << Level::Ok << qint64(3);
    QTest::addRow("host") << QStringLiteral("ws2") << Level::Ok << qint64(2);
    QTest::addRow("user") << QStringLiteral("alice") << Level::Ok << qint64(6);
    QTest::addRow("with level") << QStringLiteral("downloads") << Level::Medium << qint64(1);
    QTest::addRow("exact level via min level") << QString() << Level::High << qint64(1);
    QTest::addRow("nothing") << QStringLiteral("no-such-thing") << Level::Ok << qint64(0);
    QTest::addRow("SQL characters are data") << QStringLiteral("%' OR 1=1 --") << Level::Ok << qint64(0);
}

void TestEventStats::textSearch()
{
    QFETCH(QString, text);
    QFETCH(Level, minLevel);
    QFETCH(qint64, expected);
    eventstats::EventQuery query;
    query.text = text.toStdString();
    query.filter.minLevel = minLevel;
    auto count = eventstats::countEvents(*m_db, query);
    QVERIFY(count.ok());
    QCOMPARE(*count, expected);
    auto events = eventstats::listEvents(*m_db, query);
    QVERIFY(events.ok());
    QCOMPARE(qint64(events->size()), expected);
    for (const auto &event : *events)
        QVERIFY(event.verdict.level >= minLevel);
}

void TestEventStats::pagesFollowTheStoreOrder()
{
    eventstats::EventQuery query;
    query.text = "c:\\";  // matches every event, so the text path is taken
    query.filter.limit = 2;
    query.filter.offset = 2;
    auto page = eventstats::listEvents(*m_db, query);
    QVERIFY(page.ok());
    auto storePage = store::listEvents(*m_db, query.filter);
    QVERIFY(storePage.ok());
    QCOMPARE(page->size(), std::size_t(2));
    QCOMPARE(storePage->size(), std::size_t(2));
    for (std::size_t i = 0; i < 2; ++i) {
        QCOMPARE((*page)[i].recordId, (*storePage)[i].recordId);
        QCOMPARE((*page)[i].imageLoaded, (*storePage)[i].imageLoaded);
        QCOMPARE((*page)[i].user, (*storePage)[i].user);
    }
    QCOMPARE((*page)[0].recordId, std::uint64_t(3));
}

void TestEventStats::exactLevel()
{
    eventstats::EventQuery query;
    query.level = Level::Ok;
    auto count = eventstats::countEvents(*m_db, query);
    QVERIFY(count.ok());
    QCOMPARE(*count, std::int64_t(3));
    auto events = eventstats::listEvents(*m_db, query);
    QVERIFY(events.ok());
    QCOMPARE(events->size(), std::size_t(3));
    for (const auto &event : *events)
        QCOMPARE(event.verdict.level, Level::Ok);
    query.filter.minLevel = Level::Info;  // both conditions hold: nothing is Ok and >= Info
    count = eventstats::countEvents(*m_db, query);
    QVERIFY(count.ok());
    QCOMPARE(*count, std::int64_t(0));
}

void TestEventStats::timeSpan()
{
    eventstats::EventQuery query;
    auto span = eventstats::eventTimeSpan(*m_db, query);
    QVERIFY(span.ok());
    QVERIFY(span->has_value());
    QCOMPARE((*span)->firstUs, kBase);
    QCOMPARE((*span)->lastUs, kBase + 5'000'000);
    QCOMPARE((*span)->events, std::int64_t(6));

    query.text = "no-such-thing";
    span = eventstats::eventTimeSpan(*m_db, query);
    QVERIFY(span.ok());
    QVERIFY(!span->has_value());
}

void TestEventStats::mostLoadedAndRarest()
{
    eventstats::EventQuery query;
    auto top = eventstats::loadedImageStack(*m_db, query, eventstats::ImageOrder::MostLoaded, 10);
    QVERIFY(top.ok());
    QCOMPARE(top->size(), std::size_t(3));  // the file-create event is not a load
    QCOMPARE(QString::fromStdString(top->front().image).toLower(), QStringLiteral("c:\\windows\\system32\\ntdll.dll"));
    QCOMPARE(top->front().loads, std::int64_t(3));
    QCOMPARE(top->front().hosts, std::int64_t(2));
    QCOMPARE(top->front().processes, std::int64_t(2));

    auto rare = eventstats::loadedImageStack(*m_db, query, eventstats::ImageOrder::Rarest, 1);
    QVERIFY(rare.ok());
    QCOMPARE(rare->size(), std::size_t(1));
    // kernel32 and version.dll tie on hosts, processes and loads; the name breaks the tie.
    QCOMPARE(rare->front().image, std::string("C:\\Users\\bob\\Downloads\\version.dll"));
    QCOMPARE(rare->front().maxLevel, Level::High);
}

void TestEventStats::bucketsWithText()
{
    eventstats::EventQuery query;
    query.text = "ws1";
    auto buckets = eventstats::eventBuckets(*m_db, 2, query);
    QVERIFY(buckets.ok());
    std::uint64_t total = 0;
    for (const auto &bucket : *buckets) {
        QCOMPARE((bucket.startUs - kBase) % 2'000'000, std::int64_t(0));
        total += bucket.count;
    }
    QCOMPARE(total, std::uint64_t(4));  // records 1, 3, 4 and the drop
    query.text.clear();
    auto plain = eventstats::eventBuckets(*m_db, 2, query);
    auto store = store::eventBuckets(*m_db, 2, query.filter);
    QVERIFY(plain.ok() && store.ok());
    QCOMPARE(plain->size(), store->size());
    QVERIFY(!eventstats::eventBuckets(*m_db, 0, eventstats::EventQuery{{}, "x", std::nullopt}).ok());
}

void TestEventStats::badLimitIsAnError()
{
    auto none = eventstats::loadedImageStack(*m_db, {}, eventstats::ImageOrder::Rarest, 0);
    QVERIFY(!none.ok());
    QVERIFY(none.error().message.find("limit") != std::string::npos);
}

void TestEventStats::findingsPerSnapshotByLevel()
{
    auto empty = eventstats::findingsByLevel(*m_db);
    QVERIFY(empty.ok());
    QVERIFY(empty->empty());
    QVERIFY(m_db->exec("INSERT INTO hosts(id, name) VALUES (1, 'h');"
                       "INSERT INTO snapshots(id, host_id, scanned_at, boot_id, kernel, os_release, machine, stats)"
                       " VALUES (7, 1, 1, 'b', 'k', 'o', 'm', '{}');"
                       "INSERT INTO findings(snapshot_id, code, level, pid, text, technique, measure, evidence) VALUES"
                       " (7, 'a', 4, 1, '', '', '', '[]'), (7, 'b', 4, 2, '', '', '', '[]'), (7, 'c', 2, 1, '', '', '', '[]');")
                .ok());
    auto counts = eventstats::findingsByLevel(*m_db);
    QVERIFY(counts.ok());
    QCOMPARE(counts->size(), std::size_t(1));
    const auto &levels = counts->at(7);
    QCOMPARE(levels[static_cast<std::size_t>(Level::High)], std::int64_t(2));
    QCOMPARE(levels[static_cast<std::size_t>(Level::Low)], std::int64_t(1));
    QCOMPARE(levels[static_cast<std::size_t>(Level::Medium)], std::int64_t(0));
}

QTEST_GUILESS_MAIN(TestEventStats)
#include "tst_eventstats.moc"
