#pragma once
// The Events tab: the history of image loads and drops in the case. Filter bar on top, the
// timeline chart, then one page of the matching events with the selected event's verdict, and
// the most loaded and rarest images. Every query runs off the GUI thread; the chart asks only
// for bucket counts of the visible range, the table for one page.
#include "eventstats/event_query.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTreeView;

namespace loadlens::ui {

class CaseQueryRunner;
class EventTableModel;
class EventTimelineModel;
class ImageStackModel;
class TimelineChartView;
class VerdictDetailsView;

class EventsTab final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventsTab)

public:
    static constexpr std::int64_t kPageSize = 500;

    explicit EventsTab(QWidget *parent = nullptr);
    ~EventsTab() override;

    void setCasePath(const QString &path);  // and reload
    // The filter bar's query (no time range, no drill-down).
    eventstats::EventQuery filterQuery() const;
    // What the events table lists now: the filter bar plus the drilled-down segment, else the
    // visible chart range.
    eventstats::EventQuery tableQuery() const { return m_tableQuery; }
    std::optional<std::pair<int, int>> drillDown() const { return m_drill; }  // (row, series)

    EventTimelineModel *timelineModel() const { return m_timeline; }
    EventTableModel *eventModel() const { return m_events; }
    ImageStackModel *topModel() const { return m_top; }
    ImageStackModel *rareModel() const { return m_rare; }
    TimelineChartView *chartView() const { return m_chart; }
    QTreeView *eventView() const { return m_eventView; }
    CaseQueryRunner *runner() const { return m_runner; }

    // Puts `text` in the search box and lists the events that mention it (no typing delay).
    void setTextFilter(const QString &text);
    QString textFilter() const;

public slots:
    void reload();                                   // time span, then chart, table and lists
    void showRange(qint64 fromUs, qint64 toUs);      // re-buckets the chart for that range
    void drillInto(int row, int series);             // the table lists that chart segment
    void clearDrillDown();
    // Selects the first event of the worst level on the page (shows its details).
    bool selectMostSevereEvent();
    void nextPage();
    void previousPage();

signals:
    void settled();  // every query of the last change has answered
    void snapshotActivated(qint64 snapshotId);  // a snapshot marker of the chart was clicked
    void queryFailed(const QString &message);

private:
    QWidget *createFilterBar();
    QWidget *createLowerPane();
    void queryTable(std::int64_t offset);
    void queryStacks();
    void queryMarkers(qint64 fromUs, qint64 toUs);
    void updatePager();
    void updateDetails();
    void onQueryDone();

    CaseQueryRunner *m_runner;
    EventTimelineModel *m_timeline;
    EventTableModel *m_events;
    ImageStackModel *m_top;
    ImageStackModel *m_rare;
    TimelineChartView *m_chart = nullptr;
    QTreeView *m_eventView = nullptr;
    QTreeView *m_topView = nullptr;
    QTreeView *m_rareView = nullptr;
    VerdictDetailsView *m_details = nullptr;
    QComboBox *m_source = nullptr;
    QComboBox *m_eventId = nullptr;
    QComboBox *m_minLevel = nullptr;
    QLineEdit *m_text = nullptr;
    QLabel *m_drillLabel = nullptr;
    QPushButton *m_clearDrill = nullptr;
    QLabel *m_pageLabel = nullptr;
    QPushButton *m_previous = nullptr;
    QPushButton *m_next = nullptr;
    QLabel *m_summary = nullptr;

    std::optional<std::pair<qint64, qint64>> m_fullSpan;  // of the filter bar's events
    qint64 m_visibleFrom = 0;
    qint64 m_visibleTo = 0;
    std::optional<std::pair<int, int>> m_drill;
    eventstats::EventQuery m_tableQuery;
};

} // namespace loadlens::ui
