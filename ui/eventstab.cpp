#include "eventstab.h"

#include "casequeryrunner.h"
#include "eventstats/event_stats.h"
#include "eventmodels.h"
#include "formatting.h"
#include "levelstyle.h"
#include "qtstrings.h"
#include "tableviews.h"
#include "timelinechart.h"
#include "verdictdetails.h"
#include "splitterstate.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSplitter>
#include <QSignalBlocker>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace loadlens::ui {

namespace {

const QString kSpan = QStringLiteral("span");
const QString kBuckets = QStringLiteral("buckets");
const QString kPage = QStringLiteral("page");
const QString kMarkers = QStringLiteral("markers");
const QString kTop = QStringLiteral("top");
const QString kRare = QStringLiteral("rare");
constexpr std::int64_t kStackLimit = 25;

} // namespace

EventsTab::EventsTab(QWidget *parent)
    : QWidget(parent)
    , m_runner(new CaseQueryRunner(this))
    , m_timeline(new EventTimelineModel(this))
    , m_events(new EventTableModel(this))
    , m_top(new ImageStackModel(this))
    , m_rare(new ImageStackModel(this))
{
    m_chart = new TimelineChartView(m_timeline);
    connect(m_chart, &TimelineChartView::segmentClicked, this, &EventsTab::drillInto);
    connect(m_chart, &TimelineChartView::snapshotClicked, this, &EventsTab::snapshotActivated);
    connect(m_chart, &TimelineChartView::rangeRequested, this, &EventsTab::showRange);

    auto *vertical = new QSplitter(Qt::Vertical);
    vertical->addWidget(m_chart);
    vertical->addWidget(createLowerPane());
    vertical->setStretchFactor(0, 2);
    vertical->setStretchFactor(1, 3);
    vertical->setSizes({300, 460});

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(createFilterBar());
    layout->addWidget(vertical, 1);

    connect(m_runner, &CaseQueryRunner::finished, this, [this] { onQueryDone(); });
    connect(m_runner, &CaseQueryRunner::failed, this, [this](const QString &, quint64, const QString &message) {
        m_summary->setText(message);
        emit queryFailed(message);
        onQueryDone();
    });
}

EventsTab::~EventsTab() = default;

QWidget *EventsTab::createFilterBar()
{
    m_source = new QComboBox;
    m_source->addItem(QStringLiteral("any source"), QString());
    m_source->addItem(QStringLiteral("Sysmon"), QStringLiteral("sysmon"));
    m_source->addItem(QStringLiteral("auditd"), QStringLiteral("auditd"));
    m_source->addItem(QStringLiteral("Snapshots"), QStringLiteral("snapshot"));
    m_eventId = new QComboBox;
    m_eventId->addItem(QStringLiteral("any EID"), -1);
    m_eventId->addItem(QStringLiteral("1 process create"), 1);
    m_eventId->addItem(QStringLiteral("6 driver load"), 6);
    m_eventId->addItem(QStringLiteral("7 image load"), 7);
    m_eventId->addItem(QStringLiteral("11 file create"), 11);
    m_minLevel = new QComboBox;
    for (const Level level : {Level::Ok, Level::Info, Level::Low, Level::Medium, Level::High})
        m_minLevel->addItem(levelIcon(level), QStringLiteral("\u2265 ") + levelText(level), static_cast<int>(level));
    m_text = new QLineEdit;
    m_text->setPlaceholderText(QStringLiteral("Search host, image, loaded image, user, command line, signer, hash"));
    m_text->setClearButtonEnabled(true);
    auto *resetZoom = new QPushButton(QStringLiteral("Whole time span"));
    resetZoom->setToolTip(QStringLiteral("Zoom out to every matching event"));
    connect(resetZoom, &QPushButton::clicked, this, [this] {
        if (m_fullSpan)
            showRange(m_fullSpan->first, m_fullSpan->second + 1);
    });
    m_summary = new QLabel;

    // Typing waits for a pause; the combo boxes apply at once.
    auto *typing = new QTimer(this);
    typing->setSingleShot(true);
    typing->setInterval(300);
    connect(typing, &QTimer::timeout, this, &EventsTab::reload);
    connect(m_text, &QLineEdit::textChanged, typing, qOverload<>(&QTimer::start));
    for (QComboBox *box : {m_source, m_eventId, m_minLevel})
        connect(box, &QComboBox::currentIndexChanged, this, &EventsTab::reload);

    auto *bar = new QWidget;
    auto *layout = new QHBoxLayout(bar);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_source);
    layout->addWidget(m_eventId);
    layout->addWidget(m_minLevel);
    layout->addWidget(m_text, 1);
    layout->addWidget(resetZoom);
    layout->addWidget(m_summary);
    return bar;
}

QWidget *EventsTab::createLowerPane()
{
    m_eventView = makeTableView(m_events);
    m_eventView->header()->setStretchLastSection(false);
    m_eventView->header()->setSectionResizeMode(EventTableModel::ImageLoadedColumn, QHeaderView::Stretch);
    m_eventView->setColumnWidth(EventTableModel::TimeColumn, 160);
    m_eventView->setColumnWidth(EventTableModel::HostColumn, 90);
    m_eventView->setColumnWidth(EventTableModel::SourceColumn, 55);
    m_eventView->setColumnWidth(EventTableModel::EventIdColumn, 55);
    m_eventView->setColumnWidth(EventTableModel::ImageColumn, 160);
    m_eventView->setColumnWidth(EventTableModel::SignatureColumn, 90);
    m_eventView->setColumnWidth(EventTableModel::VerdictColumn, 80);
    connect(m_eventView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { updateDetails(); });

    m_drillLabel = new QLabel;
    m_clearDrill = new QPushButton(QStringLiteral("Show the whole range"));
    m_clearDrill->setVisible(false);
    connect(m_clearDrill, &QPushButton::clicked, this, &EventsTab::clearDrillDown);
    m_previous = new QPushButton(QStringLiteral("\u25c0 Previous"));
    m_next = new QPushButton(QStringLiteral("Next \u25b6"));
    m_pageLabel = new QLabel;
    connect(m_previous, &QPushButton::clicked, this, &EventsTab::previousPage);
    connect(m_next, &QPushButton::clicked, this, &EventsTab::nextPage);
    auto *pager = new QHBoxLayout;
    pager->addWidget(m_drillLabel, 1);
    pager->addWidget(m_clearDrill);
    pager->addWidget(m_pageLabel);
    pager->addWidget(m_previous);
    pager->addWidget(m_next);

    auto *tablePane = new QWidget;
    auto *tableLayout = new QVBoxLayout(tablePane);
    tableLayout->setContentsMargins(0, 0, 0, 0);
    tableLayout->addLayout(pager);
    tableLayout->addWidget(m_eventView);

    m_details = new VerdictDetailsView;
    m_details->setHtml(QStringLiteral("<p><i>Select an event to see its verdict and evidence.</i></p>"));

    m_topView = makeTableView(m_top);
    m_rareView = makeTableView(m_rare);
    for (QTreeView *view : {m_topView, m_rareView}) {
        view->header()->setStretchLastSection(false);
        view->header()->setSectionResizeMode(ImageStackModel::ImageColumn, QHeaderView::Stretch);
        for (int column = ImageStackModel::LoadsColumn; column < ImageStackModel::ColumnCount; ++column)
            view->setColumnWidth(column, column == ImageStackModel::LevelColumn ? 80 : 62);
    }
    const auto titled = [](const QString &title, QWidget *content) {
        auto *box = new QWidget;
        auto *layout = new QVBoxLayout(box);
        layout->setContentsMargins(0, 0, 0, 0);
        layout->addWidget(new QLabel(QStringLiteral("<b>%1</b>").arg(title)));
        layout->addWidget(content);
        return box;
    };
    auto *lists = new QSplitter(Qt::Vertical);
    lists->addWidget(titled(QStringLiteral("Top loaded images"), m_topView));
    lists->addWidget(titled(QStringLiteral("Rarest images (fewest hosts, then processes)"), m_rareView));

    auto *right = new QSplitter(Qt::Vertical);
    right->addWidget(m_details);
    right->addWidget(lists);
    right->setSizes({420, 220});  // the reasons need the room more than the lists
    rememberSplitter(right, QStringLiteral("eventsDetails"));

    auto *horizontal = new QSplitter(Qt::Horizontal);
    horizontal->addWidget(tablePane);
    horizontal->addWidget(right);
    horizontal->setStretchFactor(0, 3);
    horizontal->setStretchFactor(1, 2);
    horizontal->setSizes({760, 500});
    return horizontal;
}

void EventsTab::setCasePath(const QString &path)
{
    m_runner->setCasePath(path);
    reload();
}

eventstats::EventQuery EventsTab::filterQuery() const
{
    eventstats::EventQuery query;
    query.filter.source = toStdString(m_source->currentData().toString());
    const int eventId = m_eventId->currentData().toInt();
    if (eventId >= 0)
        query.filter.eventId = eventId;
    query.filter.minLevel = static_cast<Level>(m_minLevel->currentData().toInt());
    query.text = toStdString(m_text->text().trimmed());
    return query;
}

void EventsTab::setTextFilter(const QString &text)
{
    {
        const QSignalBlocker typing(m_text);
        m_text->setText(text);
    }
    reload();
}

QString EventsTab::textFilter() const
{
    return m_text->text();
}

void EventsTab::reload()
{
    m_drill.reset();
    const eventstats::EventQuery query = filterQuery();
    m_summary->setText(QStringLiteral("Counting\u2026"));
    m_runner->runOnStore(kSpan, [this, query](const casestore::CaseStore &db) -> Result<CaseQueryRunner::Apply> {
        auto span = db.eventTimeSpan(query.storeFilter());
        if (!span)
            return span.error();
        return CaseQueryRunner::Apply([this, span = *span] {
            if (!span) {
                m_fullSpan.reset();
                m_summary->setText(QStringLiteral("No matching events"));
                m_timeline->clear();
                m_events->clear();
                m_top->setEntries({});
                m_rare->setEntries({});
                m_tableQuery = filterQuery();
                updatePager();
                return;
            }
            m_fullSpan = std::make_pair(span->firstUs, span->lastUs);
            m_summary->setText(QStringLiteral("%L1 events, %2 \u2013 %3")
                                   .arg(span->events)
                                   .arg(timeTextUs(span->firstUs), timeTextUs(span->lastUs)));
            showRange(span->firstUs, span->lastUs + 1);
        });
    });
}

void EventsTab::showRange(qint64 fromUs, qint64 toUs)
{
    m_visibleFrom = fromUs;
    m_visibleTo = std::max(toUs, fromUs + 1);
    m_drill.reset();
    eventstats::EventQuery query = filterQuery();
    query.filter.fromUs = m_visibleFrom;
    query.filter.toUs = m_visibleTo;
    const eventstats::BucketWidth width = eventstats::bucketWidthFor(m_visibleTo - m_visibleFrom);
    const qint64 from = m_visibleFrom;
    const qint64 to = m_visibleTo;
    // The visible range is widened to whole buckets, so the first and last bars are complete.
    m_runner->runOnStore(kBuckets, [this, query, width, from, to](const casestore::CaseStore &db) -> Result<CaseQueryRunner::Apply> {
        eventstats::EventQuery whole = query;
        const std::int64_t first = eventstats::bucketFloorUs(width, from);
        std::int64_t end = first;
        for (int n = 0; end < to && n <= EventTimelineModel::kMaxBuckets; ++n)
            end = eventstats::bucketNextUs(width, end);
        whole.filter.fromUs = first;
        whole.filter.toUs = end;
        auto buckets = db.eventBuckets(width, whole.storeFilter());
        if (!buckets)
            return buckets.error();
        return CaseQueryRunner::Apply([this, first, end, width, buckets = std::move(*buckets)] {
            m_timeline->setBuckets(first, end, width, buckets);
            queryMarkers(first, end);
        });
    });
    m_tableQuery = query;
    queryTable(0);
    queryStacks();
}

// The snapshots scanned in the charted range (of the filtered host), as markers on the chart.
// Hidden when the filter keeps only Sysmon or auditd events.
void EventsTab::queryMarkers(qint64 fromUs, qint64 toUs)
{
    const eventstats::EventQuery query = filterQuery();
    if (!query.filter.source.empty() && query.filter.source != "snapshot") {
        m_chart->setSnapshotMarkers({});
        return;
    }
    const std::string host = query.filter.host;
    m_runner->runOnStore(kMarkers, [this, host, fromUs, toUs](const casestore::CaseStore &db) -> Result<CaseQueryRunner::Apply> {
        auto snapshots = db.listSnapshots();
        if (!snapshots)
            return snapshots.error();
        std::vector<SnapshotMarker> markers;
        for (const auto &s : *snapshots) {
            const qint64 at = s.scannedAt * 1000000;
            if (at < fromUs || at >= toUs || (!host.empty() && s.host != host))
                continue;
            markers.push_back(SnapshotMarker{s.id, toQString(s.host), at, s.modulesAt(Level::High), s.findings});
        }
        return CaseQueryRunner::Apply([this, markers = std::move(markers)]() mutable {
            m_chart->setSnapshotMarkers(std::move(markers));
        });
    });
}

void EventsTab::drillInto(int row, int series)
{
    if (row < 0 || row >= m_timeline->rowCount() || series < 0 || series >= EventTimelineModel::SeriesCount)
        return;
    m_drill = std::make_pair(row, series);
    m_tableQuery = m_timeline->drillDownQuery(row, static_cast<EventTimelineModel::Series>(series), filterQuery());
    queryTable(0);
}

void EventsTab::clearDrillDown()
{
    m_drill.reset();
    m_tableQuery = filterQuery();
    m_tableQuery.filter.fromUs = m_visibleFrom;
    m_tableQuery.filter.toUs = m_visibleTo;
    queryTable(0);
}

void EventsTab::nextPage()
{
    if (m_events->offset() + kPageSize < m_events->total())
        queryTable(m_events->offset() + kPageSize);
}

void EventsTab::previousPage()
{
    if (m_events->offset() > 0)
        queryTable(std::max<std::int64_t>(0, m_events->offset() - kPageSize));
}

void EventsTab::queryTable(std::int64_t offset)
{
    eventstats::EventQuery query = m_tableQuery;
    query.filter.limit = kPageSize;
    query.filter.offset = offset;
    updatePager();
    m_runner->runOnStore(kPage, [this, query](const casestore::CaseStore &db) -> Result<CaseQueryRunner::Apply> {
        auto total = db.countEvents(query.storeFilter());
        if (!total)
            return total.error();
        auto events = db.listEvents(query.storeFilter());
        if (!events)
            return events.error();
        return CaseQueryRunner::Apply([this, offset = query.filter.offset, total = *total, events = std::move(*events)]() mutable {
            m_events->setPage(std::move(events), offset, total);
            updatePager();
            updateDetails();
        });
    });
}

void EventsTab::queryStacks()
{
    eventstats::EventQuery query = filterQuery();
    query.filter.fromUs = m_visibleFrom;
    query.filter.toUs = m_visibleTo;
    for (const auto &[channel, order, model] : {std::tuple{kTop, eventstats::ImageOrder::MostLoaded, m_top},
                                                std::tuple{kRare, eventstats::ImageOrder::Rarest, m_rare}}) {
        m_runner->runOnStore(channel, [query, order, model](const casestore::CaseStore &db) -> Result<CaseQueryRunner::Apply> {
            auto entries = db.loadedImageStack(query.storeFilter(), order, kStackLimit);
            if (!entries)
                return entries.error();
            return CaseQueryRunner::Apply([model, entries = std::move(*entries)]() mutable { model->setEntries(std::move(entries)); });
        });
    }
}

bool EventsTab::selectMostSevereEvent()
{
    int best = -1;
    for (int row = 0; row < m_events->rowCount(); ++row)
        if (best < 0 || m_events->eventAt(row)->verdict.level > m_events->eventAt(best)->verdict.level)
            best = row;
    if (best < 0)
        return false;
    m_eventView->setCurrentIndex(m_events->index(best, 0));
    m_eventView->scrollTo(m_events->index(best, 0), QAbstractItemView::PositionAtCenter);
    return true;
}

void EventsTab::updatePager()
{
    if (m_drill) {
        const auto series = static_cast<EventTimelineModel::Series>(m_drill->second);
        m_drillLabel->setText(QStringLiteral("Segment: %1, %2 \u2013 %3")
                                  .arg(EventTimelineModel::seriesName(series),
                                       timeTextUs(m_timeline->bucketStartUs(m_drill->first)),
                                       timeTextUs(m_timeline->bucketEndUs(m_drill->first))));
    } else {
        m_drillLabel->setText(QStringLiteral("Visible range %1 \u2013 %2 (click a bar to list its events)")
                                  .arg(timeTextUs(m_visibleFrom), timeTextUs(m_visibleTo)));
    }
    m_clearDrill->setVisible(m_drill.has_value());
    const std::int64_t first = m_events->offset();
    const std::int64_t shown = m_events->rowCount();
    m_pageLabel->setText(shown == 0 ? QStringLiteral("no events")
                                    : QStringLiteral("%L1\u2013%L2 of %L3").arg(first + 1).arg(first + shown).arg(m_events->total()));
    m_previous->setEnabled(first > 0);
    m_next->setEnabled(first + shown < m_events->total());
}

void EventsTab::updateDetails()
{
    if (const LoadEvent *event = m_events->eventAt(m_eventView->currentIndex().row()))
        m_details->showLoadEvent(*event);
    else
        m_details->setHtml(QStringLiteral("<p><i>Select an event to see its verdict and evidence.</i></p>"));
}

void EventsTab::onQueryDone()
{
    if (m_runner->isIdle())
        emit settled();
}

} // namespace loadlens::ui
