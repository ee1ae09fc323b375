#include "casetab.h"

#include "casemodels.h"
#include "caseproxies.h"
#include "casequeryrunner.h"
#include "formatting.h"
#include "qtstrings.h"
#include "snapshotbrowser.h"
#include "tableviews.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>
#include <QSplitter>
#include <QTreeView>
#include <QVBoxLayout>

#include <map>

namespace loadlens::ui {

namespace {

const QString kSnapshots = QStringLiteral("snapshots");
const QString kDiff = QStringLiteral("diff");
const QString kStack = QStringLiteral("stack");
const QString kBrowse = QStringLiteral("browse-snapshot");

QTreeView *makeTable(QAbstractItemModel *model)
{
    QTreeView *view = makeTableView(model);
    view->setSortingEnabled(true);
    return view;
}

QWidget *titled(QLabel *title, QLayout *controls, QWidget *content)
{
    auto *pane = new QWidget;
    auto *layout = new QVBoxLayout(pane);
    layout->setContentsMargins(0, 0, 0, 0);
    title->setWordWrap(true);
    layout->addWidget(title);
    if (controls)
        layout->addLayout(controls);
    layout->addWidget(content);
    return pane;
}

QString summaryLine(const analysis::SnapshotSummary &s)
{
    return QStringLiteral("%1 at %2 (%3 processes, %4 modules: %5 high, %6 medium, %7 low; %8 host finding(s))")
        .arg(toQString(s.host), timeTextSeconds(s.scannedAt))
        .arg(s.processes)
        .arg(s.modules)
        .arg(s.modulesAt(Level::High))
        .arg(s.modulesAt(Level::Medium))
        .arg(s.modulesAt(Level::Low))
        .arg(s.findings);
}

} // namespace

CaseTab::CaseTab(QWidget *parent)
    : QWidget(parent)
    , m_runner(new CaseQueryRunner(this))
    , m_snapshots(new SnapshotTableModel(this))
    , m_snapshotProxy(new SnapshotFilterProxy(this))
    , m_diff(new SnapshotDiffModel(this))
    , m_diffProxy(new DiffFilterProxy(this))
    , m_stack(new StackTableModel(this))
    , m_stackProxy(new StackFilterProxy(this))
{
    m_snapshotProxy->setSourceModel(m_snapshots);
    m_diffProxy->setSourceModel(m_diff);
    m_stackProxy->setSourceModel(m_stack);

    auto *lower = new QSplitter(Qt::Horizontal);
    lower->addWidget(createDiffPane());
    lower->addWidget(createStackPane());
    lower->setSizes({680, 600});
    auto *vertical = new QSplitter(Qt::Vertical);
    vertical->addWidget(createHostsPane());
    vertical->addWidget(lower);
    vertical->setSizes({170, 610});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(vertical);

    connect(m_runner, &CaseQueryRunner::finished, this, [this] { onQueryDone(); });
    connect(m_runner, &CaseQueryRunner::failed, this, [this](const QString &channel, quint64, const QString &message) {
        (channel == kStack                                 ? m_stackSummary
         : channel == kSnapshots || channel == kBrowse ? m_caseSummary
                                                       : m_diffSummary)
            ->setText(message);
        emit queryFailed(message);
        onQueryDone();
    });
}

CaseTab::~CaseTab() = default;

QWidget *CaseTab::createHostsPane()
{
    m_hostsView = makeTable(m_snapshotProxy);
    m_hostsView->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_hostsView->sortByColumn(SnapshotTableModel::ScannedAtColumn, Qt::AscendingOrder);
    m_hostsView->header()->setStretchLastSection(false);
    m_hostsView->header()->setSectionResizeMode(SnapshotTableModel::HostColumn, QHeaderView::Stretch);
    m_hostsView->setColumnWidth(SnapshotTableModel::ScannedAtColumn, 160);
    m_hostsView->setColumnWidth(SnapshotTableModel::ProcessesColumn, 180);
    connect(m_hostsView->selectionModel(), &QItemSelectionModel::selectionChanged, this, &CaseTab::onSelectionChanged);
    // Double-click or Enter: the snapshot in the live scan's views, in a window of its own.
    m_hostsView->setToolTip(QStringLiteral("Select two snapshots to diff them; double-click one to browse it"));
    connect(m_hostsView, &QAbstractItemView::activated, this, [this](const QModelIndex &index) {
        if (const auto *s = m_snapshots->snapshotAt(m_snapshotProxy->mapToSource(index).row()); s && s->id != 0)
            browseSnapshot(s->id);
    });
    auto *filter = new QLineEdit;
    filter->setPlaceholderText(QStringLiteral("Filter hosts"));
    filter->setClearButtonEnabled(true);
    connect(filter, &QLineEdit::textChanged, m_snapshotProxy, &SnapshotFilterProxy::setHostFilter);
    m_caseSummary = new QLabel(QStringLiteral("<b>Hosts and snapshots</b>"));
    auto *controls = new QHBoxLayout;
    controls->addWidget(filter);
    controls->addStretch(1);
    return titled(m_caseSummary, controls, m_hostsView);
}

QWidget *CaseTab::createDiffPane()
{
    m_diffView = makeTable(m_diffProxy);
    m_diffView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_diffView->sortByColumn(SnapshotDiffModel::LevelColumn, Qt::DescendingOrder);
    m_diffView->setColumnWidth(SnapshotDiffModel::ChangeColumn, 118);
    m_diffView->setColumnWidth(SnapshotDiffModel::ScopeColumn, 60);
    m_diffView->setColumnWidth(SnapshotDiffModel::SubjectColumn, 240);
    m_diffView->setColumnWidth(SnapshotDiffModel::BeforeColumn, 100);
    m_diffView->setColumnWidth(SnapshotDiffModel::AfterColumn, 100);
    m_diffSummary = new QLabel(QStringLiteral("<b>Diff</b>: select two snapshots above (Ctrl+click)"));
    m_diffSummary->setWordWrap(true);
    auto *perProcess = new QCheckBox(QStringLiteral("per process"));
    perProcess->setToolTip(QStringLiteral("Also list module changes per process executable"));
    connect(perProcess, &QCheckBox::toggled, m_diffProxy, &DiffFilterProxy::setShowProcessChanges);
    auto *controls = new QHBoxLayout;
    controls->addWidget(perProcess);
    controls->addStretch(1);
    return titled(m_diffSummary, controls, m_diffView);
}

QWidget *CaseTab::createStackPane()
{
    m_stackView = makeTable(m_stackProxy);
    m_stackView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_stackView->sortByColumn(StackTableModel::HostsColumn, Qt::AscendingOrder);
    m_stackView->header()->setStretchLastSection(false);
    m_stackView->header()->setSectionResizeMode(StackTableModel::ModuleColumn, QHeaderView::Stretch);
    m_stackView->setColumnWidth(StackTableModel::HashColumn, 105);
    m_stackView->setColumnWidth(StackTableModel::HostsColumn, 60);
    m_stackView->setColumnWidth(StackTableModel::ProcessesColumn, 70);
    m_stackView->setColumnWidth(StackTableModel::VariantsColumn, 60);
    m_stackView->setColumnWidth(StackTableModel::LevelColumn, 85);
    m_stackSummary = new QLabel(QStringLiteral("<b>Stacking</b>"));
    m_stackBy = new QComboBox;
    m_stackBy->addItem(QStringLiteral("by path + hash"), static_cast<int>(analysis::StackBy::Hash));
    m_stackBy->addItem(QStringLiteral("by name only"), static_cast<int>(analysis::StackBy::Name));
    m_rareHosts = new QSpinBox;
    m_rareHosts->setRange(0, 100000);
    m_rareHosts->setSpecialValueText(QStringLiteral("any"));
    m_rareHosts->setPrefix(QStringLiteral("rare \u2264 "));
    m_rareHosts->setSuffix(QStringLiteral(" hosts"));
    m_rareHosts->setToolTip(QStringLiteral("Only modules seen on at most this many hosts (0 = any)"));
    connect(m_rareHosts, &QSpinBox::valueChanged, m_stackProxy, &StackFilterProxy::setMaxHosts);
    m_allSnapshots = new QCheckBox(QStringLiteral("all snapshots"));
    m_allSnapshots->setToolTip(QStringLiteral("Count every snapshot, not only the newest of each host"));
    m_stackFilter = new QLineEdit;
    m_stackFilter->setPlaceholderText(QStringLiteral("Filter modules"));
    m_stackFilter->setClearButtonEnabled(true);
    connect(m_stackFilter, &QLineEdit::textChanged, m_stackProxy, &StackFilterProxy::setTextFilter);
    connect(m_stackBy, &QComboBox::currentIndexChanged, this, &CaseTab::queryStack);
    connect(m_allSnapshots, &QCheckBox::toggled, this, &CaseTab::queryStack);
    auto *controls = new QHBoxLayout;
    controls->addWidget(m_stackBy);
    controls->addWidget(m_rareHosts);
    controls->addWidget(m_allSnapshots);
    controls->addWidget(m_stackFilter, 1);
    return titled(m_stackSummary, controls, m_stackView);
}

void CaseTab::setCasePath(const QString &path)
{
    m_runner->setCasePath(path);
    m_diffed.reset();
    m_diff->clear();
    reload();
}

void CaseTab::reload()
{
    m_caseSummary->setText(QStringLiteral("<b>Hosts and snapshots</b>: reading\u2026"));
    m_runner->runOnStore(kSnapshots, [this](const casestore::CaseStore &store) -> Result<CaseQueryRunner::Apply> {
        auto snapshots = store.listSnapshots();
        if (!snapshots)
            return snapshots.error();
        auto findings = store.snapshotFindingLevels();
        if (!findings)
            return findings.error();
        auto eventHosts = store.eventHosts();
        if (!eventHosts)
            return eventHosts.error();
        return CaseQueryRunner::Apply([this, snapshots = std::move(*snapshots), findings = std::move(*findings),
                                       eventHosts = std::move(*eventHosts)]() mutable {
            std::map<std::string, int> hosts;
            for (const auto &s : snapshots)
                ++hosts[s.host];
            for (const auto &h : eventHosts)
                hosts.try_emplace(h.host, 0);
            m_caseSummary->setText(QStringLiteral("<b>Hosts and snapshots</b>: %1 host(s), %2 snapshot(s)%3")
                                       .arg(hosts.size())
                                       .arg(snapshots.size())
                                       .arg(snapshots.empty() ? QStringLiteral(" \u2014 import a bundle (loadlens-cli collect) with File \u203a Import\u2026")
                                                              : QString()));
            m_snapshots->setSnapshots(std::move(snapshots), std::move(findings), eventHosts);
            queryStack();  // second stage, once the list is up
        });
    });
}

void CaseTab::browseSnapshot(qint64 snapshotId)
{
    const QString casePath = m_runner->casePath();
    m_runner->runOnStore(kBrowse, [this, snapshotId, casePath](const casestore::CaseStore &db) -> Result<CaseQueryRunner::Apply> {
        auto snapshot = db.readSnapshot(snapshotId);
        if (!snapshot)
            return snapshot.error();
        return CaseQueryRunner::Apply([this, snapshotId, casePath, snapshot = std::move(*snapshot)]() mutable {
            auto *browser = new SnapshotBrowser(std::move(snapshot), snapshotId, casePath, window());
            browser->show();
            emit snapshotBrowserOpened(browser);
        });
    });
}

void CaseTab::queryStack()
{
    analysis::StackOptions options;
    options.by = static_cast<analysis::StackBy>(m_stackBy->currentData().toInt());
    options.allSnapshots = m_allSnapshots->isChecked();
    m_stackSummary->setText(QStringLiteral("<b>Stacking</b>: counting\u2026"));
    m_runner->runOnStore(kStack, [this, options](const casestore::CaseStore &store) -> Result<CaseQueryRunner::Apply> {
        auto result = store.snapshotStack(options);
        if (!result)
            return result.error();
        return CaseQueryRunner::Apply([this, by = options.by, result = std::move(*result)]() mutable {
            m_stackSummary->setText(QStringLiteral("<b>Stacking</b>: %1 modules over %2 host(s), %3 snapshot(s); rarest first")
                                        .arg(result.entries.size())
                                        .arg(result.hostsInCase)
                                        .arg(result.snapshotsCounted));
            m_stack->setStack(std::move(result), by);
        });
    });
}

void CaseTab::onSelectionChanged()
{
    const QModelIndexList rows = m_hostsView->selectionModel()->selectedRows();
    const auto *a = rows.size() == 2 ? m_snapshots->snapshotAt(m_snapshotProxy->mapToSource(rows[0]).row()) : nullptr;
    const auto *b = rows.size() == 2 ? m_snapshots->snapshotAt(m_snapshotProxy->mapToSource(rows[1]).row()) : nullptr;
    if (!a || !b || a->id == 0 || b->id == 0) {
        clearDiff();
        m_diffSummary->setText(QStringLiteral("<b>Diff</b>: select two snapshots above (Ctrl+click)"));
        return;
    }
    const bool aFirst = a->scannedAt < b->scannedAt || (a->scannedAt == b->scannedAt && a->id < b->id);
    queryDiff(aFirst ? a->id : b->id, aFirst ? b->id : a->id);
}

void CaseTab::queryDiff(qint64 before, qint64 after)
{
    if (m_diffed == std::make_pair(before, after))
        return;
    m_diffed = std::make_pair(before, after);
    m_diff->clear();
    m_diffSummary->setText(QStringLiteral("<b>Diff</b>: reading\u2026"));
    // The two summaries are those of the snapshot list: the header names both at once.
    const analysis::SnapshotSummary *a = nullptr;
    const analysis::SnapshotSummary *b = nullptr;
    for (int row = 0; row < m_snapshots->rowCount(); ++row)
        if (const auto *s = m_snapshots->snapshotAt(row); s && s->id == before)
            a = s;
        else if (s && s->id == after)
            b = s;
    if (a && b)
        m_diffSummary->setText(QStringLiteral("<b>Diff</b> from %1<br>to %2: comparing\u2026").arg(summaryLine(*a), summaryLine(*b)));
    m_runner->runOnStore(kDiff, [this, before, after](const casestore::CaseStore &store) -> Result<CaseQueryRunner::Apply> {
        auto diff = store.diffSnapshots(before, after);
        if (!diff)
            return diff.error();
        return CaseQueryRunner::Apply([this, diff = std::move(*diff)] {
            m_diffSummary->setText(
                QStringLiteral("<b>Diff</b> from %1<br>to %2: %3 host-wide module change(s), %4 per process, %5 new and %6 resolved finding(s), %7 setting(s) changed")
                    .arg(summaryLine(diff.before), summaryLine(diff.after))
                    .arg(diff.hostModules.size())
                    .arg(diff.processModules.size())
                    .arg(diff.newFindings.size())
                    .arg(diff.resolvedFindings.size())
                    .arg(diff.facts.size()));
            m_diff->setDiff(diff);
        });
    });
}

void CaseTab::clearDiff()
{
    // Results still on their way belong to the old pair: drop them with the table.
    m_runner->cancel(kDiff);
    m_diffed.reset();
    m_diff->clear();
    onQueryDone();
}

bool CaseTab::selectSnapshots(qint64 first, qint64 second)
{
    const int a = m_snapshots->rowOf(first);
    const int b = m_snapshots->rowOf(second);
    if (a < 0 || b < 0 || a == b)
        return false;
    QItemSelection selection;
    for (const int row : {a, b}) {
        const QModelIndex index = m_snapshotProxy->mapFromSource(m_snapshots->index(row, 0));
        if (!index.isValid())
            return false;
        selection.select(index, index);
    }
    m_hostsView->selectionModel()->select(selection, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    return true;
}

bool CaseTab::selectSnapshot(qint64 snapshotId)
{
    const int row = m_snapshots->rowOf(snapshotId);
    if (row < 0)
        return false;
    const QModelIndex index = m_snapshotProxy->mapFromSource(m_snapshots->index(row, 0));
    if (!index.isValid())
        return false;
    m_hostsView->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect |
                                                              QItemSelectionModel::Rows);
    m_hostsView->scrollTo(index);
    return true;
}

bool CaseTab::selectNewestPair()
{
    std::map<std::string, std::vector<const analysis::SnapshotSummary *>> byHost;
    for (int row = 0; row < m_snapshots->rowCount(); ++row)
        byHost[m_snapshots->snapshotAt(row)->host].push_back(m_snapshots->snapshotAt(row));
    const std::vector<const analysis::SnapshotSummary *> *best = nullptr;
    for (const auto &[host, list] : byHost)
        if (!best || list.size() > best->size())
            best = &list;
    if (!best || best->size() < 2)
        return false;
    auto sorted = *best;
    std::sort(sorted.begin(), sorted.end(), [](auto *x, auto *y) { return x->scannedAt < y->scannedAt; });
    return selectSnapshots(sorted[sorted.size() - 2]->id, sorted.back()->id);
}

QString CaseTab::diffSummaryText() const
{
    return m_diffSummary->text();
}

void CaseTab::onQueryDone()
{
    if (m_runner->isIdle())
        emit settled();
}

} // namespace loadlens::ui
