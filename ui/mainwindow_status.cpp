// The status line follows the current tab: the live scan's summary on Processes, the case and
// its counts elsewhere, each with "N of M shown" when a filter hides rows.
#include "mainwindow.h"

#include "casemodels.h"
#include "casetab.h"
#include "eventmodels.h"
#include "eventstab.h"
#include "filterproxies.h"
#include "formatting.h"
#include "posturetab.h"
#include "windows/windowstab.h"

#include <QAbstractProxyModel>
#include <QFileInfo>
#include <QLabel>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>

namespace loadlens::ui {

namespace {

qsizetype rowsBelow(const QAbstractItemModel *model, const QModelIndex &parent = {})
{
    if (!model)
        return 0;
    const int rows = model->rowCount(parent);
    qsizetype total = rows;
    for (int row = 0; row < rows; ++row) {
        const QModelIndex child = model->index(row, 0, parent);
        if (model->hasChildren(child))
            total += rowsBelow(model, child);
    }
    return total;
}

// Rows the view shows against the rows of the model its filter proxy reads.
QString viewRowsText(const QAbstractItemView *view, const QString &singular, const QString &plural)
{
    const QAbstractItemModel *shown = view->model();
    const auto *proxy = qobject_cast<const QAbstractProxyModel *>(shown);
    const QAbstractItemModel *source = proxy ? proxy->sourceModel() : shown;
    return shownText(rowsBelow(shown), rowsBelow(source), singular, plural);
}

void watchRows(QAbstractItemModel *model, QObject *context, const std::function<void()> &changed)
{
    if (!model)
        return;
    QObject::connect(model, &QAbstractItemModel::rowsInserted, context, changed);
    QObject::connect(model, &QAbstractItemModel::rowsRemoved, context, changed);
    QObject::connect(model, &QAbstractItemModel::modelReset, context, changed);
    QObject::connect(model, &QAbstractItemModel::layoutChanged, context, changed);
}

} // namespace

void MainWindow::followTabsInStatusLine()
{
    // A rescan merges row by row: count once after the burst, not at every signal.
    m_statusTimer = new QTimer(this);
    m_statusTimer->setSingleShot(true);
    m_statusTimer->setInterval(0);
    connect(m_statusTimer, &QTimer::timeout, this, [this] {
        const QString text = composeStatus();
        m_statusLabel->setText(text);
        m_statusLabel->setToolTip(text);  // long helper messages do not fit the bar
    });
    const auto changed = [this] { scheduleStatusUpdate(); };
    const std::initializer_list<QAbstractItemView *> views{m_processView, m_moduleView, m_caseTab->hostsView(),
                                                           m_eventsTab->eventView(), m_postureTab->view()};
    for (const QAbstractItemView *view : views)
        watchRows(view->model(), this, changed);
    connect(this, &MainWindow::caseOpened, this, changed);
}

void MainWindow::setLiveStatus(const QString &text)
{
    m_liveStatus = text;
    scheduleStatusUpdate();
}

void MainWindow::scheduleStatusUpdate()
{
    if (m_statusTimer)
        m_statusTimer->start();
}

QString MainWindow::composeStatus() const
{
    const QString separator = QStringLiteral(" \u00b7 ");
    const QWidget *tab = m_tabs->currentWidget();
    // A file case by its name; a server case by its URL (which store is open).
    const QString caseName = m_casePath.isEmpty()                                ? QString()
                             : m_casePath.contains(QStringLiteral("://")) ? m_casePath
                                                                                 : QFileInfo(m_casePath).fileName();
    if (tab == m_caseTab) {
        if (caseName.isEmpty())
            return QStringLiteral("Case: none open (File > Open case)");
        // The hosts view holds one row per snapshot and one per host known only from events.
        const auto count = [](const QAbstractItemModel *model) {
            std::pair<qsizetype, qsizetype> snapshotsAndEventHosts{0, 0};
            for (int row = 0; model && row < model->rowCount(); ++row)
                ++(model->index(row, 0).data(SnapshotTableModel::SnapshotIdRole).toLongLong() != 0
                       ? snapshotsAndEventHosts.first
                       : snapshotsAndEventHosts.second);
            return snapshotsAndEventHosts;
        };
        const QAbstractItemModel *shownModel = m_caseTab->hostsView()->model();
        const auto shown = count(shownModel);
        const auto *proxy = qobject_cast<const QAbstractProxyModel *>(shownModel);
        const auto total = proxy ? count(proxy->sourceModel()) : shown;
        QString text = QStringLiteral("Case %1: ").arg(caseName) +
                       shownText(shown.first, total.first, QStringLiteral("snapshot"), QStringLiteral("snapshots"));
        if (total.second > 0)
            text += QStringLiteral(", ") + shownText(shown.second, total.second, QStringLiteral("host known only from events"),
                                                     QStringLiteral("hosts known only from events"));
        return text;
    }
    if (tab == m_eventsTab) {
        if (caseName.isEmpty())
            return QStringLiteral("Events: no case open (File > Open case)");
        const EventTableModel *events = m_eventsTab->eventModel();
        return QStringLiteral("Events of case %1: ").arg(caseName) +
               shownText(events->rowCount(), static_cast<qsizetype>(events->total()), QStringLiteral("matching event"),
                         QStringLiteral("matching events"));
    }
    if (tab == m_postureTab) {
        if (!m_postureTab->hasReport())
            return QStringLiteral("Posture: checks not run yet");
        return QStringLiteral("Posture of this host: ") +
               viewRowsText(m_postureTab->view(), QStringLiteral("check"), QStringLiteral("checks"));
    }
    if (tab == m_windowsTab)
        return m_windowsTab->statusText();
    // Processes: the live scan, and what the filters hide of it.
    QString text = m_liveStatus;
    if (m_result) {
        const qsizetype shownProcesses = rowsBelow(m_processView->model());
        const qsizetype allProcesses = rowsBelow(m_processModel);
        if (shownProcesses != allProcesses)
            text = shownText(shownProcesses, allProcesses, QStringLiteral("process"), QStringLiteral("processes")) +
                   separator + text;
        const qsizetype shownModules = m_moduleView->model()->rowCount();
        const qsizetype allModules = m_moduleProxy->sourceModel()->rowCount();
        if (shownModules != allModules)
            text += separator + QStringLiteral("selected process: ") +
                    shownText(shownModules, allModules, QStringLiteral("module"), QStringLiteral("modules"));
    }
    return text;
}

QString MainWindow::statusText() const
{
    return composeStatus();
}

} // namespace loadlens::ui
