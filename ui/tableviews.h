#pragma once
// The flat table views of the case and event tabs all start alike: rows selected whole,
// alternating colours, paths elided in the middle and other text at the end (columnfit.h).
class QAbstractItemModel;
class QTreeView;

namespace loadlens::ui {

QTreeView *makeTableView(QAbstractItemModel *model);

} // namespace loadlens::ui
