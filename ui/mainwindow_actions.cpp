// The row actions of every table in the window, and where "who loads this" and "show in
// Events" lead.
#include "mainwindow.h"

#include "casemodels.h"
#include "casequeryrunner.h"
#include "casetab.h"
#include "eventstab.h"
#include "filterproxies.h"
#include "moduletablemodel.h"
#include "processsignaller.h"
#include "rowactions.h"
#include "rowtargets.h"
#include "stackdrilldown.h"

#include <QAction>
#include <QLineEdit>
#include <QStatusBar>
#include <QTabWidget>
#include <QTreeView>

namespace loadlens::ui {

void MainWindow::createRowActions()
{
    m_rowActions = new RowActions(this);
    m_rowActions->attach(m_processView, RowActions::ViewKind::Processes,
                         [this](const QModelIndex &index) -> std::optional<RowTarget> {
                             const auto key = m_processModel->keyAt(m_processProxy->mapToSource(index));
                             const auto it = key && m_result ? m_processIndex.find(*key) : m_processIndex.end();
                             if (it == m_processIndex.end())
                                 return std::nullopt;
                             return processTarget(m_result->processes[it->second], *m_result);
                         });
    m_rowActions->attach(m_moduleView, RowActions::ViewKind::Table,
                         [this](const QModelIndex &index) -> std::optional<RowTarget> {
                             const QModelIndex source = m_moduleProxy->mapToSource(index);
                             const ModuleRecord *module = source.isValid() ? m_moduleModel->moduleAt(source.row()) : nullptr;
                             if (!module)
                                 return std::nullopt;
                             return moduleTarget(*module, m_moduleModel->factsAt(source.row()));
                         });
    m_rowActions->attach(m_eventsTab->eventView(), RowActions::ViewKind::Table, eventRows(m_eventsTab->eventModel()));
    m_rowActions->attach(m_caseTab->diffView(), RowActions::ViewKind::Table, diffRows(m_caseTab->diffModel()));
    m_rowActions->attach(m_caseTab->stackView(), RowActions::ViewKind::Table, stackRows(m_caseTab->stackModel()));
    attachWindowsRowActions();

    connect(m_rowActions, &RowActions::whoLoadsRequested, this, &MainWindow::showWhoLoads);
    connect(m_rowActions, &RowActions::showInEventsRequested, this, [this](const QString &path) {
        selectTab(QStringLiteral("events"));
        m_eventsTab->setTextFilter(path);
    });
    connect(m_rowActions, &RowActions::message, this, [this](const QString &text) { statusBar()->showMessage(text, 10000); });
    // A killed process leaves the view with the next scan.
    connect(m_rowActions->signaller(), &ProcessSignaller::finished, this, [this](int, bool ok, const QString &) {
        if (ok)
            refresh();
    });

    // A snapshot marker of the Events chart: that snapshot, selected in the Case tab.
    connect(m_eventsTab, &EventsTab::snapshotActivated, this, [this](qint64 snapshotId) {
        m_tabs->setCurrentWidget(m_caseTab);
        if (!m_caseTab->selectSnapshot(snapshotId))
            statusBar()->showMessage(QStringLiteral("Snapshot %1 is not listed in the Case tab (check its filter)").arg(snapshotId), 8000);
    });

    // Double-click on a stacking row: the hosts and processes of the case that load it.
    connect(m_caseTab->stackView(), &QAbstractItemView::doubleClicked, this, [this](const QModelIndex &index) {
        const QModelIndex source = sourceIndexOf(index);
        const StackTableModel *model = m_caseTab->stackModel();
        const auto &result = model->result();
        if (source.model() != model || source.row() < 0 || static_cast<std::size_t>(source.row()) >= result.entries.size())
            return;
        const analysis::StackEntry entry = result.entries[static_cast<std::size_t>(source.row())];
        const analysis::StackBy by = model->by();
        const bool allSnapshots = result.snapshotsCounted > result.hostsInCase;
        m_caseTab->runner()->runOnStore(QStringLiteral("stack-drill-down"),
                                 [this, entry, by, allSnapshots](const casestore::CaseStore &store) -> Result<CaseQueryRunner::Apply> {
                                     auto hits = store.whoLoads(entry.module, allSnapshots);
                                     if (!hits)
                                         return hits.error();
                                     return CaseQueryRunner::Apply(
                                         [this, entry, kept = hitsOfStackEntry(std::move(*hits), entry, by)]() mutable {
                                             auto *dialog = new StackDrillDownDialog(entry, std::move(kept), this);
                                             dialog->setAttribute(Qt::WA_DeleteOnClose);
                                             dialog->show();
                                         });
                                 });
    });

    m_namesOnlyAction = new QAction(QStringLiteral("Aa"), this);
    m_namesOnlyAction->setCheckable(true);
    m_namesOnlyAction->setToolTip(QStringLiteral("Names only: match process names, pids and users, not the paths "
                                                 "and SHA-256 of their modules"));
    connect(m_namesOnlyAction, &QAction::toggled, this, [this](bool namesOnly) {
        m_processProxy->setNamesOnly(namesOnly);
        m_processFilter->setPlaceholderText(namesOnly ? QStringLiteral("Filter processes by name, pid or user")
                                                      : QStringLiteral("Filter processes by name, pid, user, or a "
                                                                       "module path or SHA-256 they load"));
        m_processView->expandAll();
    });
    m_processFilter->addAction(m_namesOnlyAction, QLineEdit::TrailingPosition);
    m_processFilter->setPlaceholderText(
        QStringLiteral("Filter processes by name, pid, user, or a module path or SHA-256 they load"));
}

void MainWindow::showWhoLoads(const QString &path)
{
    selectTab(QStringLiteral("processes"));
    m_namesOnlyAction->setChecked(false);
    m_processFilter->setText(path);
}

} // namespace loadlens::ui
