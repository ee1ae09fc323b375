#pragma once
// The live scan's two views, also used to browse a stored snapshot: the process tree (sorted
// by pid, the name column stretched) and the module table (worst verdict first, path stretched).
#include "common/types.h"

#include <vector>

class QAbstractItemModel;
class QAbstractProxyModel;
class QTreeView;

namespace loadlens::ui {

class ModuleTableModel;
class VerdictDetailsView;

QTreeView *makeProcessTreeView(QAbstractItemModel *model);
QTreeView *makeModuleTableView(QAbstractItemModel *model);

// The details pane follows the selection: the current module of `moduleView` (over `proxy` of
// `modules`), else `process` with its findings, else the placeholder.
void showSelectionDetails(VerdictDetailsView *details, const QTreeView *moduleView, const QAbstractProxyModel *proxy,
                          const ModuleTableModel *modules, const ProcessInfo *process,
                          const std::vector<Finding> &findings);

} // namespace loadlens::ui
