// The main window's part of the Windows triage: the Windows tab, File > Open Windows image, and
// the row actions of its tables (copy, JSON, details; Show in Events finds the Sysmon history
// of a Windows path).
#include "mainwindow.h"
#include "rowactions.h"
#include "rowtargets.h"
#include "windows/windowsdetails.h"
#include "windows/windowsmodels.h"
#include "windows/windowstab.h"
#include "qtstrings.h"

#include <nlohmann/json.hpp>

#include <QFileDialog>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTreeView>

namespace loadlens::ui {

namespace {

QByteArray compactJson(const nlohmann::json &json)
{
    return QByteArray::fromStdString(json.dump());
}

} // namespace

void MainWindow::addWindowsTab()
{
    m_windowsTab = new WindowsTab;
    m_tabs->addTab(m_windowsTab, QStringLiteral("Windows"));
    m_windowsTab->setHijackLibsDirectory(hijackLibsDirectory());
    connect(m_windowsTab, &WindowsTab::statusChanged, this, [this] { scheduleStatusUpdate(); });
}

void MainWindow::attachWindowsRowActions()
{
    WindowsTab *tab = m_windowsTab;
    m_rowActions->attach(tab->findingView(), RowActions::ViewKind::Table, [tab](const QModelIndex &index) -> std::optional<RowTarget> {
        const wintriage::Finding *finding = tab->findingModel()->findingAt(tab->findingProxy()->mapToSource(index).row());
        if (!finding)
            return std::nullopt;
        RowTarget target;
        // The DLL the finding is about where it resolved, else the executable.
        const wintriage::Executable *exe = tab->executableModel()->executableAt(tab->executableModel()->rowOf(finding->executable));
        const std::string dllPath = exe ? resolvedDllPath(*exe, finding->dll) : std::string();
        target.path = toQString(dllPath.empty() ? finding->executable : dllPath);
        target.json = compactJson(wintriage::toJson(*finding));
        target.detailsTitle = toQString(finding->title);
        target.detailsHtml = windowsFindingDetailsHtml(*finding, tab->result() ? toQString(tab->result()->root) : QString());
        return target;
    });
    m_rowActions->attach(tab->executableView(), RowActions::ViewKind::Table, [tab](const QModelIndex &index) -> std::optional<RowTarget> {
        const wintriage::Executable *exe = tab->executableModel()->executableAt(tab->executableProxy()->mapToSource(index).row());
        if (!exe)
            return std::nullopt;
        RowTarget target;
        target.path = toQString(exe->path);
        target.json = compactJson(wintriage::toJson(*exe));
        target.detailsTitle = target.path;
        target.detailsHtml = windowsExecutableDetailsHtml(*exe, tab->result() ? tab->result()->findings : std::vector<wintriage::Finding>{});
        return target;
    });
    m_rowActions->attach(tab->resolutionView(), RowActions::ViewKind::Table, [tab](const QModelIndex &index) -> std::optional<RowTarget> {
        const wintriage::DllResolution *resolution = tab->resolutionModel()->resolutionAt(index.row());
        if (!resolution)
            return std::nullopt;
        RowTarget target;
        target.path = toQString(resolution->path);
        target.json = compactJson(wintriage::toJson(*resolution));
        return target;
    });
}

void MainWindow::openWindowsImage(const QString &root)
{
    m_windowsTab->setHijackLibsDirectory(hijackLibsDirectory());
    selectTab(QStringLiteral("windows"));
    m_windowsTab->openImage(root);
}

void MainWindow::openWindowsImageDialog()
{
    const QString root = QFileDialog::getExistingDirectory(
        this, QStringLiteral("Open Windows image (volume root, triage collection or Wine prefix)"), m_windowsTab->root());
    if (!root.isEmpty())
        openWindowsImage(root);
}

} // namespace loadlens::ui
