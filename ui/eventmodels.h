#pragma once
// Models of the Events tab: image loads per time bucket stacked by verdict level (plus DLL/EXE
// drops), one page of events, and loaded images stacked across hosts and processes.
#include "common/events.h"
#include "eventstats/event_stats.h"
#include "eventstats/time_buckets.h"
#include "store/event_store.h"

#include <QAbstractTableModel>
#include <QColor>

#include <array>
#include <vector>

namespace loadlens::ui {

class EventTimelineModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventTimelineModel)

public:
    // One stacked series per verdict level of image loads, the drops (EID 11 file-create), the
    // auditd events (loader config writes, library opens, loader variables on exec) and the
    // high verdicts of snapshots (events of source "snapshot", at their scan times).
    enum Series {
        OkSeries,
        InfoSeries,
        LowSeries,
        MediumSeries,
        HighSeries,
        FileCreateSeries,
        AuditSeries,
        SnapshotSeries,
        SeriesCount
    };
    enum Column {
        StartColumn,
        FirstSeriesColumn,
        FileCreateColumn = FirstSeriesColumn + FileCreateSeries,
        AuditColumn = FirstSeriesColumn + AuditSeries,
        SnapshotColumn = FirstSeriesColumn + SnapshotSeries,
        TotalColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,  // start in microseconds, counts
        BucketStartRole,              // qint64 microseconds, inclusive
        BucketEndRole,                // qint64 microseconds, exclusive
    };
    Q_ENUM(Series)
    Q_ENUM(Column)
    Q_ENUM(Role)

    static constexpr int kMaxBuckets = 2000;

    explicit EventTimelineModel(QObject *parent = nullptr);

    // Fills every bucket of `width` over [fromUs, toUs), empty ones included, from the store's
    // aggregate (grouped by the same width). Sysmon kinds other than image loads and file
    // creates (process-create, driver-load) are not charted.
    void setBuckets(std::int64_t fromUs, std::int64_t toUs, const eventstats::BucketWidth &width,
                    const std::vector<store::EventBucket> &buckets);
    void clear();

    eventstats::BucketWidth width() const { return m_width; }
    std::int64_t fromUs() const { return m_fromUs; }
    std::int64_t toUs() const { return m_toUs; }
    std::int64_t bucketStartUs(int row) const;
    std::int64_t bucketEndUs(int row) const;
    std::uint64_t count(int row, Series series) const;
    std::uint64_t maxStackHeight() const;

    // The query behind one stacked segment: that bucket's time range and that series, on top of
    // `base` (its source, host and text still apply).
    eventstats::EventQuery drillDownQuery(int row, Series series, const eventstats::EventQuery &base) const;

    static QString seriesName(Series series);
    static QColor seriesColor(Series series);
    static std::optional<Series> seriesOf(const store::EventBucket &bucket);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    using Counts = std::array<std::uint64_t, SeriesCount>;
    std::int64_t m_fromUs = 0;
    std::int64_t m_toUs = 0;
    eventstats::BucketWidth m_width;
    std::vector<std::int64_t> m_starts;  // one per bucket, then the end of the last
    std::vector<Counts> m_counts;
};

class EventTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventTableModel)

public:
    enum Column {
        TimeColumn,
        HostColumn,
        SourceColumn,
        EventIdColumn,
        ImageColumn,
        ImageLoadedColumn,
        SignatureColumn,
        VerdictColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,  // microseconds, event id, level, text
        LevelRole,                    // int(Level)
    };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit EventTableModel(QObject *parent = nullptr);

    // One page of a listing: rows `offset` .. offset + events.size() of `total`.
    void setPage(std::vector<LoadEvent> events, std::int64_t offset, std::int64_t total);
    void clear();
    const LoadEvent *eventAt(int row) const;
    std::int64_t offset() const { return m_offset; }
    std::int64_t total() const { return m_total; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<LoadEvent> m_events;
    std::int64_t m_offset = 0;
    std::int64_t m_total = 0;
};

class ImageStackModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ImageStackModel)

public:
    enum Column { ImageColumn, LoadsColumn, HostsColumn, ProcessesColumn, LevelColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1, LevelRole };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit ImageStackModel(QObject *parent = nullptr);

    void setEntries(std::vector<eventstats::ImageStackEntry> entries);
    const eventstats::ImageStackEntry *entryAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<eventstats::ImageStackEntry> m_entries;
};

} // namespace loadlens::ui
