#include "scanviews.h"

#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "tableviews.h"
#include "verdictdetails.h"

#include <QAbstractProxyModel>

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

void showSelectionDetails(VerdictDetailsView *details, const QTreeView *moduleView, const QAbstractProxyModel *proxy,
                          const ModuleTableModel *modules, const ProcessInfo *process,
                          const std::vector<Finding> &findings)
{
    const QModelIndex source = proxy->mapToSource(moduleView->currentIndex());
    if (const ModuleRecord *module = source.isValid() ? modules->moduleAt(source.row()) : nullptr)
        details->showModule(*module, modules->factsAt(source.row()));
    else if (process)
        details->showProcess(*process, findings);
    else
        details->showPlaceholder();
}

} // namespace loadlens::ui
