#pragma once
// The Case tab: the snapshots of every host in the case; two selected snapshots are diffed
// (modules, findings, loader configuration); modules are stacked across hosts, rarest first.
// Queries run off the GUI thread in stages: the snapshot list first, then the stack; a diff
// shows its two summaries before its table.
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTreeView;

namespace loadlens::ui {

class CaseQueryRunner;
class DiffFilterProxy;
class SnapshotBrowser;
class SnapshotDiffModel;
class SnapshotFilterProxy;
class SnapshotTableModel;
class StackFilterProxy;
class StackTableModel;

class CaseTab final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CaseTab)

public:
    explicit CaseTab(QWidget *parent = nullptr);
    ~CaseTab() override;

    void setCasePath(const QString &path);  // and reload

    // Selects two snapshots in the hosts view, which diffs them (older first).
    bool selectSnapshots(qint64 first, qint64 second);
    // Selects one snapshot in the hosts view and scrolls to it (false when it is not listed, for
    // instance hidden by the filter).
    bool selectSnapshot(qint64 snapshotId);
    // The two newest snapshots of the host with most snapshots (for a first look and screenshots).
    bool selectNewestPair();

    SnapshotTableModel *snapshotModel() const { return m_snapshots; }
    SnapshotDiffModel *diffModel() const { return m_diff; }
    StackTableModel *stackModel() const { return m_stack; }
    StackFilterProxy *stackProxy() const { return m_stackProxy; }
    QTreeView *hostsView() const { return m_hostsView; }
    QTreeView *diffView() const { return m_diffView; }
    QTreeView *stackView() const { return m_stackView; }
    CaseQueryRunner *runner() const { return m_runner; }
    QString diffSummaryText() const;
    // Reads snapshot `snapshotId` off the GUI thread and opens it in a SnapshotBrowser window.
    void browseSnapshot(qint64 snapshotId);

public slots:
    void reload();

signals:
    void settled();
    void queryFailed(const QString &message);
    void snapshotBrowserOpened(loadlens::ui::SnapshotBrowser *browser);

private:
    QWidget *createHostsPane();
    QWidget *createDiffPane();
    QWidget *createStackPane();
    void onSelectionChanged();
    void queryDiff(qint64 before, qint64 after);
    void clearDiff();
    void queryStack();
    void onQueryDone();

    CaseQueryRunner *m_runner;
    SnapshotTableModel *m_snapshots;
    SnapshotFilterProxy *m_snapshotProxy;
    SnapshotDiffModel *m_diff;
    DiffFilterProxy *m_diffProxy;
    StackTableModel *m_stack;
    StackFilterProxy *m_stackProxy;
    QTreeView *m_hostsView = nullptr;
    QTreeView *m_diffView = nullptr;
    QTreeView *m_stackView = nullptr;
    QLabel *m_caseSummary = nullptr;
    QLabel *m_diffSummary = nullptr;
    QLabel *m_stackSummary = nullptr;
    QComboBox *m_stackBy = nullptr;
    QSpinBox *m_rareHosts = nullptr;
    QCheckBox *m_allSnapshots = nullptr;
    QLineEdit *m_stackFilter = nullptr;
    std::optional<std::pair<qint64, qint64>> m_diffed;
};

} // namespace loadlens::ui
