#include "columnfit.h"

#include <QHeaderView>
#include <QStyle>
#include <QTreeView>

namespace loadlens::ui {

Qt::TextElideMode elideModeFor(const QString &text)
{
    const bool posix = text.startsWith(QLatin1Char('/'));
    const bool windowsDrive = text.size() > 2 && text.at(0).isLetter() && text.at(1) == QLatin1Char(':') &&
                              (text.at(2) == QLatin1Char('\\') || text.at(2) == QLatin1Char('/'));
    const bool unc = text.startsWith(QStringLiteral("\\\\"));
    return posix || windowsDrive || unc ? Qt::ElideMiddle : Qt::ElideRight;
}

ElideByContentDelegate::ElideByContentDelegate(QObject *parent)
    : QStyledItemDelegate(parent)
{
}

Qt::TextElideMode ElideByContentDelegate::elideModeAt(const QModelIndex &index) const
{
    return elideModeFor(index.data(Qt::DisplayRole).toString());
}

void ElideByContentDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    option->textElideMode = elideModeFor(option->text);
}

int headerTitleWidth(const QTreeView *view, int section)
{
    const QHeaderView *header = view->header();
    const QString title = view->model() ? view->model()->headerData(section, Qt::Horizontal).toString() : QString();
    const QStyle *style = header->style();
    const int margin = style->pixelMetric(QStyle::PM_HeaderMargin, nullptr, header);
    // Room for the sort arrow whether or not sorting is on yet: views enable it after set-up.
    const int arrow = style->pixelMetric(QStyle::PM_HeaderMarkSize, nullptr, header) + margin;
    return header->fontMetrics().horizontalAdvance(title) + 2 * margin + arrow + 4;
}

namespace {

void widenToTitles(QTreeView *view)
{
    if (!view->model())
        return;
    QHeaderView *header = view->header();
    for (int section = 0; section < header->count(); ++section) {
        if (header->isSectionHidden(section) || header->sectionResizeMode(section) == QHeaderView::Stretch)
            continue;
        const int needed = headerTitleWidth(view, section);
        if (header->sectionSize(section) < needed)
            header->resizeSection(section, needed);
    }
}

} // namespace

void setUpColumnFitting(QTreeView *view)
{
    view->setItemDelegate(new ElideByContentDelegate(view));
    view->setTextElideMode(Qt::ElideRight);
    widenToTitles(view);
    if (QAbstractItemModel *model = view->model()) {
        QObject::connect(model, &QAbstractItemModel::modelReset, view, [view] { widenToTitles(view); });
        QObject::connect(model, &QAbstractItemModel::headerDataChanged, view, [view] { widenToTitles(view); });
        QObject::connect(view->header(), &QHeaderView::sectionResized, view,
                         [view](int section, int, int size) {
                             // Code that fits columns to their contents may shrink one below its title.
                             const QHeaderView *header = view->header();
                             if (header->sectionResizeMode(section) != QHeaderView::Stretch &&
                                 size < headerTitleWidth(view, section))
                                 QMetaObject::invokeMethod(view, [view] { widenToTitles(view); }, Qt::QueuedConnection);
                         });
    }
}

} // namespace loadlens::ui
