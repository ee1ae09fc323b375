#include "snapshotbrowser.h"

#include "common/image_snapshot.h"

#include "filterproxies.h"
#include "formatting.h"
#include "levelstyle.h"
#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "scanviews.h"
#include "verdictdetails.h"

#include <QFileInfo>

#include <algorithm>
#include <QItemSelectionModel>
#include <QLabel>
#include <QLineEdit>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

namespace loadlens::ui {

namespace {

QWidget *filteredPane(QLineEdit *filter, QTreeView *view)
{
    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(4, 4, 4, 0);
    layout->addWidget(filter);
    layout->addWidget(view);
    return pane;
}

QLineEdit *filterEdit(const QString &placeholder)
{
    auto *edit = new QLineEdit;
    edit->setPlaceholderText(placeholder);
    edit->setClearButtonEnabled(true);
    return edit;
}

} // namespace

SnapshotBrowser::SnapshotBrowser(store::StoredSnapshot snapshot, qint64 snapshotId, const QString &casePath,
                                 QWidget *parent)
    : QMainWindow(parent)
    , m_snapshot(std::move(snapshot))
    , m_snapshotId(snapshotId)
    , m_processModel(new ProcessTreeModel(this))
    , m_processProxy(new ProcessFilterProxy(this))
    , m_moduleModel(new ModuleTableModel(this))
    , m_moduleProxy(new ModuleFilterProxy(this))
{
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowIcon(appIcon());
    const ScanResult &scan = m_snapshot.scan;
    setWindowTitle(QStringLiteral("%1 \u2014 snapshot of %2 (read-only) \u2014 %3 \u2014 LoadLens")
                       .arg(QString::fromStdString(scan.host.hostname), timeTextSeconds(scan.scannedAt),
                            QFileInfo(casePath).fileName()));
    for (std::size_t i = 0; i < scan.processes.size(); ++i)
        m_processIndex.emplace(std::make_pair(scan.processes[i].pid, scan.processes[i].startTime), i);

    m_processProxy->setSourceModel(m_processModel);
    m_moduleProxy->setSourceModel(m_moduleModel);
    m_processModel->resetProcesses(scan.processes, scan.findings);
    m_processProxy->setModuleTerms(processModuleTerms(scan));

    m_header = new QLabel(headerText());
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setContentsMargins(6, 4, 6, 2);

    m_processFilter = filterEdit(QStringLiteral("Filter processes by name, pid, user, or a module's path or SHA-256"));
    m_processView = makeProcessTreeView(m_processProxy);
    connect(m_processFilter, &QLineEdit::textChanged, this, [this](const QString &text) {
        m_processProxy->setTextFilter(text);
        m_processView->expandAll();
    });
    connect(m_processView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { updateModules(); });

    m_moduleFilter = filterEdit(QStringLiteral("Filter modules by path"));
    connect(m_moduleFilter, &QLineEdit::textChanged, m_moduleProxy, &ModuleFilterProxy::setTextFilter);
    m_moduleView = makeModuleTableView(m_moduleProxy);
    connect(m_moduleView->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this] { updateDetails(); });

    m_details = new VerdictDetailsView(this);
    m_details->showPlaceholder();
    auto *lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(filteredPane(m_moduleFilter, m_moduleView));
    lower->addWidget(m_details);
    lower->setStretchFactor(0, 3);
    lower->setStretchFactor(1, 2);
    auto *vertical = new QSplitter(Qt::Vertical);
    vertical->addWidget(filteredPane(m_processFilter, m_processView));
    vertical->addWidget(lower);

    auto *central = new QWidget;
    auto *layout = new QVBoxLayout(central);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_header);
    layout->addWidget(vertical, 1);
    setCentralWidget(central);
    m_processView->expandAll();
    for (int column = ProcessTreeModel::PidColumn; column < ProcessTreeModel::ColumnCount; ++column)
        m_processView->resizeColumnToContents(column);
    resize(1200, 820);
}

SnapshotBrowser::~SnapshotBrowser() = default;

QString SnapshotBrowser::headerText() const
{
    const ScanResult &scan = m_snapshot.scan;
    std::size_t modules = 0;
    for (const auto &p : scan.processes)
        modules += p.modules.size();
    // A Windows image (windows-triage --bundle): its entries are the executables found on it.
    const bool image = isImageSnapshot(scan.host.bootId);
    QString text = QStringLiteral("<b>%1</b>, snapshot %2 taken %3 \u2014 %4 %5, %6 modules, %7 host findings")
                       .arg(QString::fromStdString(scan.host.hostname).toHtmlEscaped())
                       .arg(m_snapshotId)
                       .arg(timeTextSeconds(scan.scannedAt))
                       .arg(scan.processes.size())
                       .arg(image ? QStringLiteral("executables") : QStringLiteral("processes"))
                       .arg(modules)
                       .arg(std::count_if(scan.findings.begin(), scan.findings.end(), [](const Finding &f) { return f.pid == 0; }));
    QStringList system;
    for (const std::string *part : {&scan.host.osRelease, &scan.host.kernel, &scan.host.machine})
        if (!part->empty())
            system << QString::fromStdString(*part).toHtmlEscaped();
    if (!system.isEmpty())
        text += QStringLiteral("<br>") + system.join(QStringLiteral(", "));
    if (image)
        text += QStringLiteral("<br><b>Windows image:</b> the entries below are executables found on the image with "
                               "the DLLs their imports resolve to; none of them ran, and none has a pid.");
    if (scan.stats.processesInaccessible > 0)
        text += QStringLiteral("<br>%1 of %2 processes could not be read completely when it was taken.")
                    .arg(scan.stats.processesInaccessible)
                    .arg(scan.stats.processesListed);
    if (m_snapshot.incomplete)
        text += QStringLiteral("<br><b>Incomplete:</b> the import of this snapshot did not finish; what is shown is what "
                               "was stored. Import its bundle again to complete it.");
    return text;
}

const ProcessInfo *SnapshotBrowser::currentProcess() const
{
    const auto key = m_processModel->keyAt(m_processProxy->mapToSource(m_processView->currentIndex()));
    if (!key)
        return nullptr;
    const auto it = m_processIndex.find({key->pid, key->startTime});
    return it == m_processIndex.end() ? nullptr : &m_snapshot.scan.processes[it->second];
}

void SnapshotBrowser::updateModules()
{
    const ProcessInfo *process = currentProcess();
    if (!process) {
        m_moduleModel->clear();
        m_details->showPlaceholder();
        return;
    }
    m_moduleModel->setModules({process->pid, process->startTime}, process->modules, m_snapshot.scan.files,
                              QString::fromStdString(process->name));
    for (int column = ModuleTableModel::SizeColumn; column < ModuleTableModel::ColumnCount; ++column)
        m_moduleView->resizeColumnToContents(column);
    updateDetails();
}

void SnapshotBrowser::updateDetails()
{
    showSelectionDetails(m_details, m_moduleView, m_moduleProxy, m_moduleModel, currentProcess(), m_snapshot.scan.findings);
}

bool SnapshotBrowser::selectProcess(int pid)
{
    for (const auto &p : m_snapshot.scan.processes) {
        if (p.pid != pid)
            continue;
        const QModelIndex index = m_processProxy->mapFromSource(m_processModel->indexForKey({p.pid, p.startTime}));
        if (!index.isValid())
            return false;
        m_processView->setCurrentIndex(index);
        m_processView->scrollTo(index);
        const QModelIndex first = m_moduleView->model()->index(0, 0);
        if (first.isValid())
            m_moduleView->setCurrentIndex(first);
        return true;
    }
    return false;
}

} // namespace loadlens::ui
