#pragma once
// A stored snapshot browsed in the live scan's own views (the Case tab opens one on a
// double-click or Enter): the process tree with the same filter, the modules of the selected
// process and the verdict details. Read-only: nothing here rescans, signals or changes the case.
#include "store/snapshot_reader.h"

#include <QMainWindow>

#include <map>

class QLabel;
class QLineEdit;
class QTreeView;

namespace loadlens::ui {

class ModuleFilterProxy;
class ModuleTableModel;
class ProcessFilterProxy;
class ProcessTreeModel;
class VerdictDetailsView;
struct ProcessKey;

class SnapshotBrowser final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SnapshotBrowser)

public:
    // `snapshotId` and `casePath` only name the snapshot in the title and header.
    SnapshotBrowser(store::StoredSnapshot snapshot, qint64 snapshotId, const QString &casePath,
                    QWidget *parent = nullptr);
    ~SnapshotBrowser() override;

    const ScanResult &scan() const { return m_snapshot.scan; }
    qint64 snapshotId() const { return m_snapshotId; }
    QString headerText() const;
    ProcessTreeModel *processModel() const { return m_processModel; }
    ProcessFilterProxy *processProxy() const { return m_processProxy; }
    ModuleTableModel *moduleModel() const { return m_moduleModel; }
    QTreeView *processView() const { return m_processView; }
    QTreeView *moduleView() const { return m_moduleView; }
    QLineEdit *processFilter() const { return m_processFilter; }
    VerdictDetailsView *details() const { return m_details; }

    // Selects the process with `pid` (and the first module of its worst verdict); false if absent.
    bool selectProcess(int pid);

private:
    const ProcessInfo *currentProcess() const;
    void updateModules();
    void updateDetails();

    store::StoredSnapshot m_snapshot;
    qint64 m_snapshotId = 0;
    std::map<std::pair<int, std::uint64_t>, std::size_t> m_processIndex;
    ProcessTreeModel *m_processModel;
    ProcessFilterProxy *m_processProxy;
    ModuleTableModel *m_moduleModel;
    ModuleFilterProxy *m_moduleProxy;
    QLabel *m_header = nullptr;
    QLineEdit *m_processFilter = nullptr;
    QLineEdit *m_moduleFilter = nullptr;
    QTreeView *m_processView = nullptr;
    QTreeView *m_moduleView = nullptr;
    VerdictDetailsView *m_details = nullptr;
};

} // namespace loadlens::ui
