#include "caseproxies.h"

#include "casemodels.h"

namespace loadlens::ui {

SnapshotFilterProxy::SnapshotFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SnapshotTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void SnapshotFilterProxy::setHostFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_host)
        return;
    m_host = trimmed;
    invalidateRowsFilter();
}

bool SnapshotFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    return m_host.isEmpty()
        || sourceModel()->index(sourceRow, SnapshotTableModel::HostColumn, sourceParent).data().toString().contains(m_host, Qt::CaseInsensitive);
}

DiffFilterProxy::DiffFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(SnapshotDiffModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void DiffFilterProxy::setShowProcessChanges(bool show)
{
    if (show == m_showProcessChanges)
        return;
    m_showProcessChanges = show;
    invalidateRowsFilter();
}

bool DiffFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    if (m_showProcessChanges)
        return true;
    const QModelIndex scope = sourceModel()->index(sourceRow, SnapshotDiffModel::ScopeColumn, sourceParent);
    return !scope.data(SnapshotDiffModel::KindRole).toString().startsWith(QStringLiteral("module-"))
        || scope.data().toString() == QStringLiteral("host");
}

StackFilterProxy::StackFilterProxy(QObject *parent)
    : QSortFilterProxyModel(parent)
{
    setSortRole(StackTableModel::SortRole);
    setSortCaseSensitivity(Qt::CaseInsensitive);
    setDynamicSortFilter(true);
}

void StackFilterProxy::setMaxHosts(int hosts)
{
    hosts = std::max(0, hosts);
    if (hosts == m_maxHosts)
        return;
    m_maxHosts = hosts;
    invalidateRowsFilter();
}

void StackFilterProxy::setTextFilter(const QString &text)
{
    const QString trimmed = text.trimmed();
    if (trimmed == m_text)
        return;
    m_text = trimmed;
    invalidateRowsFilter();
}

bool StackFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QModelIndex module = sourceModel()->index(sourceRow, StackTableModel::ModuleColumn, sourceParent);
    if (m_maxHosts > 0 && module.data(StackTableModel::HostsRole).toLongLong() > m_maxHosts)
        return false;
    return m_text.isEmpty() || module.data().toString().contains(m_text, Qt::CaseInsensitive);
}

} // namespace loadlens::ui
