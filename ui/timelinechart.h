#pragma once
// The Events tab's chart: image loads per time bucket stacked by verdict level, with the DLL/EXE
// drops and the auditd events as their own sets, drawn from an EventTimelineModel. Zoom with the wheel or by dragging a
// band with the left button, pan by dragging with the right button; the view only asks for a
// new range (rangeRequested), the owner re-queries the buckets. Clicking a segment emits
// segmentClicked(bucket row, series). Snapshots of the case are drawn as markers (a dashed line
// at the scan time with a flag on top); clicking a flag emits snapshotClicked(id).
#include <QChartView>

#include <cstdint>
#include <optional>
#include <vector>

class QBarCategoryAxis;
class QBarSet;
class QRubberBand;
class QStackedBarSeries;
class QValueAxis;

namespace loadlens::ui {

class EventTimelineModel;

struct YAxisTicks {
    std::uint64_t top = 1;  // the axis maximum, a whole multiple of the step
    int count = 2;          // ticks including 0 and top
};

struct SnapshotMarker {
    qint64 id = 0;
    QString host;
    qint64 timeUs = 0;     // the scan time
    qint64 highModules = 0;
    qint64 findings = 0;   // host findings
};

class TimelineChartView final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineChartView)

public:
    explicit TimelineChartView(EventTimelineModel *model, QWidget *parent = nullptr);

    QStackedBarSeries *series() const { return m_series; }
    QBarCategoryAxis *axisX() const { return m_axisX; }
    QValueAxis *axisY() const { return m_axisY; }
    // The hover text of one stacked segment: its count, series and exact time range.
    QString segmentToolTip(int row, int series) const;
    // Whole-number ticks from 0 up to at least `highest`.
    static YAxisTicks yAxisTicks(std::uint64_t highest);
    // The time under a view x coordinate, clamped to the charted range.
    qint64 timeAt(int viewX) const;

    void setSnapshotMarkers(std::vector<SnapshotMarker> markers);
    const std::vector<SnapshotMarker> &snapshotMarkers() const { return m_markers; }
    // Where marker `index` is drawn (view coordinates of its flag), when its time is charted.
    std::optional<QPoint> markerPosition(std::size_t index) const;
    // The marker whose flag or line is under `viewPos` (within a few pixels), if any.
    std::optional<std::size_t> markerAt(const QPoint &viewPos) const;
    QString markerToolTip(std::size_t index) const;

signals:
    void segmentClicked(int row, int series);
    void snapshotClicked(qint64 snapshotId);
    void rangeRequested(qint64 fromUs, qint64 toUs);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void drawForeground(QPainter *painter, const QRectF &rect) override;

private:
    std::optional<double> sceneXOf(qint64 timeUs) const;
    void rebuild();
    void requestSpan(double fromUs, double toUs);
    QString bucketLabel(int row) const;

    EventTimelineModel *m_model;
    QStackedBarSeries *m_series = nullptr;
    QBarCategoryAxis *m_axisX = nullptr;
    QValueAxis *m_axisY = nullptr;
    QRubberBand *m_band = nullptr;
    QPoint m_pressPos;
    Qt::MouseButton m_dragButton = Qt::NoButton;
    bool m_dragging = false;
    std::vector<SnapshotMarker> m_markers;
};

} // namespace loadlens::ui
