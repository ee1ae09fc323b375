#pragma once
// What the row actions act on, made from the values behind each table (never from displayed,
// elided text): a process or module of a scan, a logged event, a stacked module, a diff change.
#include "rowactions.h"

#include "analysis/case_queries.h"
#include "common/events.h"
#include "common/types.h"

class QAbstractItemModel;
class QModelIndex;

namespace loadlens::ui {

class EventTableModel;
class SnapshotDiffModel;
class StackTableModel;

RowTarget processTarget(const ProcessInfo &process, const ScanResult &scan);
RowTarget moduleTarget(const ModuleRecord &module, const FileFacts *facts);
RowTarget eventTarget(const LoadEvent &event);
RowTarget stackTarget(const analysis::StackEntry &entry, analysis::StackBy by);

// The index in the model under any chain of proxies.
QModelIndex sourceIndexOf(const QModelIndex &index);

// Describers for views that show these models (directly or through proxies).
RowDescriber eventRows(const EventTableModel *model);
RowDescriber stackRows(const StackTableModel *model);
RowDescriber diffRows(const SnapshotDiffModel *model);

} // namespace loadlens::ui
