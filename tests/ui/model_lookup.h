#pragma once
// Finds rows in the views' models the way a user would look for them: by pid, at any depth.
#include "processtreemodel.h"

#include <QAbstractItemModel>

namespace loadlens::testing {

// The row of process `pid` in `model` (a process tree or a proxy over one), searched depth first.
inline QModelIndex findPid(const QAbstractItemModel *model, int pid, const QModelIndex &parent = {})
{
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex index = model->index(row, 0, parent);
        if (index.data(loadlens::ui::ProcessTreeModel::PidRole).toInt() == pid)
            return index;
        if (const QModelIndex found = findPid(model, pid, index); found.isValid())
            return found;
    }
    return {};
}

} // namespace loadlens::testing
