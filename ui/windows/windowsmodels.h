#pragma once
// A Windows triage result (core/wintriage) as table models: the M1044 posture checks, the
// findings, the executables and one executable's DLL resolution. They only show what the core
// decided: levels and statuses come from the triage; an executable's worst level is the worst
// of the levels the triage gave its findings.
#include "common/types.h"
#include "wintriage/triage.h"

#include <QAbstractTableModel>

#include <memory>
#include <optional>
#include <vector>

namespace loadlens::ui {

// The level the triage wrote ("high", ...); info for a name the core does not know.
Level windowsFindingLevel(const wintriage::Finding &finding);

// Shared by the four models: rows of one kind of struct, sorted on SortRole.
class WindowsTableModel : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowsTableModel)

public:
    enum Role {
        SortRole = Qt::UserRole + 1,  // raw numbers and levels, so that sorting is not by text
        LevelRole,                    // int(Level) of the row (status level for posture checks)
    };
    Q_ENUM(Role)

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

protected:
    explicit WindowsTableModel(QStringList headers, QObject *parent);
    virtual int rows() const = 0;
    virtual QString text(int row, int column) const = 0;
    virtual QVariant sortValue(int row, int column) const { return text(row, column); }
    // The row's level and the column that shows it (-1: none).
    virtual std::optional<Level> level(int row) const = 0;
    virtual int levelColumn() const { return -1; }

private:
    QStringList m_headers;
};

class WindowsPostureModel final : public WindowsTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowsPostureModel)

public:
    enum Column { StatusColumn, TitleColumn, EvidenceColumn, RemediationColumn, ColumnCount };
    Q_ENUM(Column)

    explicit WindowsPostureModel(QObject *parent = nullptr);
    void setChecks(std::vector<wintriage::PostureCheck> checks);
    const wintriage::PostureCheck *checkAt(int row) const;

protected:
    int rows() const override { return static_cast<int>(m_checks.size()); }
    QString text(int row, int column) const override;
    QVariant sortValue(int row, int column) const override;
    std::optional<Level> level(int row) const override;
    int levelColumn() const override { return StatusColumn; }

private:
    std::vector<wintriage::PostureCheck> m_checks;
};

class WindowsFindingModel final : public WindowsTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowsFindingModel)

public:
    enum Column { LevelColumn, CodeColumn, ExecutableColumn, DllColumn, TitleColumn, ColumnCount };
    Q_ENUM(Column)

    explicit WindowsFindingModel(QObject *parent = nullptr);
    void setFindings(std::vector<wintriage::Finding> findings);
    const wintriage::Finding *findingAt(int row) const;

protected:
    int rows() const override { return static_cast<int>(m_findings.size()); }
    QString text(int row, int column) const override;
    QVariant sortValue(int row, int column) const override;
    std::optional<Level> level(int row) const override;
    int levelColumn() const override { return LevelColumn; }

private:
    std::vector<wintriage::Finding> m_findings;
};

class WindowsExecutableModel final : public WindowsTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowsExecutableModel)

public:
    enum Column { PathColumn, BitsColumn, SignatureColumn, SignerColumn, DllsColumn, WorstColumn, ColumnCount };
    Q_ENUM(Column)

    explicit WindowsExecutableModel(QObject *parent = nullptr);
    // `findings` give each executable its worst level (those whose executable is its path).
    void setExecutables(std::vector<wintriage::Executable> executables, const std::vector<wintriage::Finding> &findings);
    const wintriage::Executable *executableAt(int row) const;
    int rowOf(const std::string &path) const;  // -1 when not listed

protected:
    int rows() const override { return static_cast<int>(m_executables.size()); }
    QString text(int row, int column) const override;
    QVariant sortValue(int row, int column) const override;
    std::optional<Level> level(int row) const override;
    int levelColumn() const override { return WorstColumn; }

private:
    std::vector<wintriage::Executable> m_executables;
    std::vector<std::optional<Level>> m_worst;  // none: no finding
};

class WindowsResolutionModel final : public WindowsTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowsResolutionModel)

public:
    enum Column { DllColumn, DelayedColumn, HowColumn, PathColumn, AlsoInColumn, ColumnCount };
    Q_ENUM(Column)

    explicit WindowsResolutionModel(QObject *parent = nullptr);
    void setResolutions(std::vector<wintriage::DllResolution> resolutions);
    const wintriage::DllResolution *resolutionAt(int row) const;
    int rowOf(const std::string &dll) const;  // case-insensitive; -1 when not imported

protected:
    int rows() const override { return static_cast<int>(m_resolutions.size()); }
    QString text(int row, int column) const override;
    std::optional<Level> level(int) const override { return std::nullopt; }

private:
    std::vector<wintriage::DllResolution> m_resolutions;
};

} // namespace loadlens::ui
