// The Events tab on a temp case with events written through store::EventWriter: the chart's
// bucket counts against the events, a click on a segment filtering the table to that bucket
// and series, re-bucketing a zoomed range, and the image lists.
#include <QAbstractItemModelTester>
#include <QBarSet>
#include <QSignalSpy>
#include <QStackedBarSeries>
#include <QTemporaryDir>
#include <QTest>

#include "case_builders.h"
#include "casequeryrunner.h"
#include "eventmodels.h"
#include "eventstab.h"
#include "timelinechart.h"

#include <map>

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
    void init();
    void cleanup();
    void bucketCountsMatchTheEvents();
    void clickingASegmentFiltersTheTable_data();
    void clickingASegmentFiltersTheTable();
    void zoomReBucketsTheVisibleRange();
    void imageListsStackAcrossHostsAndProcesses();
    void emptyCaseShowsNothing();

private:
    void waitSettled();
    void checkCounts(std::int64_t fromUs, std::int64_t toUs);

    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<ui::EventsTab> m_tab;
    std::unique_ptr<QSignalSpy> m_settled;
    QString m_casePath;
};

void TestEventsTab::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_casePath = m_dir->filePath(QStringLiteral("case.sqlite"));
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString());
        QVERIFY(db.ok());
        QVERIFY(testing::writeEvents(*db, makeEvents()).ok());
    }
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
    const auto expected = expectedCounts(model->bucketSeconds(), fromUs, toUs);
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
    QCOMPARE(model->bucketSeconds(), EventTimelineModel::bucketSecondsFor(lastUs + 1 - kStartUs));
    QCOMPARE(model->bucketSeconds(), std::int64_t(60));
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
    QCOMPARE(model->bucketSeconds(), std::int64_t(30));  // 600 s over about 48 buckets
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
    const QString empty = m_dir->filePath(QStringLiteral("empty.sqlite"));
    QVERIFY(store::CaseDatabase::open(empty.toStdString()).ok());
    m_tab->setCasePath(empty);
    waitSettled();
    QCOMPARE(m_tab->timelineModel()->rowCount(), 0);
    QCOMPARE(m_tab->eventModel()->rowCount(), 0);
    QCOMPARE(m_tab->topModel()->rowCount(), 0);
}

QTEST_MAIN(TestEventsTab)
#include "tst_eventstab.moc"
