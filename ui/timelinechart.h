#pragma once
// The Events tab's chart: image loads per time bucket stacked by verdict level, with the DLL/EXE
// drops as their own set, drawn from an EventTimelineModel. Zoom with the wheel or by dragging a
// band with the left button, pan by dragging with the right button; the view only asks for a
// new range (rangeRequested), the owner re-queries the buckets. Clicking a segment emits
// segmentClicked(bucket row, series).
#include <QChartView>

class QBarCategoryAxis;
class QBarSet;
class QRubberBand;
class QStackedBarSeries;
class QValueAxis;

namespace loadlens::ui {

class EventTimelineModel;

class TimelineChartView final : public QChartView {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(TimelineChartView)

public:
    explicit TimelineChartView(EventTimelineModel *model, QWidget *parent = nullptr);

    QStackedBarSeries *series() const { return m_series; }
    // The time under a view x coordinate, clamped to the charted range.
    qint64 timeAt(int viewX) const;

signals:
    void segmentClicked(int row, int series);
    void rangeRequested(qint64 fromUs, qint64 toUs);

protected:
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;

private:
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
};

} // namespace loadlens::ui
