#pragma once
// The Windows tab: the offline DLL hijacking triage of a collected Windows image (a mounted
// volume, a triage collection, a Wine prefix; core/wintriage), run off the GUI thread. A
// summary line, the M1044 posture checks, the findings and the executables with the selected
// one's DLL resolution; the selected finding's title, evidence, ATT&CK technique and M1044
// measure in the verdict details pane. What the triage stepped over is listed, not hidden.
#include "wintriage/triage.h"

#include <QWidget>

#include <memory>

class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QSortFilterProxyModel;
class QTreeView;

namespace loadlens::ui {

class VerdictDetailsView;
class WindowsExecutableModel;
class WindowsFindingModel;
class WindowsPostureModel;
class WindowsResolutionModel;
class WindowsTriageController;

class WindowsTab final : public QWidget {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WindowsTab)

public:
    explicit WindowsTab(QWidget *parent = nullptr);
    ~WindowsTab() override;

    // The HijackLibs yml/ directory the triage reads (empty: none), as for imports.
    void setHijackLibsDirectory(const QString &directory) { m_hijackLibsDirectory = directory; }

    // Authenticode for the triage: the trust store that anchors signature chains (a PEM/DER
    // file or a directory of them) and a collected CatRoot tree. Empty: none (every chain is
    // then unknown). Remembered in QSettings (windows/trustStore, windows/catalogs); the next
    // image opened uses them.
    QString trustStore() const;
    QString catalogsDirectory() const;
    void setTrustStore(const QString &path);
    void setCatalogsDirectory(const QString &directory);
    QLineEdit *trustStoreEdit() const { return m_trustStore; }
    QLineEdit *catalogsEdit() const { return m_catalogs; }

    std::shared_ptr<const wintriage::TriageResult> result() const { return m_result; }
    QString root() const { return m_root; }  // the image shown or being read
    bool isRunning() const;
    QString statusText() const;  // for the main window's status line

    WindowsTriageController *controller() const { return m_controller; }
    WindowsPostureModel *postureModel() const { return m_postureModel; }
    WindowsFindingModel *findingModel() const { return m_findingModel; }
    WindowsExecutableModel *executableModel() const { return m_executableModel; }
    WindowsResolutionModel *resolutionModel() const { return m_resolutionModel; }
    QSortFilterProxyModel *findingProxy() const { return m_findingProxy; }
    QSortFilterProxyModel *executableProxy() const { return m_executableProxy; }
    QTreeView *postureView() const { return m_postureView; }
    QTreeView *findingView() const { return m_findingView; }
    QTreeView *executableView() const { return m_executableView; }
    QTreeView *resolutionView() const { return m_resolutionView; }
    QLineEdit *findingFilter() const { return m_findingFilter; }
    QLineEdit *executableFilter() const { return m_executableFilter; }
    VerdictDetailsView *details() const { return m_details; }
    QLabel *summaryLabel() const { return m_summary; }
    QLabel *problemsLabel() const { return m_problems; }
    QPushButton *cancelButton() const { return m_cancel; }

    // Selects the first finding in display order (the worst, as sorted); false when none.
    bool selectFirstFinding();

public slots:
    // Triage of `root` in the worker; a triage still running is cancelled and its result dropped.
    void openImage(const QString &root);
    void openImageDialog();  // asks for the directory
    void chooseTrustStore();  // asks for a certificate file
    void chooseCatalogsDirectory();
    void cancel();

signals:
    // A triage ended: its result is shown, or the reason it failed is.
    void settled();
    void statusChanged();

private:
    void onStarted(const QString &root);
    void onFinished(std::shared_ptr<const wintriage::TriageResult> result);
    void onFailed(const QString &message);
    void setBusy(bool busy);
    void clearResult();
    void showPlaceholder();
    void showFinding(const QModelIndex &proxyIndex);
    void showExecutable(const QModelIndex &proxyIndex);
    void showPostureCheck(const QModelIndex &index);
    void showResolutionOf(const std::string &executablePath, const std::string &dll);
    QString summaryText() const;
    QWidget *makeSignatureBar();

    WindowsTriageController *m_controller;
    WindowsPostureModel *m_postureModel;
    WindowsFindingModel *m_findingModel;
    WindowsExecutableModel *m_executableModel;
    WindowsResolutionModel *m_resolutionModel;
    QSortFilterProxyModel *m_findingProxy;
    QSortFilterProxyModel *m_executableProxy;
    QTreeView *m_postureView = nullptr;
    QTreeView *m_findingView = nullptr;
    QTreeView *m_executableView = nullptr;
    QTreeView *m_resolutionView = nullptr;
    QLineEdit *m_findingFilter = nullptr;
    QLineEdit *m_executableFilter = nullptr;
    QLineEdit *m_trustStore = nullptr;
    QLineEdit *m_catalogs = nullptr;
    VerdictDetailsView *m_details = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_problems = nullptr;
    QLabel *m_resolutionTitle = nullptr;
    QPushButton *m_open = nullptr;
    QPushButton *m_cancel = nullptr;
    QProgressBar *m_progress = nullptr;
    QString m_root;
    QString m_message;  // why nothing is shown (failed, cancelled), else empty
    bool m_cancelRequested = false;
    QString m_hijackLibsDirectory;
    std::shared_ptr<const wintriage::TriageResult> m_result;
};

} // namespace loadlens::ui
