#include "filterproxies.h"

#include "moduletablemodel.h"
#include "processtreemodel.h"

namespace loadlens::ui {

ProcessFilterProxy::ProcessFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ProcessTreeModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setRecursiveFilteringEnabled(true);
    setDynamicSortFilter(true);
}

void ProcessFilterProxy::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateRowsFilter();
}

void ProcessFilterProxy::setOnlyFlagged(bool onlyFlagged)
{
    if (onlyFlagged == m_onlyFlagged)
        return;
    m_onlyFlagged = onlyFlagged;
    invalidateRowsFilter();
}

bool ProcessFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const QModelIndex name = source->index(sourceRow, ProcessTreeModel::NameColumn, sourceParent);
    if (m_onlyFlagged && !name.data(ProcessTreeModel::FlaggedRole).toBool())
        return false;
    if (m_text.isEmpty())
        return true;
    const QString pid = QString::number(name.data(ProcessTreeModel::PidRole).toInt());
    const QString user = source->index(sourceRow, ProcessTreeModel::UserColumn, sourceParent).data().toString();
    return name.data().toString().contains(m_text, Qt::CaseInsensitive)
        || user.contains(m_text, Qt::CaseInsensitive) || pid.startsWith(m_text);
}

ModuleFilterProxy::ModuleFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(ModuleTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void ModuleFilterProxy::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateRowsFilter();
}

void ModuleFilterProxy::setOnlyFlagged(bool onlyFlagged)
{
    if (onlyFlagged == m_onlyFlagged)
        return;
    m_onlyFlagged = onlyFlagged;
    invalidateRowsFilter();
}

bool ModuleFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex path = sourceModel()->index(sourceRow, ModuleTableModel::PathColumn, sourceParent);
    if (m_onlyFlagged && !path.data(ModuleTableModel::FlaggedRole).toBool())
        return false;
    return m_text.isEmpty() || path.data(ModuleTableModel::PathRole).toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace loadlens::ui
