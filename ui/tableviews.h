#pragma once
// The flat table views of the case and event tabs all start alike: rows selected whole,
// alternating colours, paths elided in the middle and other text at the end (columnfit.h).
class QAbstractItemModel;
class QTreeView;

namespace loadlens::ui {

QTreeView *makeTableView(QAbstractItemModel *model);
// The live scan's two views, also used to browse a stored snapshot: the process tree (sorted
// by pid, the name column stretched) and the module table (worst verdict first, path stretched).
QTreeView *makeProcessTreeView(QAbstractItemModel *model);
QTreeView *makeModuleTableView(QAbstractItemModel *model);

} // namespace loadlens::ui
