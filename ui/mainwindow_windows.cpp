// The main window's part of the Windows triage: the Windows tab and File > Open Windows image.
#include "mainwindow.h"
#include "windows/windowstab.h"

#include <QFileDialog>
#include <QTabWidget>

namespace loadlens::ui {

void MainWindow::addWindowsTab()
{
    m_windowsTab = new WindowsTab;
    m_tabs->addTab(m_windowsTab, QStringLiteral("Windows"));
    m_windowsTab->setHijackLibsDirectory(hijackLibsDirectory());
    connect(m_windowsTab, &WindowsTab::statusChanged, this, [this] { scheduleStatusUpdate(); });
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
