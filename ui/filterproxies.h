#pragma once
// One proxy per filtering need: processes by name/pid/user and "only flagged"; modules by path
// and "only flagged". Both sort on the source model's SortRole (raw numbers, levels).
#include <QSortFilterProxyModel>

namespace loadlens::ui {

class ProcessFilterProxy final : public QSortFilterProxyModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProcessFilterProxy)

public:
    explicit ProcessFilterProxy(QObject *parent = nullptr);

    // Case-insensitive substring of the name or user, or the start of the pid.
    void setTextFilter(const QString &text);
    QString textFilter() const { return m_text; }
    // Only processes whose worst verdict is above info; their ancestors stay for context.
    void setOnlyFlagged(bool onlyFlagged);
    bool onlyFlagged() const { return m_onlyFlagged; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QString m_text;
    bool m_onlyFlagged = false;
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
