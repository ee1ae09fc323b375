#include "casemodels.h"

#include "common/image_snapshot.h"

#include "exportroles.h"
#include "formatting.h"
#include "levelstyle.h"
#include "qtstrings.h"

#include <QFontDatabase>

namespace loadlens::ui {

namespace {

QString hashesText(const std::vector<std::string> &hashes, bool full = false)
{
    QStringList parts;
    for (const auto &hash : hashes)
        parts << (hash.empty() ? QStringLiteral("not hashed") : full ? toQString(hash) : shortHash(hash));
    return parts.join(QStringLiteral(", "));
}

QString evidenceText(const Evidence &evidence)
{
    QStringList parts;
    for (const auto &[key, value] : evidence)
        parts << toQString(key) + QLatin1Char('=') + toQString(value);
    return parts.join(QStringLiteral("; "));
}

} // namespace

// --- SnapshotTableModel -------------------------------------------------------------------

SnapshotTableModel::SnapshotTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void SnapshotTableModel::setSnapshots(std::vector<analysis::SnapshotSummary> snapshots,
                                      std::map<std::int64_t, eventstats::LevelCounts> findings,
                                      const std::vector<eventstats::EventHost> &eventHosts)
{
    std::map<std::string, int> perHost;
    for (const auto &snapshot : snapshots)
        ++perHost[snapshot.host];
    std::map<std::string, const eventstats::EventHost *> events;
    for (const auto &host : eventHosts)
        events[host.host] = &host;
    beginResetModel();
    m_rows.clear();
    for (auto &snapshot : snapshots) {
        Row row;
        if (const auto it = findings.find(snapshot.id); it != findings.end())
            row.findings = it->second;
        row.hostSnapshots = perHost[snapshot.host];
        if (const auto it = events.find(snapshot.host); it != events.end())
            row.events = *it->second;
        row.summary = std::move(snapshot);
        m_rows.push_back(std::move(row));
    }
    for (const auto &host : eventHosts) {
        if (perHost.count(host.host))
            continue;
        Row row;
        row.summary.host = host.host;
        row.summary.complete = true;
        row.events = host;
        m_rows.push_back(std::move(row));
    }
    endResetModel();
}

const analysis::SnapshotSummary *SnapshotTableModel::snapshotAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return nullptr;
    return &m_rows[static_cast<std::size_t>(row)].summary;
}

int SnapshotTableModel::rowOf(std::int64_t snapshotId) const
{
    for (std::size_t i = 0; i < m_rows.size(); ++i)
        if (m_rows[i].summary.id == snapshotId)
            return static_cast<int>(i);
    return -1;
}

int SnapshotTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int SnapshotTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SnapshotTableModel::sortData(const Row &row, int column) const
{
    const auto &s = row.summary;
    const auto level = [&s](Level l) { return QVariant::fromValue<qint64>(s.modulesAt(l)); };
    switch (column) {
    case HostColumn: return toQString(s.host);
    case SnapshotsColumn: return row.hostSnapshots;
    case EventsColumn: return QVariant::fromValue<qint64>(row.events.events);
    }
    if (s.id == 0)  // a host known from events only: no snapshot, so no snapshot counts
        return column == ScannedAtColumn ? QVariant::fromValue<qint64>(0) : QVariant();
    switch (column) {
    case ScannedAtColumn: return QVariant::fromValue<qint64>(s.scannedAt);
    case ProcessesColumn: return QVariant::fromValue<qint64>(s.processes);
    case ModulesColumn: return QVariant::fromValue<qint64>(s.modules);
    case FindingsColumn: return QVariant::fromValue<qint64>(s.findings);
    case HighColumn: return level(Level::High);
    case MediumColumn: return level(Level::Medium);
    case LowColumn: return level(Level::Low);
    case InfoColumn: return level(Level::Info);
    }
    return {};
}

QVariant SnapshotTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        if (column == ScannedAtColumn)
            return row.summary.id == 0 ? QStringLiteral("events only") : timeTextSeconds(row.summary.scannedAt);
        if (column == ProcessesColumn && row.summary.id != 0 && isImageSnapshot(row.summary.bootId))
            return QStringLiteral("%1 executables (image)").arg(row.summary.processes);
        if (column == ProcessesColumn && row.summary.processesWithErrors > 0)
            return QStringLiteral("%1 (%2 partly unreadable)").arg(row.summary.processes).arg(row.summary.processesWithErrors);
        return sortData(row, column).toString();
    case Qt::ToolTipRole:
        return toolTip(row, column);
    case Qt::BackgroundRole: {
        const Level level = column == HighColumn ? Level::High : column == MediumColumn ? Level::Medium
                          : column == LowColumn  ? Level::Low
                                                 : Level::Ok;
        if (level != Level::Ok && row.summary.modulesAt(level) > 0)
            return levelBackground(level);
        return {};
    }
    case Qt::TextAlignmentRole:
        return column == HostColumn || column == ScannedAtColumn ? QVariant()
                                                                 : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole: return sortData(row, column);
    case ExportValueRole:
        if (column == ScannedAtColumn)
            return row.summary.id == 0 ? QVariant() : QVariant(timeTextSeconds(row.summary.scannedAt));
        return column == HostColumn ? QVariant() : sortData(row, column);
    case ExportExtraValuesRole:
        return QVariantList{row.summary.id == 0 ? QVariant() : QVariant::fromValue<qint64>(row.summary.id),
                            row.summary.id == 0 ? QVariant() : QVariant::fromValue<qint64>(row.summary.scannedAt),
                            row.summary.id == 0 ? QVariant() : QVariant::fromValue<qint64>(row.summary.processesWithErrors)};
    case SnapshotIdRole: return QVariant::fromValue<qint64>(row.summary.id);
    case CompleteRole: return row.summary.complete;
    }
    return {};
}

QVariant SnapshotTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == ExportExtraColumnsRole)
        return QStringList{QStringLiteral("Snapshot id"), QStringLiteral("Scanned at (unix seconds)"),
                           QStringLiteral("Processes partly unreadable")};
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case HostColumn: return QStringLiteral("Host");
    case SnapshotsColumn: return QStringLiteral("Snapshots");
    case ScannedAtColumn: return QStringLiteral("Scanned at (UTC)");
    case ProcessesColumn: return QStringLiteral("Processes");
    case ModulesColumn: return QStringLiteral("Modules");
    case FindingsColumn: return QStringLiteral("Host findings");
    case HighColumn: return QStringLiteral("High");
    case MediumColumn: return QStringLiteral("Medium");
    case LowColumn: return QStringLiteral("Low");
    case InfoColumn: return QStringLiteral("Info");
    case EventsColumn: return QStringLiteral("Events");
    }
    return {};
}

QString SnapshotTableModel::toolTip(const Row &row, int column) const
{
    const auto &s = row.summary;
    const auto eventSpan = [&row] {
        return row.events.events == 0 ? QStringLiteral("no imported events")
                                      : QStringLiteral("%1 imported event(s) from %2 to %3")
                                            .arg(row.events.events)
                                            .arg(timeTextUs(row.events.firstUs), timeTextUs(row.events.lastUs));
    };
    if (s.id == 0)
        return QStringLiteral("%1: known from imported events only (no snapshot)\n%2").arg(toQString(s.host), eventSpan());
    switch (column) {
    case HighColumn:
    case MediumColumn:
    case LowColumn:
    case InfoColumn:
        return QStringLiteral("modules by verdict: %1 high, %2 medium, %3 low, %4 info, %5 ok")
            .arg(s.modulesAt(Level::High))
            .arg(s.modulesAt(Level::Medium))
            .arg(s.modulesAt(Level::Low))
            .arg(s.modulesAt(Level::Info))
            .arg(s.modulesAt(Level::Ok));
    case FindingsColumn: {
        const auto at = [&row](Level l) { return row.findings[static_cast<std::size_t>(l)]; };
        return QStringLiteral("host-level findings (not modules): %1 high, %2 medium, %3 low, %4 info")
            .arg(at(Level::High))
            .arg(at(Level::Medium))
            .arg(at(Level::Low))
            .arg(at(Level::Info));
    }
    case EventsColumn: return eventSpan();
    }
    if (isImageSnapshot(s.bootId))
        return QStringLiteral("%1\n%2\n%3\nWindows image: its processes are the executables found on it, none ran")
            .arg(toQString(s.host), toQString(s.kernel), toQString(s.osRelease));
    return QStringLiteral("%1\nkernel %2\n%3\nboot %4")
        .arg(toQString(s.host), toQString(s.kernel), toQString(s.osRelease), toQString(s.bootId));
}

// --- SnapshotDiffModel --------------------------------------------------------------------

SnapshotDiffModel::SnapshotDiffModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void SnapshotDiffModel::setDiff(const analysis::SnapshotDiff &diff)
{
    std::vector<Row> rows;
    const auto addModules = [&rows](const std::vector<analysis::ModuleChange> &changes) {
        for (const auto &change : changes) {
            const QString kind = QStringLiteral("module-") + toQString(std::string(analysis::changeKindName(change.kind)));
            const QString label = change.kind == analysis::ChangeKind::Added ? QStringLiteral("module added")
                                : change.kind == analysis::ChangeKind::Removed ? QStringLiteral("module removed")
                                                                               : QStringLiteral("hash changed");
            const auto side = [](const std::vector<std::string> &hashes, std::int64_t processes, bool full) {
                if (processes == 0 && hashes.empty())
                    return QString();
                return QStringLiteral("%1 process(es) %2").arg(processes).arg(hashesText(hashes, full));
            };
            rows.push_back({kind, label,
                            change.executable.empty() ? QStringLiteral("host") : toQString(change.executable),
                            toQString(change.path), side(change.hashesBefore, change.processesBefore, false),
                            side(change.hashesAfter, change.processesAfter, false), change.level,
                            side(change.hashesBefore, change.processesBefore, true),
                            side(change.hashesAfter, change.processesAfter, true)});
        }
    };
    addModules(diff.hostModules);
    addModules(diff.processModules);
    for (const auto &finding : diff.newFindings)
        rows.push_back({QStringLiteral("finding-new"), QStringLiteral("new finding"), QStringLiteral("host"),
                        toQString(finding.code), QString(), toQString(finding.text) + QStringLiteral(" \u2014 ") + evidenceText(finding.evidence),
                        finding.level, {}, {}});
    for (const auto &finding : diff.resolvedFindings)
        rows.push_back({QStringLiteral("finding-resolved"), QStringLiteral("resolved finding"), QStringLiteral("host"),
                        toQString(finding.code), toQString(finding.text) + QStringLiteral(" \u2014 ") + evidenceText(finding.evidence),
                        QString(), finding.level, {}, {}});
    for (const auto &fact : diff.facts)
        rows.push_back({QStringLiteral("fact-changed"), QStringLiteral("loader config"), QStringLiteral("host"),
                        toQString(fact.key), fact.before ? toQString(*fact.before) : QStringLiteral("(not recorded)"),
                        fact.after ? toQString(*fact.after) : QStringLiteral("(not recorded)"), Level::Info, {}, {}});
    beginResetModel();
    m_rows = std::move(rows);
    endResetModel();
}

void SnapshotDiffModel::clear()
{
    beginResetModel();
    m_rows.clear();
    endResetModel();
}

int SnapshotDiffModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int SnapshotDiffModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant SnapshotDiffModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
    case Qt::ToolTipRole:
        switch (column) {
        case ChangeColumn: return row.change;
        case ScopeColumn: return row.scope;
        case SubjectColumn: return row.subject;
        case BeforeColumn: return row.before;
        case AfterColumn: return row.after;
        case LevelColumn: return levelText(row.level);
        }
        return {};
    case Qt::DecorationRole:
    case Qt::BackgroundRole:
        return column == LevelColumn ? levelCellData(row.level, role) : QVariant();
    case SortRole:
        return column == LevelColumn ? QVariant(static_cast<int>(row.level)) : data(index, Qt::DisplayRole);
    case LevelRole: return static_cast<int>(row.level);
    case KindRole: return row.kind;
    case ExportValueRole:
        if (column == BeforeColumn && !row.beforeExport.isEmpty())
            return row.beforeExport;
        if (column == AfterColumn && !row.afterExport.isEmpty())
            return row.afterExport;
        return {};
    }
    return {};
}

QVariant SnapshotDiffModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ChangeColumn: return QStringLiteral("Change");
    case ScopeColumn: return QStringLiteral("Process / scope");
    case SubjectColumn: return QStringLiteral("Module, finding or setting");
    case BeforeColumn: return QStringLiteral("Before");
    case AfterColumn: return QStringLiteral("After");
    case LevelColumn: return QStringLiteral("Level");
    }
    return {};
}

// --- StackTableModel ----------------------------------------------------------------------

StackTableModel::StackTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void StackTableModel::setStack(analysis::StackResult result, analysis::StackBy by)
{
    beginResetModel();
    m_result = std::move(result);
    m_by = by;
    endResetModel();
}

int StackTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_result.entries.size());
}

int StackTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant StackTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &entry = m_result.entries[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (column) {
        case ModuleColumn: return toQString(entry.module);
        case HashColumn:
            if (m_by == analysis::StackBy::Name)
                return QString();
            return entry.sha256.empty() ? QStringLiteral("not hashed") : shortHash(entry.sha256);
        case HostsColumn: return QStringLiteral("%1 of %2").arg(entry.hosts).arg(m_result.hostsInCase);
        case ProcessesColumn: return QString::number(entry.processes);
        case VariantsColumn: return m_by == analysis::StackBy::Name ? QString::number(entry.variants) : QString();
        case LevelColumn: return levelText(entry.maxLevel);
        }
        return {};
    case Qt::ToolTipRole:
        return column == HashColumn && !entry.sha256.empty() ? QStringLiteral("SHA-256 ") + toQString(entry.sha256)
                                                              : toQString(entry.module);
    case Qt::FontRole:
        return column == HashColumn ? QVariant(QFontDatabase::systemFont(QFontDatabase::FixedFont)) : QVariant();
    case Qt::DecorationRole:
    case Qt::BackgroundRole:
        return column == LevelColumn ? levelCellData(entry.maxLevel, role) : QVariant();
    case Qt::TextAlignmentRole:
        return column == HostsColumn || column == ProcessesColumn || column == VariantsColumn
            ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter)
            : QVariant();
    case SortRole:
        switch (column) {
        case ModuleColumn: return toQString(entry.module);
        case HashColumn: return toQString(entry.sha256);
        case HostsColumn: return QVariant::fromValue<qint64>(entry.hosts);
        case ProcessesColumn: return QVariant::fromValue<qint64>(entry.processes);
        case VariantsColumn: return QVariant::fromValue<qint64>(entry.variants);
        case LevelColumn: return static_cast<int>(entry.maxLevel);
        }
        return {};
    case HostsRole: return QVariant::fromValue<qint64>(entry.hosts);
    case LevelRole: return static_cast<int>(entry.maxLevel);
    case ExportValueRole:
        switch (column) {
        case HashColumn: return m_by == analysis::StackBy::Name ? QVariant() : QVariant(toQString(entry.sha256));
        case HostsColumn: return QVariant::fromValue<qint64>(entry.hosts);
        }
        return {};
    case ExportExtraValuesRole: return QVariantList{QVariant::fromValue<qint64>(m_result.hostsInCase)};
    }
    return {};
}

QVariant StackTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == ExportExtraColumnsRole)
        return QStringList{QStringLiteral("Hosts in case")};
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ModuleColumn: return m_by == analysis::StackBy::Name ? QStringLiteral("Module name") : QStringLiteral("Module path");
    case HashColumn: return QStringLiteral("SHA-256");
    case HostsColumn: return QStringLiteral("Hosts");
    case ProcessesColumn: return QStringLiteral("Processes");
    case VariantsColumn: return QStringLiteral("Variants");
    case LevelColumn: return QStringLiteral("Worst level");
    }
    return {};
}

} // namespace loadlens::ui
