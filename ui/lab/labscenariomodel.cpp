#include "lab/labscenariomodel.h"

#include "lab/lab_catalog.h"
#include "qtstrings.h"

namespace loadlens::ui {

LabScenarioModel::LabScenarioModel(QObject *parent) : QAbstractTableModel(parent) {}

int LabScenarioModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(lab::catalogue().size());
}

int LabScenarioModel::columnCount(const QModelIndex &parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant LabScenarioModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &s = lab::catalogue().at(static_cast<std::size_t>(index.row()));
    const QString name = toQString(s.name);
    const int pid = m_running.value(name, 0);
    switch (role) {
    case NameRole:
        return name;
    case PidRole:
        return pid;
    case SortRole:
        if (index.column() == StatusColumn)
            return pid;
        [[fallthrough]];
    case Qt::DisplayRole:
        switch (index.column()) {
        case TitleColumn:
            return toQString(s.title);
        case TechniqueColumn:
            return toQString(s.technique.substr(0, s.technique.find(' ')));
        case StatusColumn:
            return pid ? QStringLiteral("running (pid %1)").arg(pid) : QStringLiteral("stopped");
        }
        break;
    case Qt::ToolTipRole:
        return toQString(s.technique);
    }
    return {};
}

QVariant LabScenarioModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TitleColumn:
        return QStringLiteral("Scenario");
    case TechniqueColumn:
        return QStringLiteral("Technique");
    case StatusColumn:
        return QStringLiteral("Status");
    }
    return {};
}

void LabScenarioModel::setRunning(const QHash<QString, int> &running)
{
    if (running == m_running)
        return;
    m_running = running;
    if (rowCount() > 0)
        emit dataChanged(index(0, StatusColumn), index(rowCount() - 1, StatusColumn));
}

QString LabScenarioModel::nameAt(int row) const
{
    if (row < 0 || row >= rowCount())
        return {};
    return toQString(lab::catalogue().at(static_cast<std::size_t>(row)).name);
}

} // namespace loadlens::ui
