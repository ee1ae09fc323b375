#pragma once
// Double-click on a stacking row: which hosts and processes of the case load that module (the
// latest snapshot of each host, or every snapshot when the stack counts them all).
#include "analysis/case_queries.h"

#include <QAbstractTableModel>
#include <QDialog>

#include <vector>

class QLabel;
class QTreeView;

namespace loadlens::ui {

class CaseWhoLoadsModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaseWhoLoadsModel)

public:
    enum Column { HostColumn, ScannedAtColumn, PidColumn, ProcessColumn, UserColumn, PathColumn, HashColumn, LevelColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole + 1 };
    Q_ENUM(Column)

    explicit CaseWhoLoadsModel(QObject *parent = nullptr);

    void setHits(std::vector<analysis::CaseWhoLoadsHit> hits);
    const analysis::CaseWhoLoadsHit *hitAt(int row) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    std::vector<analysis::CaseWhoLoadsHit> m_hits;
};

// The hits of analysis::whoLoads that are this stack entry: by hash, the same path and SHA-256;
// by name, a path ending in that file name.
std::vector<analysis::CaseWhoLoadsHit> hitsOfStackEntry(std::vector<analysis::CaseWhoLoadsHit> hits,
                                                        const analysis::StackEntry &entry, analysis::StackBy by);

class StackDrillDownDialog final : public QDialog {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StackDrillDownDialog)

public:
    StackDrillDownDialog(const analysis::StackEntry &entry, std::vector<analysis::CaseWhoLoadsHit> hits,
                         QWidget *parent = nullptr);

    CaseWhoLoadsModel *model() const { return m_model; }
    QTreeView *view() const { return m_view; }

private:
    CaseWhoLoadsModel *m_model;
    QTreeView *m_view;
};

} // namespace loadlens::ui
