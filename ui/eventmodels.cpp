#include "eventmodels.h"

#include "exportroles.h"
#include "formatting.h"
#include "levelstyle.h"
#include "qtstrings.h"

#include <algorithm>
#include <map>

namespace loadlens::ui {

namespace {

// auditd has no signer: its column says what the record was about, with the rule key and the
// system call that fired it.
QString auditSummary(const LoadEvent &e)
{
    static const std::map<std::string, QString> kWhat{
        {"preload-config-write", QStringLiteral("write to /etc/ld.so.preload")},
        {"ld-config-write", QStringLiteral("write to ld.so.conf(.d)")},
        {"ld-cache-write", QStringLiteral("write to the ld.so cache")},
        {"library-write", QStringLiteral("write to a library or library directory")},
        {"loader-env-exec", QStringLiteral("exec with loader variables (LD_PRELOAD, LD_LIBRARY_PATH, ...)")},
        {"audit-config-change", QStringLiteral("audit rules changed")},
        {"library-open", QStringLiteral("library opened")},
        {"loader-config-read", QStringLiteral("loader config read")},
    };
    const auto it = kWhat.find(e.kind);
    QString text = QStringLiteral("auditd: ") + (it != kWhat.end() ? it->second : toQString(e.kind));
    QStringList details;
    for (const char *name : {"key", "syscall"}) {
        const auto field = e.fields.find(name);
        if (field != e.fields.end() && !field->second.empty() && field->second != "(null)")
            details << toQString(std::string(name)) + QLatin1Char(' ') + toQString(field->second);
    }
    if (!details.isEmpty())
        text += QStringLiteral(" (") + details.join(QStringLiteral(", ")) + QLatin1Char(')');
    return text;
}

} // namespace

// --- EventTimelineModel -------------------------------------------------------------------

EventTimelineModel::EventTimelineModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

std::optional<EventTimelineModel::Series> EventTimelineModel::seriesOf(const store::EventBucket &bucket)
{
    if (bucket.source == "auditd")
        return AuditSeries;
    if (bucket.source == "snapshot")
        return SnapshotSeries;
    if (bucket.kind == "file-create")
        return FileCreateSeries;
    if (bucket.kind == "image-load")
        return static_cast<Series>(static_cast<int>(bucket.level));
    return std::nullopt;
}

void EventTimelineModel::setBuckets(std::int64_t fromUs, std::int64_t toUs, const eventstats::BucketWidth &width,
                                    const std::vector<store::EventBucket> &buckets)
{
    toUs = std::max(toUs, fromUs + 1);
    std::vector<std::int64_t> starts{eventstats::bucketFloorUs(width, fromUs)};
    while (starts.back() < toUs && static_cast<int>(starts.size()) <= kMaxBuckets)
        starts.push_back(eventstats::bucketNextUs(width, starts.back()));
    beginResetModel();
    m_fromUs = fromUs;
    m_toUs = toUs;
    m_width = width;
    m_starts = std::move(starts);
    m_counts.assign(m_starts.size() - 1, Counts{});
    for (const auto &bucket : buckets) {
        const auto series = seriesOf(bucket);
        // The store groups by the same width, so a bucket start is one of ours.
        const auto it = std::lower_bound(m_starts.begin(), m_starts.end() - 1, bucket.startUs);
        if (!series || it == m_starts.end() - 1 || *it != bucket.startUs)
            continue;
        m_counts[static_cast<std::size_t>(it - m_starts.begin())][*series] += bucket.count;
    }
    endResetModel();
}

void EventTimelineModel::clear()
{
    beginResetModel();
    m_counts.clear();
    m_starts.clear();
    m_fromUs = m_toUs = 0;
    endResetModel();
}

std::int64_t EventTimelineModel::bucketStartUs(int row) const
{
    if (m_starts.empty())
        return m_fromUs;
    return m_starts[static_cast<std::size_t>(std::clamp(row, 0, static_cast<int>(m_starts.size()) - 1))];
}

std::int64_t EventTimelineModel::bucketEndUs(int row) const
{
    return bucketStartUs(row + 1);
}

std::uint64_t EventTimelineModel::count(int row, Series series) const
{
    if (row < 0 || row >= static_cast<int>(m_counts.size()) || series < 0 || series >= SeriesCount)
        return 0;
    return m_counts[static_cast<std::size_t>(row)][series];
}

std::uint64_t EventTimelineModel::maxStackHeight() const
{
    std::uint64_t highest = 0;
    for (const auto &counts : m_counts) {
        std::uint64_t sum = 0;
        for (const auto value : counts)
            sum += value;
        highest = std::max(highest, sum);
    }
    return highest;
}

eventstats::EventQuery EventTimelineModel::drillDownQuery(int row, Series series, const eventstats::EventQuery &base) const
{
    eventstats::EventQuery query = base;
    query.filter.fromUs = bucketStartUs(row);
    query.filter.toUs = bucketEndUs(row);
    query.filter.offset = 0;
    query.filter.eventId.reset();
    if (series == AuditSeries || series == SnapshotSeries) {
        query.filter.source = series == AuditSeries ? "auditd" : "snapshot";
        query.filter.kind.clear();
        query.level.reset();
    } else if (series == FileCreateSeries) {
        query.filter.kind = "file-create";
        query.level.reset();
    } else {
        query.filter.kind = "image-load";
        query.level = static_cast<Level>(static_cast<int>(series));
    }
    return query;
}

QString EventTimelineModel::seriesName(Series series)
{
    if (series == AuditSeries)
        return QStringLiteral("auditd: loader config, library opens, LD_* on exec");
    if (series == SnapshotSeries)
        return QStringLiteral("snapshots: high verdicts at scan time");
    if (series == FileCreateSeries)
        return QStringLiteral("DLL/EXE drops (EID 11)");
    return QStringLiteral("loads: ") + levelText(static_cast<Level>(static_cast<int>(series)));
}

QColor EventTimelineModel::seriesColor(Series series)
{
    if (series == AuditSeries)
        return QColor(0x00, 0x83, 0x8f);
    if (series == SnapshotSeries)
        return QColor(0x37, 0x47, 0x4f);
    if (series == FileCreateSeries)
        return QColor(0x7b, 0x1f, 0xa2);
    return levelAccent(static_cast<Level>(static_cast<int>(series)));
}

int EventTimelineModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_counts.size());
}

int EventTimelineModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventTimelineModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const int row = index.row();
    const int column = index.column();
    const auto &counts = m_counts[static_cast<std::size_t>(row)];
    std::uint64_t total = 0;
    for (const auto value : counts)
        total += value;
    const auto raw = [&]() -> QVariant {
        if (column == StartColumn)
            return QVariant::fromValue<qint64>(bucketStartUs(row));
        if (column == TotalColumn)
            return QVariant::fromValue<qulonglong>(total);
        return QVariant::fromValue<qulonglong>(counts[static_cast<std::size_t>(column - FirstSeriesColumn)]);
    };
    switch (role) {
    case Qt::DisplayRole:
        return column == StartColumn ? timeTextUs(bucketStartUs(row)) : raw().toString();
    case Qt::TextAlignmentRole:
        return column == StartColumn ? QVariant() : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole: return raw();
    case BucketStartRole: return QVariant::fromValue<qint64>(bucketStartUs(row));
    case BucketEndRole: return QVariant::fromValue<qint64>(bucketEndUs(row));
    }
    return {};
}

QVariant EventTimelineModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    if (section == StartColumn)
        return QStringLiteral("Bucket start (UTC)");
    if (section == TotalColumn)
        return QStringLiteral("Total");
    if (section >= FirstSeriesColumn && section < TotalColumn)
        return seriesName(static_cast<Series>(section - FirstSeriesColumn));
    return {};
}

// --- EventTableModel ----------------------------------------------------------------------

EventTableModel::EventTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void EventTableModel::setPage(std::vector<LoadEvent> events, std::int64_t offset, std::int64_t total)
{
    beginResetModel();
    m_events = std::move(events);
    m_offset = offset;
    m_total = std::max<std::int64_t>(total, offset + static_cast<std::int64_t>(m_events.size()));
    endResetModel();
}

void EventTableModel::clear()
{
    setPage({}, 0, 0);
}

const LoadEvent *EventTableModel::eventAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_events.size()))
        return nullptr;
    return &m_events[static_cast<std::size_t>(row)];
}

int EventTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_events.size());
}

int EventTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const LoadEvent &e = m_events[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    const auto text = [&]() -> QString {
        switch (column) {
        case HostColumn: return toQString(e.host);
        case SourceColumn: return toQString(e.source);
        case ImageColumn: return toQString(e.image);
        case ImageLoadedColumn: return toQString(e.imageLoaded);
        case SignatureColumn: {
            if (e.source == "auditd")
                return auditSummary(e);
            if (e.source == "snapshot") {
                const auto processes = e.fields.find("processes");
                return e.kind == "snapshot-finding"
                           ? QStringLiteral("snapshot: host finding")
                           : QStringLiteral("snapshot: mapped by %1 process(es)")
                                 .arg(processes != e.fields.end() ? toQString(processes->second) : QStringLiteral("1"));
            }
            if (e.signatureState == SignatureState::Unknown && e.signature.empty() && e.signedField.empty())
                return QString();  // the event has no signature fields (process create, file create, ...)
            const QString state = toQString(std::string(signatureStateName(e.signatureState)));
            return e.signature.empty() ? state : state + QStringLiteral(" \u00b7 ") + toQString(e.signature);
        }
        }
        return {};
    };
    switch (role) {
    case Qt::DisplayRole:
        if (column == TimeColumn)
            return timeTextUs(e.timeUs);
        if (column == EventIdColumn)
            return e.source == "sysmon" ? QString::number(e.eventId) : toQString(e.kind);
        if (column == VerdictColumn)
            return levelText(e.verdict.level);
        return text();
    case Qt::ToolTipRole:
        if (column == VerdictColumn) {
            QStringList codes;
            for (const auto &reason : e.verdict.reasons)
                codes << levelText(reason.level) + QStringLiteral(": ") + toQString(reason.code);
            return codes.join(QLatin1Char('\n'));
        }
        return column == TimeColumn ? QString() : text();
    case Qt::DecorationRole:
    case Qt::BackgroundRole:
        return column == VerdictColumn ? levelCellData(e.verdict.level, role) : QVariant();
    case SortRole:
        switch (column) {
        case TimeColumn: return QVariant::fromValue<qint64>(e.timeUs);
        case EventIdColumn: return e.eventId;
        case VerdictColumn: return static_cast<int>(e.verdict.level);
        }
        return text();
    case LevelRole: return static_cast<int>(e.verdict.level);
    case ExportExtraValuesRole: {
        QStringList codes;
        for (const auto &reason : e.verdict.reasons)
            codes << toQString(reason.code);
        return QVariantList{QVariant::fromValue<qint64>(e.timeUs),     toQString(e.kind),
                            e.eventId,                                 QVariant::fromValue<qulonglong>(e.recordId),
                            QVariant::fromValue<qint64>(e.pid),        toQString(e.user),
                            toQString(e.commandLine),                  toQString(e.hashes),
                            codes.join(QLatin1Char(' ')),              toQString(e.sourceFile),
                            QVariant::fromValue<qulonglong>(e.sourceOffset)};
    }
    }
    return {};
}

QVariant EventTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == ExportExtraColumnsRole)
        return QStringList{QStringLiteral("Time (unix microseconds)"), QStringLiteral("Kind"), QStringLiteral("Event id"),
                           QStringLiteral("Record id"), QStringLiteral("PID"), QStringLiteral("User"),
                           QStringLiteral("Command line"), QStringLiteral("Hashes"), QStringLiteral("Reasons"),
                           QStringLiteral("Source file"), QStringLiteral("Source offset")};
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case TimeColumn: return QStringLiteral("Time (UTC)");
    case HostColumn: return QStringLiteral("Host");
    case SourceColumn: return QStringLiteral("Source");
    case EventIdColumn: return QStringLiteral("EID / kind");
    case ImageColumn: return QStringLiteral("Image");
    case ImageLoadedColumn: return QStringLiteral("Image loaded / target");
    case SignatureColumn: return QStringLiteral("Signature");
    case VerdictColumn: return QStringLiteral("Verdict");
    }
    return {};
}

// --- ImageStackModel ----------------------------------------------------------------------

ImageStackModel::ImageStackModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

void ImageStackModel::setEntries(std::vector<eventstats::ImageStackEntry> entries)
{
    beginResetModel();
    m_entries = std::move(entries);
    endResetModel();
}

const eventstats::ImageStackEntry *ImageStackModel::entryAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_entries.size()))
        return nullptr;
    return &m_entries[static_cast<std::size_t>(row)];
}

int ImageStackModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int ImageStackModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ImageStackModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const auto &entry = m_entries[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    const auto raw = [&]() -> QVariant {
        switch (column) {
        case ImageColumn: return toQString(entry.image);
        case LoadsColumn: return QVariant::fromValue<qint64>(entry.loads);
        case HostsColumn: return QVariant::fromValue<qint64>(entry.hosts);
        case ProcessesColumn: return QVariant::fromValue<qint64>(entry.processes);
        case LevelColumn: return static_cast<int>(entry.maxLevel);
        }
        return {};
    };
    switch (role) {
    case Qt::DisplayRole: return column == LevelColumn ? levelText(entry.maxLevel) : raw().toString();
    case Qt::ToolTipRole: return toQString(entry.image);
    case Qt::DecorationRole:
    case Qt::BackgroundRole:
        return column == LevelColumn ? levelCellData(entry.maxLevel, role) : QVariant();
    case Qt::TextAlignmentRole:
        return column == ImageColumn || column == LevelColumn ? QVariant()
                                                              : QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    case SortRole: return raw();
    case LevelRole: return static_cast<int>(entry.maxLevel);
    }
    return {};
}

QVariant ImageStackModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case ImageColumn: return QStringLiteral("Image");
    case LoadsColumn: return QStringLiteral("Loads");
    case HostsColumn: return QStringLiteral("Hosts");
    case ProcessesColumn: return QStringLiteral("Processes");
    case LevelColumn: return QStringLiteral("Worst level");
    }
    return {};
}

} // namespace loadlens::ui
