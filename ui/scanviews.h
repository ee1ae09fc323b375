#pragma once
// The live scan's two views, also used to browse a stored snapshot: the process tree (sorted
// by pid, the name column stretched) and the module table (worst verdict first, path stretched).
class QAbstractItemModel;
class QTreeView;

namespace loadlens::ui {

QTreeView *makeProcessTreeView(QAbstractItemModel *model);
QTreeView *makeModuleTableView(QAbstractItemModel *model);

} // namespace loadlens::ui
