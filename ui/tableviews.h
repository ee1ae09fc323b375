#pragma once
// The flat table views of the case and event tabs all start alike: rows selected whole,
// alternating colours, long paths elided on the left where the file name is.
class QAbstractItemModel;
class QTreeView;

namespace loadlens::ui {

QTreeView *makeTableView(QAbstractItemModel *model);

} // namespace loadlens::ui
