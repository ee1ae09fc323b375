// The Events tab on a temp case with events written through the store's event writer: the
// chart's bucket counts against the events, a click on a segment filtering the table to that
// bucket and series, re-bucketing a zoomed range, and the image lists. CTest runs it twice:
// on SQLite case files, and (tst_eventstab_clickhouse, LOADLENS_TEST_EVENTS_STORE=clickhouse)
// on ClickHouse databases of the test server, where every answer must be the same.
#include <QAbstractItemModelTester>
#include <QBarCategoryAxis>
#include <QBarSet>
#include <QDateTime>
#include <QTimeZone>
#include <QValueAxis>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QComboBox>
#include <QTabWidget>
#include <QTreeView>
#include <QLabel>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>

#include "clickhouse_fixture.h"
#include "case_builders.h"
#include "casestore/case_store.h"
#include "casestore/import_target.h"
#include "ingest/importer.h"
#include "store/bundle_import.h"
#include "clickhouse/client.h"
#include "clickhouse/endpoint.h"
#include "casequeryrunner.h"
#include "importcontroller.h"
#include "shared_data.h"
#include "eventmodels.h"
#include "casemodels.h"
#include "casetab.h"
#include "eventstab.h"
#include "mainwindow.h"
#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "snapshotbrowser.h"
#include "timelinechart.h"

#include <cmath>
#include <map>
#include <unistd.h>

using namespace loadlens;
using loadlens::ui::EventTimelineModel;

namespace {

// A whole minute, so one-minute buckets start on it.
constexpr std::int64_t kStartUs = 1'699'999'980'000'000;
constexpr int kEvents = 300;
constexpr std::int64_t kStepUs = 8'000'000;
const std::string kRareDll = "C:\\Users\\Public\\version.dll";

Level levelOf(int i)
{
    return static_cast<Level>((i * 7) % 5);
}

std::vector<LoadEvent> makeEvents()
{
    std::vector<LoadEvent> events;
    for (int i = 0; i < kEvents; ++i) {
        const bool drop = i % 10 == 9;
        events.push_back(testing::makeLoadEvent(static_cast<std::uint64_t>(i + 1), kStartUs + i * kStepUs, levelOf(i),
                                                drop ? "file-create" : "image-load", i % 2 ? "WS1" : "WS2",
                                                i == 17 ? kRareDll : "C:\\Windows\\System32\\ntdll.dll"));
    }
    return events;
}

EventTimelineModel::Series seriesOf(const LoadEvent &event)
{
    if (event.kind == "file-create")
        return EventTimelineModel::FileCreateSeries;
    return static_cast<EventTimelineModel::Series>(static_cast<int>(event.verdict.level));
}

// Counts by (bucket start, series) computed here, independently of the store's SQL.
std::map<std::pair<std::int64_t, int>, std::uint64_t> expectedCounts(std::int64_t widthSeconds, std::int64_t fromUs,
                                                                     std::int64_t toUs)
{
    std::map<std::pair<std::int64_t, int>, std::uint64_t> counts;
    const std::int64_t width = widthSeconds * 1'000'000;
    for (const auto &event : makeEvents()) {
        if (event.timeUs < fromUs || event.timeUs >= toUs)
            continue;
        ++counts[{event.timeUs - (event.timeUs % width), seriesOf(event)}];
    }
    return counts;
}

} // namespace

class TestEventsTab : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void init();
    void cleanup();
    void bucketCountsMatchTheEvents();
    void clickingASegmentFiltersTheTable_data();
    void clickingASegmentFiltersTheTable();
    void zoomReBucketsTheVisibleRange();
    void imageListsStackAcrossHostsAndProcesses();
    void emptyCaseShowsNothing();
    void yearsAreCalendarYearsWithAuditSeries();
    void subDayLabelsShowTheDateWhereItChanges();
    void realAuditLogsAreTheirOwnSeries();
    void snapshotsAreMarkersAndEventsOnTheTimeline();
    void mainWindowOpensAServerCase();

private:
    // A case holding `events`: a SQLite file `name` in the temp dir, or a new database on the
    // ClickHouse test server.
    QString makeCase(const QString &name, const std::vector<LoadEvent> &events);
    void waitSettled();
    void checkCounts(std::int64_t fromUs, std::int64_t toUs);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ui::EventsTab> m_tab;
    std::unique_ptr<QSignalSpy> m_settled;
    QString m_casePath;
    QString m_serverUrl;  // ClickHouse runs: clickhouse://127.0.0.1:PORT/
    QStringList m_databases;
};

void TestEventsTab::initTestCase()
{
    if (qEnvironmentVariable("LOADLENS_TEST_EVENTS_STORE") != QStringLiteral("clickhouse"))
        return;
    m_serverUrl = loadlens::testing::clickHouseTestUrl();
    if (m_serverUrl.isEmpty())
        QFAIL("LOADLENS_TEST_EVENTS_STORE=clickhouse without a test server (LOADLENS_TEST_CLICKHOUSE_DIR/url)");
    qInfo("Events tab on ClickHouse databases of %s", qPrintable(m_serverUrl));
}

void TestEventsTab::cleanupTestCase()
{
    if (m_serverUrl.isEmpty())
        return;
    auto endpoint = clickhouse::parseUrl(QString(m_serverUrl + QStringLiteral("system")).toStdString());
    QVERIFY(endpoint.ok());
    clickhouse::Client client(*endpoint);
    for (const auto &db : m_databases)
        QVERIFY(client.query("DROP DATABASE IF EXISTS " + db.toStdString()).ok());
}

QString TestEventsTab::makeCase(const QString &name, const std::vector<LoadEvent> &events)
{
    QString location = m_dir->filePath(name);
    if (!m_serverUrl.isEmpty()) {
        const QString db = QStringLiteral("tst_eventstab_%1_%2").arg(::getpid()).arg(m_databases.size() + 1);
        m_databases << db;
        location = m_serverUrl + db;
    }
    auto store = casestore::openStore(location.toStdString(), {store::OpenMode::ReadWrite, {}});
    if (!store)
        qFatal("%s", store.error().message.c_str());
    auto writer = (*store)->eventWriter();
    for (const auto &event : events)
        if (!writer->add(event))
            break;
    if (auto done = writer->finish(); !done)
        qFatal("%s", done.error().message.c_str());
    return location;
}

void TestEventsTab::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_casePath = makeCase(QStringLiteral("case.sqlite"), makeEvents());
    m_tab = std::make_unique<ui::EventsTab>();
    for (QAbstractItemModel *model : std::initializer_list<QAbstractItemModel *>{
             m_tab->timelineModel(), m_tab->eventModel(), m_tab->topModel(), m_tab->rareModel()})
        new QAbstractItemModelTester(model, QAbstractItemModelTester::FailureReportingMode::QtTest, m_tab.get());
    m_settled = std::make_unique<QSignalSpy>(m_tab.get(), &ui::EventsTab::settled);
    m_tab->resize(1200, 800);
    m_tab->show();
}

void TestEventsTab::cleanup()
{
    m_settled.reset();
    m_tab.reset();
    m_dir.reset();
}

void TestEventsTab::waitSettled()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_settled->count() >= 1, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(m_tab->runner()->isIdle(), 20000);
    m_settled->clear();
}

void TestEventsTab::checkCounts(std::int64_t fromUs, std::int64_t toUs)
{
    const EventTimelineModel *model = m_tab->timelineModel();
    const auto expected = expectedCounts(model->width().seconds, fromUs, toUs);
    std::uint64_t charted = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        for (int s = 0; s < EventTimelineModel::SeriesCount; ++s) {
            const auto it = expected.find({model->bucketStartUs(row), s});
            const std::uint64_t want = it == expected.end() ? 0 : it->second;
            QCOMPARE(model->count(row, static_cast<EventTimelineModel::Series>(s)), want);
            charted += want;
            // The chart draws the same numbers.
            QCOMPARE(m_tab->chartView()->series()->barSets().at(s)->at(row), static_cast<qreal>(want));
        }
    }
    std::uint64_t all = 0;
    for (const auto &[key, count] : expected)
        all += count;
    QCOMPARE(charted, all);  // no event of the range fell outside the charted buckets
}

void TestEventsTab::bucketCountsMatchTheEvents()
{
    m_tab->setCasePath(m_casePath);
    waitSettled();
    const EventTimelineModel *model = m_tab->timelineModel();
    const std::int64_t lastUs = kStartUs + (kEvents - 1) * kStepUs;
    QCOMPARE(model->width(), eventstats::bucketWidthFor(lastUs + 1 - kStartUs));
    QCOMPARE(model->width().seconds, std::int64_t(60));
    QCOMPARE(model->bucketStartUs(0), kStartUs);
    QCOMPARE(model->rowCount(), 40);
    checkCounts(kStartUs, lastUs + 1);
    // The table lists the visible range, one page.
    QCOMPARE(m_tab->eventModel()->total(), std::int64_t(kEvents));
    QCOMPARE(m_tab->eventModel()->rowCount(), kEvents);
}

void TestEventsTab::clickingASegmentFiltersTheTable_data()
{
    QTest::addColumn<int>("series");
    QTest::addRow("high loads") << int(EventTimelineModel::HighSeries);
    QTest::addRow("ok loads") << int(EventTimelineModel::OkSeries);
    QTest::addRow("drops") << int(EventTimelineModel::FileCreateSeries);
}

void TestEventsTab::clickingASegmentFiltersTheTable()
{
    QFETCH(int, series);
    m_tab->setCasePath(m_casePath);
    waitSettled();
    const EventTimelineModel *model = m_tab->timelineModel();
    int row = -1;
    for (int r = 0; r < model->rowCount() && row < 0; ++r)
        if (model->count(r, static_cast<EventTimelineModel::Series>(series)) > 0 && r > 0)
            row = r;
    QVERIFY(row > 0);
    const auto wanted = model->count(row, static_cast<EventTimelineModel::Series>(series));

    // What a mouse click on the bar segment does: the bar set reports the bucket index.
    QBarSet *set = m_tab->chartView()->series()->barSets().at(series);
    emit set->clicked(row);

    const auto query = m_tab->tableQuery();
    QVERIFY(m_tab->drillDown().has_value());
    QCOMPARE(m_tab->drillDown()->first, row);
    QCOMPARE(m_tab->drillDown()->second, series);
    QCOMPARE(query.filter.fromUs.value_or(-1), model->bucketStartUs(row));
    QCOMPARE(query.filter.toUs.value_or(-1), model->bucketEndUs(row));
    if (series == EventTimelineModel::FileCreateSeries) {
        QCOMPARE(query.filter.kind, std::string("file-create"));
        QVERIFY(!query.level);
    } else {
        QCOMPARE(query.filter.kind, std::string("image-load"));
        QCOMPARE(query.level.value_or(Level::Ok), static_cast<Level>(series));
    }
    waitSettled();
    QCOMPARE(m_tab->eventModel()->total(), static_cast<std::int64_t>(wanted));
    QCOMPARE(m_tab->eventModel()->rowCount(), static_cast<int>(wanted));
    for (int r = 0; r < m_tab->eventModel()->rowCount(); ++r) {
        const LoadEvent *event = m_tab->eventModel()->eventAt(r);
        QVERIFY(event->timeUs >= model->bucketStartUs(row) && event->timeUs < model->bucketEndUs(row));
        QCOMPARE(static_cast<int>(seriesOf(*event)), series);
    }

    m_tab->clearDrillDown();
    QVERIFY(!m_tab->drillDown());
    waitSettled();
    QCOMPARE(m_tab->eventModel()->total(), std::int64_t(kEvents));
}

void TestEventsTab::zoomReBucketsTheVisibleRange()
{
    m_tab->setCasePath(m_casePath);
    waitSettled();
    const std::int64_t from = kStartUs + 5 * 60'000'000;
    const std::int64_t to = from + 10 * 60'000'000;
    emit m_tab->chartView()->rangeRequested(from, to);  // what wheel, band and pan ask for
    waitSettled();
    const EventTimelineModel *model = m_tab->timelineModel();
    QCOMPARE(model->width().seconds, std::int64_t(30));  // 600 s over about 48 buckets
    QCOMPARE(model->rowCount(), 20);
    QCOMPARE(model->bucketStartUs(0), from);
    checkCounts(from, to);
    const auto inRange = (to - from) / kStepUs;  // both ends fall on an event time step
    QCOMPARE(m_tab->eventModel()->total(), inRange);
}

void TestEventsTab::imageListsStackAcrossHostsAndProcesses()
{
    m_tab->setCasePath(m_casePath);
    waitSettled();
    const ui::ImageStackModel *top = m_tab->topModel();
    QCOMPARE(top->rowCount(), 2);
    QCOMPARE(top->entryAt(0)->image, std::string("C:\\Windows\\System32\\ntdll.dll"));
    QCOMPARE(top->entryAt(0)->loads, std::int64_t(kEvents - kEvents / 10 - 1));  // drops and the rare one left out
    QCOMPARE(top->entryAt(0)->hosts, std::int64_t(2));
    const ui::ImageStackModel *rare = m_tab->rareModel();
    QCOMPARE(rare->entryAt(0)->image, kRareDll);
    QCOMPARE(rare->entryAt(0)->hosts, std::int64_t(1));
    QCOMPARE(rare->entryAt(0)->maxLevel, levelOf(17));
    QCOMPARE(rare->index(0, ui::ImageStackModel::LoadsColumn).data(ui::ImageStackModel::SortRole).toLongLong(), 1);
}

void TestEventsTab::emptyCaseShowsNothing()
{
    const QString empty = makeCase(QStringLiteral("empty.sqlite"), {});
    m_tab->setCasePath(empty);
    waitSettled();
    QCOMPARE(m_tab->timelineModel()->rowCount(), 0);
    QCOMPARE(m_tab->eventModel()->rowCount(), 0);
    QCOMPARE(m_tab->topModel()->rowCount(), 0);
}

namespace {

std::int64_t utcUs(const char *iso)
{
    QDateTime t = QDateTime::fromString(QString::fromLatin1(iso), Qt::ISODate);
    t.setTimeZone(QTimeZone::utc());
    return t.toMSecsSinceEpoch() * 1000;
}

LoadEvent auditEvent(std::uint64_t serial, std::int64_t timeUs)
{
    LoadEvent e;
    e.source = "auditd";
    e.channel = "auditd";
    e.kind = "preload-config-write";
    e.timeUs = timeUs;
    e.host = "web01";
    e.recordId = serial;
    e.image = "/usr/bin/tee";
    e.imageLoaded = "/etc/ld.so.preload";
    e.fields = {{"key", "ld_preload"}, {"syscall", "openat"}};
    e.verdict.level = Level::High;
    return e;
}

// Whole-number ticks: 0 to the maximum in integer steps.
bool integerTicks(const QValueAxis *axis)
{
    const double step = (axis->max() - axis->min()) / (axis->tickCount() - 1);
    return axis->min() == 0 && step >= 1 && step == std::floor(step);
}

} // namespace

// Years of events: bars are calendar years labelled by their real start (the bar labelled 2025
// holds the October 2025 event), auditd events are their own series, the Y axis counts in
// whole numbers and each segment's tooltip gives its count, series and exact range.
void TestEventsTab::yearsAreCalendarYearsWithAuditSeries()
{
    const QString path = makeCase(QStringLiteral("years.sqlite"),
                                  {testing::makeLoadEvent(1, utcUs("2020-03-05T10:00:00"), Level::Ok),
                                   testing::makeLoadEvent(2, utcUs("2020-11-30T10:00:00"), Level::Ok),
                                   testing::makeLoadEvent(3, utcUs("2021-06-01T10:00:00"), Level::Ok),
                                   testing::makeLoadEvent(4, utcUs("2025-10-07T10:00:00"), Level::High),
                                   auditEvent(77, utcUs("2021-02-01T08:00:00"))});
    m_tab->setCasePath(path);
    waitSettled();
    const EventTimelineModel *model = m_tab->timelineModel();
    QCOMPARE(int(model->width().unit), int(eventstats::BucketUnit::Year));
    QCOMPARE(model->rowCount(), 6);
    const QStringList years{QStringLiteral("2020"), QStringLiteral("2021"), QStringLiteral("2022"),
                            QStringLiteral("2023"), QStringLiteral("2024"), QStringLiteral("2025")};
    QCOMPARE(m_tab->chartView()->axisX()->categories(), years);
    for (int row = 0; row < model->rowCount(); ++row)
        QCOMPARE(model->bucketStartUs(row), utcUs(qPrintable(years[row] + QStringLiteral("-01-01T00:00:00"))));
    QCOMPARE(model->count(0, EventTimelineModel::OkSeries), 2u);
    QCOMPARE(model->count(1, EventTimelineModel::OkSeries), 1u);
    QCOMPARE(model->count(1, EventTimelineModel::AuditSeries), 1u);
    QCOMPARE(model->count(5, EventTimelineModel::HighSeries), 1u);
    QCOMPARE(model->count(4, EventTimelineModel::HighSeries), 0u);
    QCOMPARE(m_tab->chartView()->series()->barSets().at(EventTimelineModel::AuditSeries)->at(1), 1.0);

    const QValueAxis *axis = m_tab->chartView()->axisY();
    QCOMPARE(axis->labelFormat(), QStringLiteral("%d"));
    QCOMPARE(axis->max(), 2.0);
    QCOMPARE(axis->tickCount(), 3);
    QVERIFY(integerTicks(axis));

    const QString tip = m_tab->chartView()->segmentToolTip(1, EventTimelineModel::AuditSeries);
    QVERIFY2(tip.startsWith(QStringLiteral("1 event(s): auditd")), qPrintable(tip));
    QVERIFY2(tip.contains(QStringLiteral("from 2021-01-01 00:00:00")) && tip.contains(QStringLiteral("to 2022-01-01 00:00:00")),
             qPrintable(tip));

    // The audit segment lists the audit event, whose signature column says what it was.
    emit m_tab->chartView()->series()->barSets().at(EventTimelineModel::AuditSeries)->clicked(1);
    QCOMPARE(m_tab->tableQuery().filter.source, std::string("auditd"));
    waitSettled();
    QCOMPARE(m_tab->eventModel()->rowCount(), 1);
    const QString signature = m_tab->eventModel()->index(0, ui::EventTableModel::SignatureColumn).data().toString();
    QVERIFY2(signature.contains(QStringLiteral("/etc/ld.so.preload")) && signature.contains(QStringLiteral("key ld_preload"))
                 && !signature.contains(QStringLiteral("unknown")),
             qPrintable(signature));

    for (std::uint64_t highest : {0ull, 1ull, 3ull, 7ull, 9ull, 23ull, 150ull, 999ull}) {
        const auto ticks = ui::TimelineChartView::yAxisTicks(highest);
        QVERIFY(ticks.top >= std::max<std::uint64_t>(1, highest));
        QVERIFY(ticks.count >= 2 && ticks.count <= 10);
        QCOMPARE(ticks.top % static_cast<std::uint64_t>(ticks.count - 1), 0ull);
    }
}

void TestEventsTab::subDayLabelsShowTheDateWhereItChanges()
{
    const QString path = m_dir->filePath(QStringLiteral("midnight.sqlite"));
    {
        auto db = store::CaseDatabase::open(path.toStdString());
        QVERIFY(db.ok());
        std::vector<LoadEvent> events;
        for (int i = 0; i < 12; ++i)
            events.push_back(testing::makeLoadEvent(std::uint64_t(i + 1), utcUs("2025-10-07T20:00:00") + i * 1800'000'000LL, Level::Ok));
        QVERIFY(testing::writeEvents(*db, events).ok());
    }
    m_tab->setCasePath(path);
    waitSettled();
    const EventTimelineModel *model = m_tab->timelineModel();
    QCOMPARE(int(model->width().unit), int(eventstats::BucketUnit::Seconds));
    const QStringList labels = m_tab->chartView()->axisX()->categories();
    QCOMPARE(labels.size(), model->rowCount());
    QVERIFY2(labels.first().startsWith(QStringLiteral("2025-10-07 20:00")), qPrintable(labels.join(QLatin1Char('|'))));
    const auto midnight = labels.indexOf(QStringLiteral("2025-10-08 00:00"));
    QVERIFY2(midnight > 0, qPrintable(labels.join(QLatin1Char('|'))));
    QCOMPARE(labels[midnight - 1].size(), qsizetype(5));  // "23:45": the same day needs no date
    QVERIFY(integerTicks(m_tab->chartView()->axisY()));
}

// Real auditd logs from ../shared/data imported by the import worker: every audit event is in
// the audit series, and the table says what each was about.
void TestEventsTab::realAuditLogsAreTheirOwnSeries()
{
    LOADLENS_SHARED_DATA_OR_SKIP(normal, "auditd/golibaudit_normal.log");
    LOADLENS_SHARED_DATA_OR_SKIP(arpCache, "auditd/otrf_sh_arp_cache.log");
    LOADLENS_SHARED_DATA_OR_SKIP(rhel7, "auditd/golibaudit_audit-rhel7.log");
    const QString path = makeCase(QStringLiteral("audit.sqlite"), {});
    ui::ImportController controller;
    QSignalSpy finished(&controller, &ui::ImportController::finished);
    QSignalSpy failed(&controller, &ui::ImportController::failed);
    controller.start(path, {normal, arpCache, rhel7}, QString());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count() + failed.count(), 1, 60000);
    QCOMPARE(failed.count(), 0);
    std::int64_t auditEvents = 0;
    {
        auto opened = casestore::openStore(path.toStdString(), {store::OpenMode::ReadOnly, {}});
        QVERIFY(opened.ok());
        store::EventFilter auditd;
        auditd.source = "auditd";
        auto count = (*opened)->countEvents(auditd);
        QVERIFY(count.ok());
        auditEvents = *count;
    }
    QVERIFY(auditEvents >= 3);

    m_tab->setCasePath(path);
    waitSettled();
    const EventTimelineModel *model = m_tab->timelineModel();
    std::uint64_t charted = 0;
    for (int row = 0; row < model->rowCount(); ++row)
        charted += model->count(row, EventTimelineModel::AuditSeries);
    QCOMPARE(charted, static_cast<std::uint64_t>(auditEvents));
    QCOMPARE(m_tab->eventModel()->total(), auditEvents);
    for (int row = 0; row < m_tab->eventModel()->rowCount(); ++row) {
        const QString signature = m_tab->eventModel()->index(row, ui::EventTableModel::SignatureColumn).data().toString();
        QVERIFY2(signature.startsWith(QStringLiteral("auditd: ")) && !signature.contains(QStringLiteral("unknown")),
                 qPrintable(signature));
    }
}

// Snapshots on the Events timeline: two bundles of this process scanned inside the events' time
// span, one with a high module and a high host finding, imported through the importer (as File >
// Import and loadlens-cli import do). Their high verdicts are events of source "snapshot" (one
// per file, one per finding) in their own chart series and in the table; each snapshot is a
// marker at its scan time whose click opens it in the Case tab; a Sysmon-only filter hides the
// markers.
void TestEventsTab::snapshotsAreMarkersAndEventsOnTheTimeline()
{
    ScanResult scan = testing::scanSelf();
    QVERIFY(!scan.processes.empty() && scan.processes.front().modules.size() > 2);
    scan.host.hostname = "WS1";
    const std::int64_t scannedAt[2] = {kStartUs / 1'000'000 + 600, kStartUs / 1'000'000 + 1500};
    std::string highPath;
    {
        auto &module = scan.processes.front().modules[1];
        module.verdict.add(Reason{"writable-path", Level::High, "planted", "T1574.006", "measure", {}});
        highPath = module.path;
    }
    auto store = casestore::openStore(m_casePath.toStdString(), {store::OpenMode::ReadWrite, {}});
    QVERIFY(store.ok());
    ingest::Importer importer({});
    for (int i = 0; i < 2; ++i) {
        ScanResult s = scan;
        if (i == 1)
            s.findings.push_back(Finding{"preload-file-present", Level::High, 0, "preload", "T1574.006", "measure",
                                         {{"file", "/etc/ld.so.preload"}}});
        else
            s.processes.front().modules[1].verdict = Verdict{};  // the first snapshot: nothing high
        const QString bundle = m_dir->filePath(QStringLiteral("marker%1.llsnap").arg(i));
        QVERIFY(testing::writeBundle(bundle.toStdString(), s, scannedAt[i]).ok());
        const ImportReport report = importer.importFile(casestore::importTarget(**store), bundle.toStdString());
        QVERIFY2(report.errors.empty(), report.errors.empty() ? "" : report.errors.front().c_str());
        // Imported again: nothing new, events included.
        const ImportReport again = importer.importFile(casestore::importTarget(**store), bundle.toStdString());
        QVERIFY(again.errors.empty());
        if (i == 1) {
            bool noted = false;
            for (const auto &n : again.notes)
                noted |= n.find("as snapshot events (0 new)") != std::string::npos;
            QVERIFY2(noted, "a second import adds no snapshot event");
        }
    }
    store::EventFilter snapshotsOnly;
    snapshotsOnly.source = "snapshot";
    snapshotsOnly.limit = 100;
    auto stored = (*store)->listEvents(snapshotsOnly);
    QVERIFY(stored.ok());
    QCOMPARE(stored->size(), std::size_t(2));  // the high module and the finding of the second snapshot
    for (const auto &e : *stored) {
        QCOMPARE(e.timeUs, scannedAt[1] * 1'000'000);
        QCOMPARE(e.host, std::string("WS1"));
        QCOMPARE(e.verdict.level, Level::High);
        QVERIFY(e.kind == "snapshot-module" ? e.imageLoaded == highPath : e.kind == "snapshot-finding");
    }
    store->reset();

    m_tab->setCasePath(m_casePath);
    waitSettled();
    ui::TimelineChartView *chart = m_tab->chartView();
    const EventTimelineModel *model = m_tab->timelineModel();
    std::uint64_t snapshotEvents = 0;
    for (int row = 0; row < model->rowCount(); ++row)
        snapshotEvents += model->count(row, EventTimelineModel::SnapshotSeries);
    QCOMPARE(snapshotEvents, 2u);
    QTRY_COMPARE_WITH_TIMEOUT(chart->snapshotMarkers().size(), std::size_t(2), 20000);
    QCOMPARE(chart->snapshotMarkers()[1].highModules, 1);
    QCOMPARE(chart->snapshotMarkers()[1].findings, 1);
    // Drawn at their times: inside the plot, left to right, where timeAt() says that time is.
    const auto first = chart->markerPosition(0);
    const auto second = chart->markerPosition(1);
    QVERIFY(first && second);
    QVERIFY(first->x() < second->x());
    QVERIFY(std::abs(chart->timeAt(second->x()) - scannedAt[1] * 1'000'000) <= model->bucketEndUs(0) - model->bucketStartUs(0));
    QCOMPARE(chart->markerAt(*second + QPoint(2, 10)), std::optional<std::size_t>(1));
    QVERIFY(!chart->markerAt(*second + QPoint(40, 10)));
    QVERIFY(chart->markerToolTip(1).contains(QStringLiteral("1 high module(s), 1 host finding(s)")));
    QSignalSpy activated(m_tab.get(), &ui::EventsTab::snapshotActivated);
    QTest::mouseClick(chart->viewport(), Qt::LeftButton, {}, *second + QPoint(0, 5));
    QCOMPARE(activated.count(), 1);
    QCOMPARE(activated.first().first().toLongLong(), chart->snapshotMarkers()[1].id);
    QVERIFY(!m_tab->drillDown());  // the click went to the marker, not to a bar under it
    // The snapshot series' segment lists the two snapshot events.
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->count(row, EventTimelineModel::SnapshotSeries) > 0)
            m_tab->drillInto(row, EventTimelineModel::SnapshotSeries);
    waitSettled();
    QCOMPARE(m_tab->eventModel()->total(), std::int64_t(2));

    // In the main window the click opens the Case tab with that snapshot selected.
    if (m_serverUrl.isEmpty()) {
        ui::MainWindow window({});
        QVERIFY(window.openCase(m_casePath).ok());
        QVERIFY(window.selectTab(QStringLiteral("events")));
        QTRY_COMPARE_WITH_TIMEOUT(window.eventsTab()->chartView()->snapshotMarkers().size(), std::size_t(2), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(window.caseTab()->snapshotModel()->rowCount() >= 2, 20000);
        const qint64 id = window.eventsTab()->chartView()->snapshotMarkers()[1].id;
        emit window.eventsTab()->chartView()->snapshotClicked(id);
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget *>(window.caseTab()));
        const QModelIndex current = window.caseTab()->hostsView()->currentIndex();
        QCOMPARE(current.data(ui::SnapshotTableModel::SnapshotIdRole).toLongLong(), id);
    }

    // Only Sysmon events: no markers.
    auto *source = m_tab->findChild<QComboBox *>();
    QVERIFY(source);
    const int sysmon = source->findData(QStringLiteral("sysmon"));
    QVERIFY(sysmon >= 0);
    source->setCurrentIndex(sysmon);
    waitSettled();
    QTRY_VERIFY_WITH_TIMEOUT(chart->snapshotMarkers().empty(), 20000);
}

QTEST_MAIN(TestEventsTab)
#include "tst_eventstab.moc"

// The main window on a ClickHouse case (what File > Open ClickHouse case and --case URL do):
// the title and status line name the server and database, the Events tab pages through the
// server's events, the Case tab lists, stacks and diffs the server's snapshots, a malformed
// URL is refused.
void TestEventsTab::mainWindowOpensAServerCase()
{
    if (m_serverUrl.isEmpty())
        QSKIP("opens a ClickHouse URL: tst_eventstab_clickhouse runs this against the test server");
    // Two snapshots of this process, imported into the server's case as bundles.
    const ScanResult scan = testing::scanSelf();
    {
        auto store = casestore::openStore(m_casePath.toStdString(), {store::OpenMode::ReadWrite, {}});
        QVERIFY(store.ok());
        for (int i = 0; i < 2; ++i) {
            const QString bundle = m_dir->filePath(QStringLiteral("snapshot%1.llsnap").arg(i));
            QVERIFY(testing::writeBundle(bundle.toStdString(), scan, 1'700'000'000 + 60 * i).ok());
            const ImportReport report = (*store)->importBundle(bundle.toStdString(), {});
            QVERIFY2(report.errors.empty(), report.errors.empty() ? "" : report.errors.front().c_str());
        }
    }
    ui::MainWindow window({});
    QVERIFY(window.openCase(m_casePath).ok());
    QCOMPARE(window.casePath(), m_casePath);
    QVERIFY2(window.windowTitle().startsWith(m_casePath), qPrintable(window.windowTitle()));
    QVERIFY(window.selectTab(QStringLiteral("events")));
    QTRY_COMPARE_WITH_TIMEOUT(window.eventsTab()->eventModel()->total(), std::int64_t(kEvents), 20000);
    QTRY_VERIFY2(window.statusText().contains(QStringLiteral("Events of case ") + m_casePath),
                 qPrintable(window.statusText()));
    const auto caseTabSays = [&window](const QString &text) {
        for (const QLabel *label : window.caseTab()->findChildren<QLabel *>())
            if (label->text().contains(text))
                return true;
        return false;
    };
    // The Case tab works on the server: both snapshots beside the hosts known from events,
    // their modules by verdict, stacking, and the diff of the two.
    ui::CaseTab *caseTab = window.caseTab();
    QAbstractItemModelTester snapshotTester(caseTab->snapshotModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto snapshotRows = [caseTab] {
        QList<qint64> ids;
        for (int row = 0; row < caseTab->snapshotModel()->rowCount(); ++row)
            if (const qint64 id = caseTab->snapshotModel()->index(row, 0).data(ui::SnapshotTableModel::SnapshotIdRole).toLongLong())
                ids << id;
        return ids;
    };
    QTRY_COMPARE_WITH_TIMEOUT(snapshotRows().size(), 2, 20000);
    QVERIFY2(caseTabSays(QStringLiteral("2 snapshot(s)")), "the summary counts the server's snapshots");
    QVERIFY(window.selectTab(QStringLiteral("case")));
    // The status line tells snapshots from hosts that only events name.
    QTRY_VERIFY2(window.statusText().startsWith(QStringLiteral("Case ") + m_casePath + QStringLiteral(": 2 snapshots, ")) &&
                     window.statusText().contains(QStringLiteral("known only from events")),
                 qPrintable(window.statusText()));
    QVERIFY(caseTab->snapshotModel()->rowCount() > 2);  // and the hosts known only from events
    QTRY_VERIFY_WITH_TIMEOUT(caseTab->stackModel()->rowCount() > 0, 20000);
    QTRY_VERIFY_WITH_TIMEOUT(caseTab->runner()->isIdle(), 20000);
    const QList<qint64> ids = snapshotRows();
    QVERIFY(caseTab->selectSnapshots(ids[0], ids[1]));
    QTRY_VERIFY2_WITH_TIMEOUT(caseTab->diffSummaryText().contains(QStringLiteral("host-wide module change")),
                              qPrintable(caseTab->diffSummaryText()), 20000);
    QVERIFY2(!caseTabSays(QStringLiteral("needs a SQLite case")), "no refusal on the Case tab's own views");
    // One snapshot opened in its own window, read from the server.
    QSignalSpy opened(caseTab, &ui::CaseTab::snapshotBrowserOpened);
    caseTab->browseSnapshot(ids[0]);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 20000);
    auto *browser = window.findChild<ui::SnapshotBrowser *>();
    QVERIFY(browser);
    QCOMPARE(browser->snapshotId(), ids[0]);
    QCOMPARE(browser->processModel()->processCount(), static_cast<int>(scan.processes.size()));
    QVERIFY(browser->selectProcess(scan.processes.front().pid));
    QCOMPARE(browser->moduleModel()->rowCount(), static_cast<int>(scan.processes.front().modules.size()));
    browser->close();
    const auto refused = window.openCase(QStringLiteral("clickhouse://127.0.0.1:1/not-a-name"));
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.find("not-a-name") != std::string::npos, refused.error().message.c_str());
    QCOMPARE(window.casePath(), m_casePath);
}
