#include "stackdrilldown.h"

#include "formatting.h"
#include "levelstyle.h"
#include "qtstrings.h"
#include "tableviews.h"

#include <QDialogButtonBox>
#include <QHeaderView>
#include <QLabel>
#include <QSet>
#include <QSortFilterProxyModel>
#include <QTreeView>
#include <QVBoxLayout>

namespace loadlens::ui {

CaseWhoLoadsModel::CaseWhoLoadsModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void CaseWhoLoadsModel::setHits(std::vector<analysis::CaseWhoLoadsHit> hits)
{
    beginResetModel();
    m_hits = std::move(hits);
    endResetModel();
}

const analysis::CaseWhoLoadsHit *CaseWhoLoadsModel::hitAt(int row) const
{
    return row >= 0 && static_cast<std::size_t>(row) < m_hits.size() ? &m_hits[static_cast<std::size_t>(row)] : nullptr;
}

int CaseWhoLoadsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_hits.size());
}

int CaseWhoLoadsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant CaseWhoLoadsModel::data(const QModelIndex &index, int role) const
{
    const analysis::CaseWhoLoadsHit *hit = index.isValid() ? hitAt(index.row()) : nullptr;
    if (!hit)
        return {};
    if (index.column() == LevelColumn && role != Qt::DisplayRole && role != SortRole)
        return levelCellData(hit->level, role);
    if (role == SortRole) {
        switch (index.column()) {
        case ScannedAtColumn: return static_cast<qlonglong>(hit->scannedAt);
        case PidColumn: return hit->pid;
        case LevelColumn: return static_cast<int>(hit->level);
        default: return data(index, Qt::DisplayRole);
        }
    }
    if (role == Qt::ToolTipRole && index.column() == PathColumn)
        return toQString(hit->path);
    if (role != Qt::DisplayRole)
        return {};
    switch (index.column()) {
    case HostColumn: return toQString(hit->host);
    case ScannedAtColumn: return timeTextSeconds(hit->scannedAt);
    case PidColumn: return hit->pid;
    case ProcessColumn: return toQString(hit->process.empty() ? hit->executable : hit->process);
    case UserColumn: return toQString(hit->user);
    case PathColumn: return toQString(hit->path);
    case HashColumn: return shortHash(hit->sha256);
    case LevelColumn: return levelText(hit->level);
    default: return {};
    }
}

QVariant CaseWhoLoadsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case HostColumn: return QStringLiteral("Host");
    case ScannedAtColumn: return QStringLiteral("Snapshot (UTC)");
    case PidColumn: return QStringLiteral("PID");
    case ProcessColumn: return QStringLiteral("Process");
    case UserColumn: return QStringLiteral("User");
    case PathColumn: return QStringLiteral("Module path");
    case HashColumn: return QStringLiteral("SHA-256");
    case LevelColumn: return QStringLiteral("Verdict");
    default: return {};
    }
}

std::vector<analysis::CaseWhoLoadsHit> hitsOfStackEntry(std::vector<analysis::CaseWhoLoadsHit> hits,
                                                        const analysis::StackEntry &entry, analysis::StackBy by)
{
    std::vector<analysis::CaseWhoLoadsHit> kept;
    for (auto &hit : hits) {
        const bool same = by == analysis::StackBy::Hash
            ? hit.path == entry.module && hit.sha256 == entry.sha256
            : hit.path == entry.module || hit.path.ends_with("/" + entry.module);
        if (same)
            kept.push_back(std::move(hit));
    }
    return kept;
}

StackDrillDownDialog::StackDrillDownDialog(const analysis::StackEntry &entry, std::vector<analysis::CaseWhoLoadsHit> hits,
                                           QWidget *parent)
    : QDialog(parent)
    , m_model(new CaseWhoLoadsModel(this))
    , m_view(nullptr)
{
    setObjectName(QStringLiteral("stackDrillDown"));
    setWindowTitle(QStringLiteral("Who loads %1 in the case").arg(toQString(entry.module)));
    QSet<QString> hosts;
    for (const auto &hit : hits)
        hosts.insert(toQString(hit.host));
    auto *summary = new QLabel(QStringLiteral("<b>%1</b>%2: %3 process(es) on %4 host(s)")
                                   .arg(toQString(entry.module).toHtmlEscaped(),
                                        entry.sha256.empty() ? QString() : QStringLiteral(" (SHA-256 ") + toQString(entry.sha256) + QLatin1Char(')'))
                                   .arg(hits.size())
                                   .arg(hosts.size()));
    summary->setWordWrap(true);
    summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_model->setHits(std::move(hits));
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(m_model);
    proxy->setSortRole(CaseWhoLoadsModel::SortRole);
    m_view = makeTableView(proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(CaseWhoLoadsModel::HostColumn, Qt::AscendingOrder);
    m_view->header()->setStretchLastSection(false);
    m_view->header()->setSectionResizeMode(CaseWhoLoadsModel::PathColumn, QHeaderView::Stretch);
    for (const int column : {CaseWhoLoadsModel::ScannedAtColumn, CaseWhoLoadsModel::PidColumn})
        m_view->resizeColumnToContents(column);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::close);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(summary);
    layout->addWidget(m_view);
    layout->addWidget(buttons);
    resize(1000, 420);
}

} // namespace loadlens::ui
