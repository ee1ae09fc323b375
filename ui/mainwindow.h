#pragma once
// Process Explorer's two panes for loaded code: processes on top, the selected process's
// modules below, and why the selected module got its verdict beside them.
#include "common/types.h"
#include "processtreemodel.h"
#include "scan/scanner.h"

#include <QMainWindow>

#include <functional>
#include <map>
#include <memory>

class QAction;
class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTreeView;

namespace loadlens::ui {

class ModuleFilterProxy;
class ModuleTableModel;
class ProcessFilterProxy;
class ScanController;
class VerdictDetailsView;

class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(scan::ScanOptions options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows a scan result: merged into the current view when it rescans the same host
    // (selection and scroll survive), otherwise as a new data set.
    void applyResult(std::shared_ptr<const ScanResult> result);
    // Selects the first flagged process in display order, else the first with modules, and its
    // first module. Returns false when there is nothing to select.
    bool selectFirstInteresting();
    // Where View > Log reads its lines (the application's in-memory log sink).
    void setLogSource(std::function<QStringList()> source);

    QString statusText() const;
    QTreeView *processView() const { return m_processView; }
    QTreeView *moduleView() const { return m_moduleView; }
    VerdictDetailsView *detailsView() const { return m_details; }
    ScanController *scanController() const { return m_controller; }

public slots:
    void refresh();
    void cancelScan();
    void setOnlyFlagged(bool onlyFlagged);

signals:
    void resultApplied();
    void scanFailed(const QString &message);

private:
    void createActions();
    QWidget *createProcessPane();
    QWidget *createModulePane();
    void createStatusBar();
    void onScanStarted();
    void onScanProgress(qint64 done, qint64 total, const QString &step);
    void onScanFinished(std::shared_ptr<const ScanResult> result);
    void onScanFailed(const QString &message);
    void setScanning(bool scanning);
    void updateModulePane();
    void updateDetails();
    const ProcessInfo *currentProcess() const;
    void fitColumns();
    void showLog();

    scan::ScanOptions m_options;
    ScanController *m_controller = nullptr;
    std::shared_ptr<const ScanResult> m_result;
    std::map<ProcessKey, std::size_t> m_processIndex;

    ProcessTreeModel *m_processModel = nullptr;
    ProcessFilterProxy *m_processProxy = nullptr;
    ModuleTableModel *m_moduleModel = nullptr;
    ModuleFilterProxy *m_moduleProxy = nullptr;

    QTreeView *m_processView = nullptr;
    QTreeView *m_moduleView = nullptr;
    VerdictDetailsView *m_details = nullptr;
    QLineEdit *m_processFilter = nullptr;
    QLineEdit *m_moduleFilter = nullptr;
    QCheckBox *m_onlyFlaggedBox = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_onlyFlaggedAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_logAction = nullptr;
    std::function<QStringList()> m_logSource;
    QLabel *m_statusLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QString m_lastStatus;
};

} // namespace loadlens::ui
