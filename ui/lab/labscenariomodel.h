#pragma once
// The lab's scenarios as a table: title, technique, and whether (and as which pid) it runs.
#include <QAbstractTableModel>
#include <QHash>

namespace loadlens::ui {

class LabScenarioModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LabScenarioModel)

public:
    enum Column { TitleColumn, TechniqueColumn, StatusColumn, ColumnCount };
    enum Role { NameRole = Qt::UserRole + 1, PidRole, SortRole };

    explicit LabScenarioModel(QObject *parent = nullptr);

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Scenario name -> pid of its victim (absent: not running).
    void setRunning(const QHash<QString, int> &running);
    QString nameAt(int row) const;

private:
    QHash<QString, int> m_running;
};

} // namespace loadlens::ui
