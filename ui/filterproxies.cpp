#include "filterproxies.h"

#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "qtstrings.h"

namespace loadlens::ui {

std::map<ProcessKey, QStringList> processModuleTerms(const ScanResult &scan)
{
    std::map<ProcessKey, QStringList> terms;
    for (const auto &process : scan.processes) {
        QStringList &list = terms[{process.pid, process.startTime}];
        list.reserve(static_cast<qsizetype>(process.modules.size() * 2));
        for (const auto &module : process.modules) {
            list << toQString(module.path);
            if (const auto facts = scan.files.find(module.file); facts != scan.files.end() && !facts->second.sha256.empty())
                list << toQString(facts->second.sha256);
        }
    }
    return terms;
}

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

void ProcessFilterProxy::setModuleTerms(std::map<ProcessKey, QStringList> terms)
{
    m_moduleTerms = std::move(terms);
    if (!m_text.isEmpty() && !m_namesOnly)
        invalidateRowsFilter();
}

void ProcessFilterProxy::setNamesOnly(bool namesOnly)
{
    if (namesOnly == m_namesOnly)
        return;
    m_namesOnly = namesOnly;
    if (!m_text.isEmpty())
        invalidateRowsFilter();
}

void ProcessFilterProxy::setNamespaceFilter(std::optional<QString> key)
{
    if (key == m_namespace)
        return;
    m_namespace = std::move(key);
    invalidateRowsFilter();
}

bool ProcessFilterProxy::modulesMatch(const QModelIndex &name) const
{
    const ProcessKey key{name.data(ProcessTreeModel::PidRole).toInt(),
                         name.data(ProcessTreeModel::StartTimeRole).toULongLong()};
    const auto it = m_moduleTerms.find(key);
    if (it == m_moduleTerms.end())
        return false;
    for (const QString &term : it->second)
        if (term.contains(m_text, Qt::CaseInsensitive))
            return true;
    return false;
}

bool ProcessFilterProxy::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    const QModelIndex name = source->index(sourceRow, ProcessTreeModel::NameColumn, sourceParent);
    if (m_onlyFlagged && !name.data(ProcessTreeModel::FlaggedRole).toBool())
        return false;
    if (m_namespace && name.data(ProcessTreeModel::NamespaceRole).toString() != *m_namespace)
        return false;
    if (m_text.isEmpty())
        return true;
    const QString pid = QString::number(name.data(ProcessTreeModel::PidRole).toInt());
    const QString user = source->index(sourceRow, ProcessTreeModel::UserColumn, sourceParent).data().toString();
    const QString space = source->index(sourceRow, ProcessTreeModel::NamespaceColumn, sourceParent).data().toString();
    return name.data().toString().contains(m_text, Qt::CaseInsensitive)
        || user.contains(m_text, Qt::CaseInsensitive) || pid.startsWith(m_text)
        || space.contains(m_text, Qt::CaseInsensitive)
        || (!m_namesOnly && modulesMatch(name));
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
