// The main window's part of the trainer lab: the Lab tab, and the jump to the live view when
// a scenario starts.
#include "lab/labtab.h"
#include "mainwindow.h"
#include "moduletablemodel.h"
#include "filterproxies.h"

#include <QTreeView>

#include <QLineEdit>
#include <QTabWidget>

#include <memory>

namespace loadlens::ui {

void MainWindow::addLabTab()
{
    m_labTab = new LabTab;
    m_tabs->addTab(m_labTab, QStringLiteral("Lab"));
    connect(m_labTab, &LabTab::scenarioStarted, this, &MainWindow::showLabProcess);
}

namespace {

QModelIndex findPidIn(const QAbstractItemModel *model, int pid, const QModelIndex &parent = {})
{
    for (int row = 0; row < model->rowCount(parent); ++row) {
        const QModelIndex index = model->index(row, 0, parent);
        if (index.data(ProcessTreeModel::PidRole).toInt() == pid)
            return index;
        if (const QModelIndex found = findPidIn(model, pid, index); found.isValid())
            return found;
    }
    return {};
}

} // namespace

void MainWindow::showLabProcess(const QString &scenario, int pid)
{
    selectTab(QStringLiteral("processes"));
    m_processFilter->setText(QString::number(pid));
    auto once = std::make_shared<QMetaObject::Connection>();
    const QString about = m_labTab->flaggedModuleOf(scenario);
    *once = connect(this, &MainWindow::resultApplied, this, [this, once, pid, about] {
        disconnect(*once);
        // The victim itself, not a flagged ancestor the tree keeps for context.
        const QModelIndex victim = findPidIn(m_processProxy, pid);
        if (!victim.isValid()) {
            selectFirstInteresting();
            return;
        }
        m_processView->setCurrentIndex(victim);
        m_processView->scrollTo(victim, QAbstractItemView::PositionAtCenter);
        // The module the scenario is about, else its worst one.
        QModelIndex worst;
        for (int row = 0; row < m_moduleProxy->rowCount(); ++row) {
            const QModelIndex module = m_moduleProxy->index(row, 0);
            if (!about.isEmpty() && module.data(ModuleTableModel::PathRole).toString().startsWith(about)) {
                worst = module;
                break;
            }
            if (!worst.isValid() || module.data(ModuleTableModel::LevelRole).toInt() > worst.data(ModuleTableModel::LevelRole).toInt())
                worst = module;
        }
        if (worst.isValid()) {
            m_moduleView->setCurrentIndex(worst);
            m_moduleView->scrollTo(worst);
        }
    });
    refresh();
}

} // namespace loadlens::ui
