#pragma once
// One proxy per filtering need: processes by name/pid/user and "only flagged"; modules by path
// and "only flagged". Both sort on the source model's SortRole (raw numbers, levels).
#include "processtreemodel.h"

#include <QSortFilterProxyModel>
#include <QStringList>

#include <map>
#include <optional>

namespace loadlens::ui {

// The module paths and SHA-256 digests of each process of a scan, for ProcessFilterProxy.
std::map<ProcessKey, QStringList> processModuleTerms(const ScanResult &scan);

class ProcessFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProcessFilterProxy)

public:
    explicit ProcessFilterProxy(QObject *parent = nullptr);

    // Case-insensitive substring of the name or user, or the start of the pid; unless names
    // only, also of any module path or SHA-256 of the process ("libevil" finds who loads it).
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_text; }
    // What the text is also matched against: each process's module paths and hashes.
    void setModuleTerms(std::map<ProcessKey, QStringList> terms);
    void setNamesOnly(bool namesOnly);
    bool namesOnly() const { return m_namesOnly; }
    // Only processes whose worst verdict is above info; their ancestors stay for context.
    void setOnlyFlagged(bool onlyFlagged);
    bool onlyFlagged() const { return m_onlyFlagged; }
    // Only the processes of one mount namespace (ProcessTreeModel::namespaceKey: "" is
    // LoadLens's own); nullopt: all. Their ancestors stay for context.
    void setNamespaceFilter(std::optional<QString> key);
    std::optional<QString> namespaceFilter() const { return m_namespace; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool modulesMatch(const QModelIndex &name) const;
    std::optional<QString> m_namespace;

    QString m_text;
    bool m_onlyFlagged = false;
    bool m_namesOnly = false;
    std::map<ProcessKey, QStringList> m_moduleTerms;
};

class ModuleFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModuleFilterProxy)

public:
    explicit ModuleFilterProxy(QObject *parent = nullptr);

    // Case-insensitive substring of the module path.
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_text; }
    // Only modules whose verdict is above info.
    void setOnlyFlagged(bool onlyFlagged);
    bool onlyFlagged() const { return m_onlyFlagged; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    bool m_onlyFlagged = false;
};

} // namespace loadlens::ui
