#include "mainwindow.h"

#include "casetab.h"
#include "eventstab.h"
#include "filterproxies.h"
#include "formatting.h"
#include "helperscan.h"
#include "helpmenu.h"
#include "levelstyle.h"
#include "moduletablemodel.h"
#include "posturetab.h"
#include "scancontroller.h"
#include "scanviews.h"
#include "theme.h"
#include "verdictdetails.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QTabWidget>
#include <QStatusBar>
#include <QToolBar>
#include <QTreeView>
#include <QVBoxLayout>

#include <unistd.h>

namespace loadlens::ui {

MainWindow::MainWindow(scan::ScanOptions options, QWidget *parent)
    : QMainWindow(parent)
    , m_options(std::move(options))
    , m_controller(new ScanController(this))
    , m_helper(new HelperScanLauncher(this))
    , m_processModel(new ProcessTreeModel(this))
    , m_processProxy(new ProcessFilterProxy(this))
    , m_moduleModel(new ModuleTableModel(this))
    , m_moduleProxy(new ModuleFilterProxy(this))
{
    setWindowTitle(QStringLiteral("LoadLens"));
    setWindowIcon(appIcon());
    m_processProxy->setSourceModel(m_processModel);
    m_moduleProxy->setSourceModel(m_moduleModel);

    createFileMenu();
    createActions();

    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(createProcessesTab(), QStringLiteral("Processes"));
    m_caseTab = new CaseTab;
    m_eventsTab = new EventsTab;
    m_postureTab = new PostureTab;
    m_tabs->addTab(m_caseTab, QStringLiteral("Case"));
    m_tabs->addTab(m_eventsTab, QStringLiteral("Events"));
    m_tabs->addTab(m_postureTab, QStringLiteral("Posture"));
    addLabTab();
    addWindowsTab();
    // The posture checks read the whole system: they run when first looked at, not at start.
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        // One toolbar on every tab, so the tab bar stays put; "only flagged" filters the live view.
        m_onlyFlaggedBox->setEnabled(index == 0);
        scheduleStatusUpdate();
        if (m_tabs->widget(index) == m_postureTab && !m_postureTab->hasReport())
            m_postureTab->runChecks();
    });
    setCentralWidget(m_tabs);
    createStatusBar();
    followTabsInStatusLine();
    addHelpMenu(this);
    createRowActions();
    resize(1280, 860);
    m_focusConnection =
        connect(qApp, &QApplication::focusChanged, this, [this](QWidget *, QWidget *now) { trackFocus(now); });

    connect(m_controller, &ScanController::started, this, [this] { onScanStarted(); });
    connect(m_controller, &ScanController::progress, this,
            [this](quint64, qint64 done, qint64 total, const QString &step) { onScanProgress(done, total, step); });
    connect(m_controller, &ScanController::finished, this,
            [this](quint64, std::shared_ptr<const ScanResult> result) { onScanFinished(std::move(result), false); });
    connect(m_controller, &ScanController::failed, this,
            [this](quint64, const QString &message) { onScanFailed(message); });
    // The administrator scan fills the same models through the same steps.
    connect(m_helper, &HelperScanLauncher::started, this, [this] {
        onScanStarted();
        setLiveStatus(QStringLiteral("Scanning as administrator: waiting for authorization…"));
    });
    connect(m_helper, &HelperScanLauncher::progress, this, [this](quint64, qint64 done, qint64 total, const QString &step) {
        onScanProgress(done, total, step);
        setLiveStatus(QStringLiteral("Scanning as administrator: ") + step);
    });
    connect(m_helper, &HelperScanLauncher::finished, this,
            [this](quint64, std::shared_ptr<const ScanResult> result) { onScanFinished(std::move(result), true); });
    connect(m_helper, &HelperScanLauncher::failed, this,
            [this](quint64, const QString &message) { onScanFailed(message); });
}

QWidget *MainWindow::createProcessesTab()
{
    m_details = new VerdictDetailsView(this);
    auto *lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(createModulePane());
    lower->addWidget(m_details);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);
    lower->setSizes({780, 500});

    auto *vertical = new QSplitter(Qt::Vertical);
    vertical->addWidget(createProcessPane());
    vertical->addWidget(lower);
    vertical->setStretchFactor(0, 1);
    vertical->setStretchFactor(1, 1);
    vertical->setSizes({400, 420});
    return vertical;
}

MainWindow::~MainWindow()
{
    // ~QWidget closes the window, which moves the focus and would call back into the half-
    // destroyed MainWindow.
    disconnect(m_focusConnection);
}

void MainWindow::createActions()
{
    m_refreshAction = new QAction(actionIcon(QStringLiteral("refresh")), QStringLiteral("&Refresh"), this);
    m_refreshAction->setShortcut(QKeySequence(Qt::Key_F5));
    m_refreshAction->setToolTip(QStringLiteral("Scan again (F5)"));
    connect(m_refreshAction, &QAction::triggered, this, &MainWindow::refresh);

    m_administratorAction = new QAction(actionIcon(QStringLiteral("scan-admin")),
                                        QStringLiteral("Scan all processes (&administrator)…"), this);
    m_administratorAction->setIconText(QStringLiteral("Scan as administrator"));
    m_administratorAction->setToolTip(
        QStringLiteral("Scan every user's processes with the LoadLens helper running as root: polkit asks for an "
                       "administrator password, this window keeps running as you"));
    connect(m_administratorAction, &QAction::triggered, this, &MainWindow::scanAsAdministrator);

    m_cancelAction = new QAction(actionIcon(QStringLiteral("cancel")), QStringLiteral("&Cancel scan"), this);
    m_cancelAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_cancelAction->setEnabled(false);
    connect(m_cancelAction, &QAction::triggered, this, &MainWindow::cancelScan);

    m_onlyFlaggedAction = new QAction(actionIcon(QStringLiteral("only-flagged")), QStringLiteral("Only &flagged"), this);
    m_onlyFlaggedAction->setCheckable(true);
    m_onlyFlaggedAction->setToolTip(QStringLiteral("Show only modules above info, and the processes that load them"));
    connect(m_onlyFlaggedAction, &QAction::toggled, this, &MainWindow::setOnlyFlagged);

    m_quitAction = new QAction(actionIcon(QStringLiteral("quit")), QStringLiteral("&Quit"), this);
    m_quitAction->setShortcut(QKeySequence::Quit);
    connect(m_quitAction, &QAction::triggered, this, &QWidget::close);

    QMenu *scanMenu = menuBar()->addMenu(QStringLiteral("&Scan"));
    scanMenu->addAction(m_refreshAction);
    scanMenu->addAction(m_administratorAction);
    scanMenu->addAction(m_cancelAction);
    m_fileMenu->addSeparator();
    m_fileMenu->addAction(m_quitAction);
    QMenu *viewMenu = menuBar()->addMenu(QStringLiteral("&View"));
    viewMenu->addAction(m_onlyFlaggedAction);
    m_logAction = viewMenu->addAction(QStringLiteral("&Log\u2026"), this, &MainWindow::showLog);
    m_logAction->setEnabled(false);
    addThemeMenu(viewMenu);

    QToolBar *toolBar = addToolBar(QStringLiteral("Scan"));
    m_scanToolBar = toolBar;
    toolBar->setObjectName(QStringLiteral("scanToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_refreshAction);
    toolBar->addAction(m_administratorAction);
    toolBar->addAction(m_cancelAction);
    toolBar->addSeparator();
    m_onlyFlaggedBox = new QCheckBox(QStringLiteral("Only flagged"));
    m_onlyFlaggedBox->setToolTip(m_onlyFlaggedAction->toolTip());
    connect(m_onlyFlaggedBox, &QCheckBox::toggled, m_onlyFlaggedAction, &QAction::setChecked);
    toolBar->addWidget(m_onlyFlaggedBox);
}

QWidget *MainWindow::createProcessPane()
{
    m_processFilter = new QLineEdit;
    m_processFilter->setPlaceholderText(QStringLiteral("Filter processes by name, pid or user"));
    m_processFilter->setClearButtonEnabled(true);
    connect(m_processFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_processProxy->setTextFilter(text);
        m_processView->expandAll();
    });

    m_namespaceFilter = new QComboBox;
    m_namespaceFilter->setToolTip(QStringLiteral(
        "Show the processes of one mount namespace or container: each is judged against its own root"));
    m_namespaceFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_namespaceFilter, &QComboBox::currentIndexChanged, this, [this](int index) {
        const QVariant key = m_namespaceFilter->itemData(index);
        m_processProxy->setNamespaceFilter(key.isValid() ? std::optional<QString>(key.toString()) : std::nullopt);
        m_processView->expandAll();
    });
    updateNamespaceChoices();

    m_processView = makeProcessTreeView(m_processProxy);
    connect(m_processView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { updateModulePane(); });

    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(4, 4, 4, 0);
    auto *filters = new QHBoxLayout;
    filters->addWidget(m_processFilter, 1);
    filters->addWidget(m_namespaceFilter);
    layout->addLayout(filters);
    layout->addWidget(m_processView);
    return pane;
}

void MainWindow::updateNamespaceChoices()
{
    const QVariant current = m_namespaceFilter->currentData();
    std::map<QString, QString> others;  // key -> label, for the namespaces other than ours
    int own = 0;
    if (m_result) {
        for (const auto &p : m_result->processes) {
            const QString key = ProcessTreeModel::namespaceKey(p);
            if (key.isEmpty()) {
                ++own;
                continue;
            }
            QString &label = others[key];
            if (label.isEmpty() || label.startsWith(QStringLiteral("mnt ")))
                label = ProcessTreeModel::namespaceLabel(p);
        }
    }
    const QSignalBlocker blocker(m_namespaceFilter);
    m_namespaceFilter->clear();
    m_namespaceFilter->addItem(QStringLiteral("All namespaces"));
    m_namespaceFilter->addItem(QStringLiteral("This host's namespace"), QString());
    for (const auto &[key, label] : others)
        m_namespaceFilter->addItem(label == QStringLiteral("mnt ") + key.mid(4) ? label : label + QStringLiteral(" (") + key + QLatin1Char(')'), key);
    const int keep = current.isValid() ? m_namespaceFilter->findData(current) : 0;
    m_namespaceFilter->setCurrentIndex(keep >= 0 ? keep : 0);
    if (keep < 0)
        m_processProxy->setNamespaceFilter(std::nullopt);
    m_namespaceFilter->setEnabled(!others.empty());
}

QWidget *MainWindow::createModulePane()
{
    m_moduleFilter = new QLineEdit;
    m_moduleFilter->setPlaceholderText(QStringLiteral("Filter modules by path"));
    m_moduleFilter->setClearButtonEnabled(true);
    connect(m_moduleFilter, &QLineEdit::textChanged, m_moduleProxy, &ModuleFilterProxy::setTextFilter);

    m_moduleView = makeModuleTableView(m_moduleProxy);
    connect(m_moduleView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this] { updateDetails(); });

    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(4, 4, 0, 0);
    layout->addWidget(m_moduleFilter);
    layout->addWidget(m_moduleView);
    return pane;
}

void MainWindow::createStatusBar()
{
    m_liveStatus = QStringLiteral("No scan yet: press F5");
    m_statusLabel = new QLabel(m_liveStatus);
    m_statusLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress = new QProgressBar;
    m_progress->setMaximumWidth(260);
    m_progress->setVisible(false);
    m_cancelButton = new QPushButton(actionIcon(QStringLiteral("cancel")), QStringLiteral("Cancel"));
    m_cancelButton->setVisible(false);
    connect(m_cancelButton, &QPushButton::clicked, this, &MainWindow::cancelScan);
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_cancelButton);
}

void MainWindow::refresh()
{
    m_helper->abandon();
    m_controller->start(m_options);
}

void MainWindow::scanAsAdministrator()
{
    m_controller->abandon();
    m_helper->start();
}

void MainWindow::cancelScan()
{
    m_controller->cancel();
    m_helper->cancel();
}

void MainWindow::setOnlyFlagged(bool onlyFlagged)
{
    m_onlyFlaggedAction->setChecked(onlyFlagged);
    m_onlyFlaggedBox->setChecked(onlyFlagged);
    m_processProxy->setOnlyFlagged(onlyFlagged);
    m_moduleProxy->setOnlyFlagged(onlyFlagged);
    m_processView->expandAll();
}

void MainWindow::setScanning(bool scanning)
{
    m_progress->setVisible(scanning);
    m_cancelButton->setVisible(scanning);
    m_cancelAction->setEnabled(scanning);
}

void MainWindow::onScanStarted()
{
    setScanning(true);
    m_progress->setRange(0, 0);
    setLiveStatus(QStringLiteral("Scanning\u2026"));
}

void MainWindow::onScanProgress(qint64 done, qint64 total, const QString &step)
{
    if (total <= 0 || total > std::numeric_limits<int>::max()) {
        m_progress->setRange(0, 0);
    } else {
        m_progress->setRange(0, static_cast<int>(total));
        m_progress->setValue(static_cast<int>(std::min(done, total)));
    }
    m_progress->setFormat(step.isEmpty() ? QStringLiteral("%p%") : step + QStringLiteral(" %p%"));
    setLiveStatus(QStringLiteral("Scanning: ") + step);
}

void MainWindow::onScanFinished(std::shared_ptr<const ScanResult> result, bool administrator)
{
    setScanning(false);
    applyResult(std::move(result), administrator);
}

void MainWindow::onScanFailed(const QString &message)
{
    setScanning(false);
    setLiveStatus(m_lastStatus.isEmpty() ? message : message + QStringLiteral(" \u00b7 showing the previous scan: ") + m_lastStatus);
    emit scanFailed(message);
}

void MainWindow::applyResult(std::shared_ptr<const ScanResult> result, bool administrator)
{
    if (!result)
        return;
    const bool sameDataSet = m_result && m_result->host.hostname == result->host.hostname
        && m_result->host.bootId == result->host.bootId;
    // The index is rebuilt before the models change: they emit currentChanged while updating.
    m_result = std::move(result);
    m_processIndex.clear();
    for (std::size_t i = 0; i < m_result->processes.size(); ++i)
        m_processIndex[{m_result->processes[i].pid, m_result->processes[i].startTime}] = i;

    m_processProxy->setModuleTerms(processModuleTerms(*m_result));
    updateNamespaceChoices();
    if (sameDataSet) {
        m_processModel->mergeProcesses(m_result->processes, m_result->findings);
    } else {
        m_moduleModel->clear();
        m_processModel->resetProcesses(m_result->processes, m_result->findings);
        m_processView->expandAll();
        fitColumns();
    }
    updateModulePane();
    m_postureTab->setScan(m_result);
    m_lastStatus = scanStatusText(*m_result, administrator || geteuid() == 0);
    if (administrator)
        m_lastStatus = QStringLiteral("As administrator: ") + m_lastStatus;
    setLiveStatus(m_lastStatus);
    emit resultApplied();
}

void MainWindow::fitColumns()
{
    for (int column = ProcessTreeModel::PidColumn; column < ProcessTreeModel::ColumnCount; ++column)
        m_processView->resizeColumnToContents(column);
    m_processView->setColumnWidth(ProcessTreeModel::VerdictColumn,
                                  std::max(m_processView->columnWidth(ProcessTreeModel::VerdictColumn), 150));
}

const ProcessInfo *MainWindow::currentProcess() const
{
    if (!m_result)
        return nullptr;
    const auto key = m_processModel->keyAt(m_processProxy->mapToSource(m_processView->currentIndex()));
    if (!key)
        return nullptr;
    const auto it = m_processIndex.find(*key);
    return it == m_processIndex.end() ? nullptr : &m_result->processes[it->second];
}

void MainWindow::updateModulePane()
{
    const ProcessInfo *process = currentProcess();
    if (!process) {
        m_moduleModel->clear();
        m_details->showPlaceholder();
        return;
    }
    const bool newProcess = m_moduleModel->process() != ProcessKey{process->pid, process->startTime};
    m_moduleModel->setModules({process->pid, process->startTime}, process->modules, m_result->files, QString::fromStdString(process->name));
    if (newProcess) {
        const QHeaderView *header = m_moduleView->header();
        for (int column = ModuleTableModel::SizeColumn; column < ModuleTableModel::ColumnCount; ++column)
            if (header->sectionSize(column) == header->defaultSectionSize())
                m_moduleView->resizeColumnToContents(column);
    }
    updateDetails();
}

void MainWindow::updateDetails()
{
    static const std::vector<Finding> none;
    showSelectionDetails(m_details, m_moduleView, m_moduleProxy, m_moduleModel, currentProcess(),
                         m_result ? m_result->findings : none);
}

bool MainWindow::selectFirstInteresting()
{
    QModelIndex firstWithModules;
    QModelIndex firstFlagged;
    const auto visit = [&](auto &&self, const QModelIndex &parent) -> void {
        for (int row = 0; row < m_processProxy->rowCount(parent) && !firstFlagged.isValid(); ++row) {
            const QModelIndex index = m_processProxy->index(row, 0, parent);
            if (index.data(ProcessTreeModel::FlaggedRole).toBool())
                firstFlagged = index;
            if (!firstWithModules.isValid() && index.data(ProcessTreeModel::ModuleCountRole).toInt() > 0)
                firstWithModules = index;
            self(self, index);
        }
    };
    visit(visit, {});
    const QModelIndex target = firstFlagged.isValid() ? firstFlagged : firstWithModules;
    if (!target.isValid())
        return false;
    m_processView->setCurrentIndex(target);
    m_processView->scrollTo(target, QAbstractItemView::PositionAtCenter);
    if (m_moduleProxy->rowCount() > 0)
        m_moduleView->setCurrentIndex(m_moduleProxy->index(0, 0));
    return true;
}

void MainWindow::setLogSource(std::function<QStringList()> source)
{
    m_logSource = std::move(source);
    m_logAction->setEnabled(static_cast<bool>(m_logSource));
}

void MainWindow::showLog()
{
    if (!m_logSource)
        return;
    auto *dialog = new QDialog(this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QStringLiteral("LoadLens log"));
    auto *text = new QPlainTextEdit(dialog);
    text->setReadOnly(true);
    text->setLineWrapMode(QPlainTextEdit::NoWrap);
    text->setPlainText(m_logSource().join(QLatin1Char('\n')));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, dialog);
    connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::close);
    auto *layout = new QVBoxLayout(dialog);
    layout->addWidget(text);
    layout->addWidget(buttons);
    dialog->resize(900, 500);
    dialog->show();
}

} // namespace loadlens::ui
