#include "scanviews.h"

#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "tableviews.h"

#include <QHeaderView>
#include <QTreeView>

namespace loadlens::ui {

QTreeView *makeProcessTreeView(QAbstractItemModel *model)
{
    auto *view = makeTableView(model);
    view->setRootIsDecorated(true);
    view->setSortingEnabled(true);
    view->sortByColumn(ProcessTreeModel::PidColumn, Qt::AscendingOrder);
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(ProcessTreeModel::NameColumn, QHeaderView::Stretch);
    return view;
}

QTreeView *makeModuleTableView(QAbstractItemModel *model)
{
    auto *view = makeTableView(model);
    view->setSortingEnabled(true);
    view->sortByColumn(ModuleTableModel::VerdictColumn, Qt::DescendingOrder);
    view->header()->setStretchLastSection(false);
    view->header()->setSectionResizeMode(ModuleTableModel::PathColumn, QHeaderView::Stretch);
    return view;
}

} // namespace loadlens::ui
