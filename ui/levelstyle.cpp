#include "levelstyle.h"

#include "qtstrings.h"

#include <QHash>
#include <QImageReader>
#include <QPainter>
#include <QPixmap>

// Q_INIT_RESOURCE must be called outside any namespace; the resources live in this static
// library, so nothing would pull them in otherwise.
static void initLoadLensResources()
{
    Q_INIT_RESOURCE(loadlens);
}

namespace loadlens::ui {

namespace {

bool svgSupported()
{
    static const bool supported = QImageReader::supportedImageFormats().contains("svg");
    return supported;
}

// Without Qt's SVG plugin the resource icons cannot be drawn; a filled disc in the same
// colour keeps levels distinguishable instead of showing nothing.
QIcon paintedDisc(const QColor &fill, const QColor &mark)
{
    QPixmap pixmap(16, 16);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(fill.darker(140));
    painter.setBrush(fill);
    painter.drawEllipse(QRectF(1.5, 1.5, 13, 13));
    painter.setPen(Qt::NoPen);
    painter.setBrush(mark);
    painter.drawEllipse(QRectF(6, 6, 4, 4));
    painter.end();
    return QIcon(pixmap);
}

QIcon resourceIcon(const QString &name, const QColor &fallbackFill, const QColor &fallbackMark)
{
    static QHash<QString, QIcon> cache;
    const auto it = cache.constFind(name);
    if (it != cache.constEnd())
        return *it;
    static const bool initialised = (initLoadLensResources(), true);
    Q_UNUSED(initialised);
    QIcon icon;
    if (svgSupported())
        icon = QIcon(QStringLiteral(":/icons/") + name + QStringLiteral(".svg"));
    if (icon.isNull() || icon.pixmap(16, 16).isNull())
        icon = fallbackFill.isValid() ? paintedDisc(fallbackFill, fallbackMark) : QIcon();
    cache.insert(name, icon);
    return icon;
}

} // namespace

Level checkStatusLevel(std::string_view status)
{
    if (status == "pass")
        return Level::Ok;
    if (status == "fail")
        return Level::High;
    if (status == "unknown")
        return Level::Low;
    return Level::Info;
}

QString levelText(Level level)
{
    const auto name = levelName(level);
    return QString::fromLatin1(name.data(), static_cast<qsizetype>(name.size()));
}

QColor levelBackground(Level level)
{
    switch (level) {
    case Level::Ok: return {};
    case Level::Info: return QColor(0xe3, 0xea, 0xf3);
    case Level::Low: return QColor(0xff, 0xf3, 0xb0);
    case Level::Medium: return QColor(0xff, 0xd5, 0xa0);
    case Level::High: return QColor(0xff, 0xb8, 0xb8);
    }
    return {};
}

QColor levelAccent(Level level)
{
    switch (level) {
    case Level::Ok: return QColor(0x4c, 0xaf, 0x50);
    case Level::Info: return QColor(0x5b, 0x7f, 0xa6);
    case Level::Low: return QColor(0xf2, 0xc2, 0x00);
    case Level::Medium: return QColor(0xf5, 0x7c, 0x00);
    case Level::High: return QColor(0xd3, 0x2f, 0x2f);
    }
    return {};
}

QIcon levelIcon(Level level)
{
    return resourceIcon(QStringLiteral("level-") + levelText(level), levelAccent(level), Qt::white);
}

QVariant levelCellData(Level level, int role)
{
    if (role == Qt::DecorationRole)
        return levelIcon(level);
    if (role == Qt::BackgroundRole && levelBackground(level).isValid())
        return levelBackground(level);
    return {};
}

QIcon appIcon()
{
    return resourceIcon(QStringLiteral("loadlens"), levelAccent(Level::Info), Qt::white);
}

QIcon actionIcon(const QString &name)
{
    return resourceIcon(name, QColor(), QColor());
}

QIcon hiddenProcessIcon()
{
    return resourceIcon(QStringLiteral("process-hidden"), QColor(0x6a, 0x1b, 0x9a), Qt::white);
}

QIcon unreadableProcessIcon()
{
    return resourceIcon(QStringLiteral("process-error"), QColor(0xfb, 0xc0, 0x2d), Qt::black);
}

} // namespace loadlens::ui
