#include "timelinechart.h"

#include "eventmodels.h"
#include "formatting.h"

#include <QBarCategoryAxis>
#include <QBarSet>
#include <QDateTime>
#include <QMouseEvent>
#include <QRubberBand>
#include <QSet>
#include <QStackedBarSeries>
#include <QTimeZone>
#include <QToolTip>
#include <QValueAxis>
#include <QWheelEvent>

#include <algorithm>
#include <cmath>

namespace loadlens::ui {

namespace {

constexpr int kDragThreshold = 8;  // pixels; less is a click
constexpr double kMinSpanUs = 10.0 * 1'000'000;

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
    connect(m_model, &QAbstractItemModel::modelReset, this, &TimelineChartView::rebuild);
    rebuild();
}

QString TimelineChartView::bucketLabel(int row) const
{
    const QDateTime start = QDateTime::fromMSecsSinceEpoch(m_model->bucketStartUs(row) / 1000, QTimeZone::utc());
    const std::int64_t width = m_model->bucketSeconds();
    if (width < 60)
        return start.toString(QStringLiteral("HH:mm:ss"));
    if (width < 86400)
        return start.toString(QStringLiteral("MM-dd HH:mm"));
    if (width < 365 * 86400)
        return start.toString(QStringLiteral("yyyy-MM-dd"));
    return start.toString(QStringLiteral("yyyy"));  // a year-long bucket starts on a day that means nothing
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
        connect(set, &QBarSet::hovered, this, [this, series](bool on, int row) {
            if (!on) {
                QToolTip::hideText();
                return;
            }
            QToolTip::showText(QCursor::pos(),
                               QStringLiteral("%1\n%2: %3\nclick to list these events")
                                   .arg(timeTextUs(m_model->bucketStartUs(row)), EventTimelineModel::seriesName(series))
                                   .arg(m_model->count(row, series)),
                               this);
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
    m_axisY->setRange(0, std::max<double>(1.0, static_cast<double>(m_model->maxStackHeight())));
    m_axisY->applyNiceNumbers();
    c->addAxis(m_axisX, Qt::AlignBottom);
    c->addAxis(m_axisY, Qt::AlignLeft);
    m_series->attachAxis(m_axisX);
    m_series->attachAxis(m_axisY);

    const std::int64_t width = m_model->bucketSeconds();
    const QString widthText = width % 86400 == 0 ? QStringLiteral("%1 d").arg(width / 86400)
                            : width % 3600 == 0  ? QStringLiteral("%1 h").arg(width / 3600)
                            : width % 60 == 0    ? QStringLiteral("%1 min").arg(width / 60)
                                                 : QStringLiteral("%1 s").arg(width);
    c->setTitle(m_model->rowCount() == 0
                    ? QStringLiteral("No events in this case yet: File \u203a Import\u2026")
                    : QStringLiteral("Image loads and DLL/EXE drops per %1 (UTC) \u2014 wheel or drag to zoom, right-drag to pan")
                          .arg(widthText));
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
