#pragma once
// Process Explorer's two panes for loaded code: processes on top, the selected process's
// modules below, and why the selected module got its verdict beside them.
#include "common/result.h"
#include "common/types.h"
#include "processtreemodel.h"
#include "scan/scanner.h"

#include <QMainWindow>
#include <QPointer>

#include <functional>
#include <map>
#include <memory>

class QAbstractItemView;
class QAction;
class QCheckBox;
class QLabel;
class QLineEdit;
class QComboBox;
class QMenu;
class QProgressBar;
class QPushButton;
class QSplitter;
class QTabWidget;
class QTimer;
class QToolBar;
class QTreeView;

namespace loadlens::ui {

class CaseTab;
class EventsTab;
class HelperScanLauncher;
class ImportController;
class ImportDialog;
class LabTab;
class ModuleFilterProxy;
class PostureTab;
class RowActions;
class ModuleTableModel;
class ProcessFilterProxy;
class ScanController;
class VerdictDetailsView;
class WindowsTab;

class MainWindow final : public QMainWindow {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(scan::ScanOptions options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Shows a scan result: merged into the current view when it rescans the same host
    // (selection and scroll survive), otherwise as a new data set. `administrator`: it came
    // from the administrator helper (every process was readable to it).
    void applyResult(std::shared_ptr<const ScanResult> result, bool administrator = false);
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
    // The administrator scan (Scan > Scan all processes (administrator)); tests set its command.
    HelperScanLauncher *helperLauncher() const { return m_helper; }
    std::shared_ptr<const ScanResult> lastResult() const { return m_result; }

    // Tabs: "processes" (the live view), "case", "events", "posture", "lab", "windows".
    QTabWidget *tabs() const { return m_tabs; }
    bool selectTab(const QString &name);
    static QStringList tabNames();
    CaseTab *caseTab() const { return m_caseTab; }
    EventsTab *eventsTab() const { return m_eventsTab; }
    PostureTab *postureTab() const { return m_postureTab; }
    LabTab *labTab() const { return m_labTab; }
    WindowsTab *windowsTab() const { return m_windowsTab; }
    ImportController *importController() const { return m_importController; }
    // Copy, open folder, who loads, show in Events, details, suspend/resume/kill on every table.
    RowActions *rowActions() const { return m_rowActions; }
    ProcessFilterProxy *processProxy() const { return m_processProxy; }
    QLineEdit *processFilter() const { return m_processFilter; }
    // "All namespaces", "This host", then each other mount namespace or container of the scan.
    QComboBox *namespaceFilter() const { return m_namespaceFilter; }
    // "Who loads this": the live view, filtered to the processes with a module matching `path`.
    void showWhoLoads(const QString &path);

    // Opens (creating it when absent) the case file every case view reads. An Error names the
    // file and the cause; the previous case stays open then.
    Status openCase(const QString &path);
    QString casePath() const { return m_casePath; }
    // File > Open Windows image with this directory (no file dialog): the Windows tab, its
    // triage running (with the HijackLibs directory of the settings, if any).
    void openWindowsImage(const QString &root);
    // File > Import with these files (no file dialog).
    ImportDialog *importFiles(const QStringList &files);
    // The view File > Export current table would export: the last table view that had focus.
    QAbstractItemView *exportableView() const;
    Status exportView(const QAbstractItemView *view, const QString &fileName) const;

public slots:
    void refresh();
    // Scans every process through the helper that runs as root (pkexec); this window does not.
    void scanAsAdministrator();
    void cancelScan();
    void setOnlyFlagged(bool onlyFlagged);
    void openCaseDialog();
    void openServerCaseDialog();
    void openWindowsImageDialog();
    void importDialog();
    void exportCurrentTable();
    void showSettings();
    // The live view, filtered to a lab scenario's victim, rescanned, its flagged module selected.
    void showLabProcess(const QString &scenario, int pid);

signals:
    void caseOpened(const QString &path);
    void resultApplied();
    void scanFailed(const QString &message);

private:
    void updateNamespaceChoices();
    // Application-wide signal: cut before the QWidget part of this window is torn down.
    QMetaObject::Connection m_focusConnection;
    void createActions();
    void createRowActions();  // mainwindow_actions.cpp
    void createFileMenu();
    QWidget *createProcessesTab();
    void addLabTab();
    void addWindowsTab();  // mainwindow_windows.cpp
    void attachWindowsRowActions();
    static QString hijackLibsDirectory();  // the settings' HijackLibs yml/ directory
    void trackFocus(QWidget *now);
    QWidget *createProcessPane();
    QWidget *createModulePane();
    void createStatusBar();
    void onScanStarted();
    void onScanProgress(qint64 done, qint64 total, const QString &step);
    void onScanFinished(std::shared_ptr<const ScanResult> result, bool administrator);
    void onScanFailed(const QString &message);
    void setScanning(bool scanning);
    void updateModulePane();
    void updateDetails();
    const ProcessInfo *currentProcess() const;
    void fitColumns();
    void showLog();
    // The status line speaks of the current tab (mainwindow_status.cpp).
    void followTabsInStatusLine();
    void setLiveStatus(const QString &text);
    void scheduleStatusUpdate();
    QString composeStatus() const;

    scan::ScanOptions m_options;
    ScanController *m_controller = nullptr;
    HelperScanLauncher *m_helper = nullptr;
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
    QComboBox *m_namespaceFilter = nullptr;
    QLineEdit *m_moduleFilter = nullptr;
    QCheckBox *m_onlyFlaggedBox = nullptr;
    QMenu *m_fileMenu = nullptr;
    QAction *m_refreshAction = nullptr;
    QAction *m_administratorAction = nullptr;
    QAction *m_cancelAction = nullptr;
    QAction *m_onlyFlaggedAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_logAction = nullptr;
    std::function<QStringList()> m_logSource;
    QLabel *m_statusLabel = nullptr;
    QProgressBar *m_progress = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QString m_lastStatus;
    QString m_liveStatus;  // the Processes tab's part: scan progress or the last scan's summary
    QTimer *m_statusTimer = nullptr;

    QTabWidget *m_tabs = nullptr;
    QToolBar *m_scanToolBar = nullptr;
    CaseTab *m_caseTab = nullptr;
    EventsTab *m_eventsTab = nullptr;
    PostureTab *m_postureTab = nullptr;
    LabTab *m_labTab = nullptr;
    WindowsTab *m_windowsTab = nullptr;
    ImportController *m_importController = nullptr;
    QString m_casePath;
    QPointer<QAbstractItemView> m_lastTableView;
    RowActions *m_rowActions = nullptr;
    QAction *m_namesOnlyAction = nullptr;
};

} // namespace loadlens::ui
