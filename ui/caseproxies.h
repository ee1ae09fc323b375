#pragma once
// One proxy per filtering need of the Case tab: snapshots by host, diff rows by scope, stacked
// modules by host count ("rare: on at most N hosts") and text. All sort on the SortRole.
#include <QSortFilterProxyModel>

namespace loadlens::ui {

class SnapshotFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnapshotFilterProxy)

public:
    explicit SnapshotFilterProxy(QObject *parent = nullptr);
    // Case-insensitive substring of the host name.
    void setHostFilter(const QString &text);
    QString hostFilter() const { return m_host; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_host;
};

class DiffFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DiffFilterProxy)

public:
    explicit DiffFilterProxy(QObject *parent = nullptr);
    // Per-executable module changes repeat the host-wide ones for every process; hidden by default.
    void setShowProcessChanges(bool show);
    bool showProcessChanges() const { return m_showProcessChanges; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    bool m_showProcessChanges = false;
};

class StackFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StackFilterProxy)

public:
    explicit StackFilterProxy(QObject *parent = nullptr);
    // Only modules seen on at most `hosts` hosts; 0 = no limit.
    void setMaxHosts(int hosts);
    int maxHosts() const { return m_maxHosts; }
    // Case-insensitive substring of the module path or name.
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_text; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    int m_maxHosts = 0;
    QString m_text;
};

} // namespace loadlens::ui
