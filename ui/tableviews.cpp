#include "tableviews.h"

#include "columnfit.h"

#include <QTreeView>

namespace loadlens::ui {

QTreeView *makeTableView(QAbstractItemModel *model)
{
    auto *view = new QTreeView;
    view->setModel(model);
    view->setRootIsDecorated(false);
    view->setUniformRowHeights(true);
    view->setAlternatingRowColors(true);
    view->setSelectionBehavior(QAbstractItemView::SelectRows);
    view->setSelectionMode(QAbstractItemView::SingleSelection);
    setUpColumnFitting(view);
    return view;
}

} // namespace loadlens::ui
