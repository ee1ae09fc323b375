#include "timelinechart.h"

#include "eventmodels.h"
#include "formatting.h"
#include "qtstrings.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QDateTime>
#include <QMouseEvent>
#include <QPainter>
#include <QRubberBand>
#include <QSet>
#include <QStackedBarSeries>
#include <QTimeZone>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>
#include <optional>

namespace loadlens::ui {

namespace {

constexpr int kDragThreshold = 8;  // pixels; less is a click
constexpr double kMinSpanUs = 10.0 * 1'000'000;
constexpr int kMarkerReach = 5;  // pixels either side of a marker line that still hit it
constexpr int kFlagSize = 7;

} // namespace

TimelineChartView::TimelineChartView(EventTimelineModel *model, QWidget *parent)
    : QChartView(parent)
    , m_model(model)
{
    auto *chart = new QChart;
    chart->setAnimationOptions(QChart::NoAnimation);
    chart->legend()->setAlignment(Qt::AlignBottom);
    chart->setMargins(QMargins(4, 4, 4, 4));
    setChart(chart);
    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::NoRubberBand);  // the band is ours: it re-queries instead of scaling
    m_band = new QRubberBand(QRubberBand::Rectangle, this);
    setMinimumHeight(220);
    setMouseTracking(true);  // snapshot markers explain themselves on hover
    connect(m_model, &QAbstractItemModel::modelReset, this, &TimelineChartView::rebuild);
    rebuild();
}

QString TimelineChartView::bucketLabel(int row) const
{
    const auto previous = row > 0 ? std::optional<std::int64_t>(m_model->bucketStartUs(row - 1)) : std::nullopt;
    return toQString(eventstats::bucketLabel(m_model->width(), m_model->bucketStartUs(row), previous));
}

QString TimelineChartView::segmentToolTip(int row, int series) const
{
    const auto s = static_cast<EventTimelineModel::Series>(series);
    const std::uint64_t count = m_model->count(row, s);
    return QStringLiteral("%1 event(s): %2\nfrom %3\nto %4 (UTC, end excluded)\nclick to list these events")
        .arg(count)
        .arg(EventTimelineModel::seriesName(s), toQString(eventstats::utcText(m_model->bucketStartUs(row))),
             toQString(eventstats::utcText(m_model->bucketEndUs(row))));
}

YAxisTicks TimelineChartView::yAxisTicks(std::uint64_t highest)
{
    // Whole-number steps of 1, 2 or 5 times a power of ten, at most about 8 intervals.
    std::uint64_t step = 1;
    for (std::uint64_t magnitude = 1;; magnitude *= 10) {
        const std::uint64_t candidates[] = {magnitude, 2 * magnitude, 5 * magnitude};
        bool found = false;
        for (const std::uint64_t candidate : candidates) {
            if ((highest + candidate - 1) / candidate <= 8) {
                step = candidate;
                found = true;
                break;
            }
        }
        if (found || magnitude > highest)
            break;
    }
    const std::uint64_t top = std::max<std::uint64_t>(1, (highest + step - 1) / step) * step;
    return {top, static_cast<int>(top / step) + 1};
}

void TimelineChartView::rebuild()
{
    QChart *c = chart();
    c->removeAllSeries();
    for (QAbstractAxis *axis : c->axes())
        c->removeAxis(axis);
    delete m_axisX;
    delete m_axisY;

    m_series = new QStackedBarSeries;
    m_series->setBarWidth(0.9);
    for (int s = 0; s < EventTimelineModel::SeriesCount; ++s) {
        const auto series = static_cast<EventTimelineModel::Series>(s);
        auto *set = new QBarSet(EventTimelineModel::seriesName(series));
        set->setColor(EventTimelineModel::seriesColor(series));
        set->setBorderColor(EventTimelineModel::seriesColor(series).darker(130));
        for (int row = 0; row < m_model->rowCount(); ++row)
            set->append(static_cast<qreal>(m_model->count(row, series)));
        connect(set, &QBarSet::clicked, this, [this, s](int row) { emit segmentClicked(row, s); });
        connect(set, &QBarSet::hovered, this, [this, s](bool on, int row) {
            if (!on) {
                QToolTip::hideText();
                return;
            }
            QToolTip::showText(QCursor::pos(), segmentToolTip(row, s), this);
        });
        m_series->append(set);
    }
    c->addSeries(m_series);

    QStringList categories;
    QSet<QString> seen;
    for (int row = 0; row < m_model->rowCount(); ++row) {
        QString label = bucketLabel(row);
        if (seen.contains(label))
            label = timeTextUs(m_model->bucketStartUs(row));  // categories must be unique
        seen.insert(label);
        categories << label;
    }
    m_axisX = new QBarCategoryAxis;
    m_axisX->append(categories);
    m_axisX->setLabelsAngle(-60);
    QFont small = m_axisX->labelsFont();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() - 1.5));
    m_axisX->setLabelsFont(small);
    m_axisY = new QValueAxis;
    m_axisY->setLabelFormat(QStringLiteral("%d"));
    const YAxisTicks ticks = yAxisTicks(m_model->maxStackHeight());
    m_axisY->setRange(0, static_cast<double>(ticks.top));
    m_axisY->setTickType(QValueAxis::TicksFixed);
    m_axisY->setTickCount(ticks.count);
    m_axisY->setMinorTickCount(0);
    c->addAxis(m_axisX, Qt::AlignBottom);
    c->addAxis(m_axisY, Qt::AlignLeft);
    m_series->attachAxis(m_axisX);
    m_series->attachAxis(m_axisY);

    const QString widthText = toQString(eventstats::bucketWidthText(m_model->width()));
    c->setTitle(m_model->rowCount() == 0
                    ? QStringLiteral("No events in this case yet: File \u203a Import\u2026")
                    : QStringLiteral("Image loads, DLL/EXE drops, auditd events and snapshots per %1 (UTC) \u2014 wheel or drag to zoom, right-drag to pan")
                          .arg(widthText));
}

void TimelineChartView::setSnapshotMarkers(std::vector<SnapshotMarker> markers)
{
    m_markers = std::move(markers);
    viewport()->update();
}

std::optional<double> TimelineChartView::sceneXOf(qint64 timeUs) const
{
    const int rows = m_model->rowCount();
    if (rows == 0 || timeUs < m_model->bucketStartUs(0) || timeUs >= m_model->bucketEndUs(rows - 1))
        return std::nullopt;
    int lo = 0, hi = rows - 1;
    while (lo < hi) {
        const int mid = (lo + hi + 1) / 2;
        if (m_model->bucketStartUs(mid) <= timeUs)
            lo = mid;
        else
            hi = mid - 1;
    }
    const double start = static_cast<double>(m_model->bucketStartUs(lo));
    const double end = static_cast<double>(m_model->bucketEndUs(lo));
    const double fraction = end > start ? (static_cast<double>(timeUs) - start) / (end - start) : 0.0;
    // The category axis gives every bucket the same width, bucket i from left + i * width.
    const QRectF plot = chart()->plotArea();
    const double width = plot.width() / rows;
    return chart()->mapToScene(QPointF(plot.left() + (lo + fraction) * width, 0)).x();
}

std::optional<QPoint> TimelineChartView::markerPosition(std::size_t index) const
{
    if (index >= m_markers.size())
        return std::nullopt;
    const auto x = sceneXOf(m_markers[index].timeUs);
    if (!x)
        return std::nullopt;
    const double top = chart()->mapToScene(chart()->plotArea().topLeft()).y();
    return mapFromScene(QPointF(*x, top));
}

std::optional<std::size_t> TimelineChartView::markerAt(const QPoint &viewPos) const
{
    const QRectF plot = chart()->plotArea();
    const int top = mapFromScene(chart()->mapToScene(plot.topLeft())).y() - 2 * kFlagSize;
    const int bottom = mapFromScene(chart()->mapToScene(plot.bottomLeft())).y();
    if (viewPos.y() < top || viewPos.y() > bottom)
        return std::nullopt;
    std::optional<std::size_t> best;
    int bestDistance = kMarkerReach + 1;
    for (std::size_t i = 0; i < m_markers.size(); ++i) {
        const auto at = markerPosition(i);
        if (!at)
            continue;
        const int distance = std::abs(at->x() - viewPos.x());
        if (distance < bestDistance) {
            bestDistance = distance;
            best = i;
        }
    }
    return best;
}

QString TimelineChartView::markerToolTip(std::size_t index) const
{
    if (index >= m_markers.size())
        return {};
    const SnapshotMarker &m = m_markers[index];
    return QStringLiteral("Snapshot %1 of %2\nscanned %3 (UTC)\n%4 high module(s), %5 host finding(s)\nclick to open it in "
                          "the Case tab")
        .arg(m.id)
        .arg(m.host, toQString(eventstats::utcText(m.timeUs)))
        .arg(m.highModules)
        .arg(m.findings);
}

void TimelineChartView::drawForeground(QPainter *painter, const QRectF &rect)
{
    QChartView::drawForeground(painter, rect);
    if (m_markers.empty() || m_model->rowCount() == 0)
        return;
    const QRectF plot = chart()->mapRectToScene(chart()->plotArea());
    const QColor color = EventTimelineModel::seriesColor(EventTimelineModel::SnapshotSeries);
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing);
    for (const auto &marker : m_markers) {
        const auto x = sceneXOf(marker.timeUs);
        if (!x)
            continue;
        painter->setPen(QPen(color, 1.5, Qt::DashLine));
        painter->drawLine(QPointF(*x, plot.top()), QPointF(*x, plot.bottom()));
        // A flag on top: high verdicts make it red.
        const QColor flag = marker.highModules + marker.findings > 0 ? QColor(0xc6, 0x28, 0x28) : color;
        painter->setPen(QPen(flag.darker(130), 1));
        painter->setBrush(flag);
        const QPointF tip(*x, plot.top());
        const QPointF flagPoints[] = {tip, QPointF(*x, tip.y() - 2 * kFlagSize),
                                      QPointF(*x + 1.5 * kFlagSize, tip.y() - 1.5 * kFlagSize)};
        painter->drawPolygon(flagPoints, 3);
    }
    painter->restore();
}

qint64 TimelineChartView::timeAt(int viewX) const
{
    const int rows = m_model->rowCount();
    if (rows == 0)
        return m_model->fromUs();
    const QRectF plot = chart()->plotArea();
    const QPointF chartPoint = chart()->mapFromScene(mapToScene(QPoint(viewX, 0)));
    const double fraction = plot.width() > 0 ? std::clamp((chartPoint.x() - plot.left()) / plot.width(), 0.0, 1.0) : 0.0;
    const double first = static_cast<double>(m_model->bucketStartUs(0));
    const double last = static_cast<double>(m_model->bucketEndUs(rows - 1));
    return static_cast<qint64>(first + fraction * (last - first));
}

void TimelineChartView::requestSpan(double fromUs, double toUs)
{
    if (toUs - fromUs < kMinSpanUs) {
        const double middle = (fromUs + toUs) / 2;
        fromUs = middle - kMinSpanUs / 2;
        toUs = middle + kMinSpanUs / 2;
    }
    emit rangeRequested(static_cast<qint64>(std::floor(fromUs)), static_cast<qint64>(std::ceil(toUs)));
}

void TimelineChartView::wheelEvent(QWheelEvent *event)
{
    const int steps = event->angleDelta().y() / 120;
    if (steps == 0 || m_model->rowCount() == 0) {
        event->ignore();
        return;
    }
    const double anchor = static_cast<double>(timeAt(static_cast<int>(event->position().x())));
    const double factor = std::pow(steps > 0 ? 0.5 : 2.0, std::abs(steps));
    const double from = static_cast<double>(m_model->fromUs());
    const double to = static_cast<double>(m_model->toUs());
    requestSpan(anchor - (anchor - from) * factor, anchor + (to - anchor) * factor);
    event->accept();
}

void TimelineChartView::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        if (const auto marker = markerAt(event->pos())) {
            emit snapshotClicked(m_markers[*marker].id);
            event->accept();
            return;
        }
    }
    m_pressPos = event->pos();
    m_dragButton = event->button();
    m_dragging = false;
    QChartView::mousePressEvent(event);
}

void TimelineChartView::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragButton != Qt::NoButton && (event->pos() - m_pressPos).manhattanLength() > kDragThreshold)
        m_dragging = true;
    if (m_dragging && m_dragButton == Qt::LeftButton) {
        m_band->setGeometry(QRect(QPoint(m_pressPos.x(), 0), QPoint(event->pos().x(), height())).normalized());
        m_band->show();
    } else if (m_dragButton == Qt::NoButton) {
        if (const auto marker = markerAt(event->pos())) {
            QToolTip::showText(event->globalPosition().toPoint(), markerToolTip(*marker), this);
            setCursor(Qt::PointingHandCursor);
            return;
        }
        unsetCursor();
    }
    QChartView::mouseMoveEvent(event);
}

void TimelineChartView::mouseReleaseEvent(QMouseEvent *event)
{
    const bool dragged = m_dragging;
    const Qt::MouseButton button = m_dragButton;
    m_dragging = false;
    m_dragButton = Qt::NoButton;
    m_band->hide();
    if (!dragged) {
        QChartView::mouseReleaseEvent(event);  // a click: the bar set reports it
        return;
    }
    const double a = static_cast<double>(timeAt(m_pressPos.x()));
    const double b = static_cast<double>(timeAt(event->pos().x()));
    if (button == Qt::LeftButton) {
        requestSpan(std::min(a, b), std::max(a, b));
    } else if (button == Qt::RightButton) {
        const double shift = a - b;  // drag right = look earlier
        requestSpan(static_cast<double>(m_model->fromUs()) + shift, static_cast<double>(m_model->toUs()) + shift);
    }
    event->accept();
}

} // namespace loadlens::ui
