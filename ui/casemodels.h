#pragma once
// Table models of the Case tab: the snapshots in the case (one row per snapshot, with its
// host; a host known only from imported events gets one row without a snapshot), what changed between two snapshots, and modules stacked across hosts.
#include "analysis/case_queries.h"
#include "analysis/snapshot_diff.h"
#include "eventstats/event_stats.h"

#include <QAbstractTableModel>

#include <map>
#include <vector>

namespace loadlens::ui {

class SnapshotTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnapshotTableModel)

public:
    enum Column {
        HostColumn,
        SnapshotsColumn,  // snapshots of this host in the case
        ScannedAtColumn,
        ProcessesColumn,
        ModulesColumn,
        HighColumn,    // modules with a high verdict in this snapshot
        MediumColumn,  // ... medium
        LowColumn,     // ... low
        InfoColumn,    // ... info
        FindingsColumn,  // host-level findings (hidden process, preload file, ...)
        EventsColumn,    // events imported for this host (Sysmon, auditd)
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,  // raw value: host, counts, unix seconds
        SnapshotIdRole,               // qint64; 0 for a host known only from events
        CompleteRole,                 // bool
    };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit SnapshotTableModel(QObject *parent = nullptr);

    // `eventHosts` adds the event count to each host's snapshots and one row (snapshot id 0)
    // for each host that has events but no snapshot.
    void setSnapshots(std::vector<analysis::SnapshotSummary> snapshots,
                      std::map<std::int64_t, eventstats::LevelCounts> findings,
                      const std::vector<eventstats::EventHost> &eventHosts = {});
    // For a host without snapshot: a summary with id 0 and that host's name.
    const analysis::SnapshotSummary *snapshotAt(int row) const;
    int rowOf(std::int64_t snapshotId) const;  // -1 when absent

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        analysis::SnapshotSummary summary;
        eventstats::LevelCounts findings{};
        int hostSnapshots = 0;
        eventstats::EventHost events;  // events.events == 0: none imported for this host
    };
    QVariant sortData(const Row &row, int column) const;
    QString toolTip(const Row &row, int column) const;
    std::vector<Row> m_rows;
};

// Every change between two snapshots in one list: modules (host-wide and per executable),
// findings and host facts.
class SnapshotDiffModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnapshotDiffModel)

public:
    enum Column { ChangeColumn, ScopeColumn, SubjectColumn, BeforeColumn, AfterColumn, LevelColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,
        LevelRole,  // int(Level)
        KindRole,   // the change kind as text: "module-added", "finding-new", "fact-changed", ...
    };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit SnapshotDiffModel(QObject *parent = nullptr);

    void setDiff(const analysis::SnapshotDiff &diff);
    void clear();

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        QString kind;
        QString change;
        QString scope;
        QString subject;
        QString before;
        QString after;
        Level level = Level::Ok;
        QString beforeExport;  // before/after with full hashes, for exports; empty: as shown
        QString afterExport;
    };
    std::vector<Row> m_rows;
};

class StackTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StackTableModel)

public:
    enum Column { ModuleColumn, HashColumn, HostsColumn, ProcessesColumn, VariantsColumn, LevelColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,
        HostsRole,  // qint64
        LevelRole,  // int(Level)
    };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit StackTableModel(QObject *parent = nullptr);

    void setStack(analysis::StackResult result, analysis::StackBy by);
    const analysis::StackResult &result() const { return m_result; }
    analysis::StackBy by() const { return m_by; }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    analysis::StackResult m_result;
    analysis::StackBy m_by = analysis::StackBy::Hash;
};

} // namespace loadlens::ui
