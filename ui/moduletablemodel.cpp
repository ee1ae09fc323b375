#include "moduletablemodel.h"

#include "exportroles.h"
#include "formatting.h"
#include "levelstyle.h"
#include "qtstrings.h"
#include "verdict/module_rank.h"

#include <QFont>
#include <QFontDatabase>

#include <set>

namespace loadlens::ui {

ModuleTableModel::ModuleTableModel(QObject *parent)
    : QAbstractTableModel(parent)
{
}

ModuleTableModel::~ModuleTableModel() = default;

std::vector<ModuleTableModel::Row> ModuleTableModel::makeRows(const std::vector<ModuleRecord> &modules,
                                                              const std::map<FileKey, FileFacts> &files)
{
    std::vector<Row> rows;
    rows.reserve(modules.size());
    std::map<std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t>, int> occurrences;
    for (const auto &module : modules) {
        Row row;
        // Anonymous regions share path and file key; their address tells them apart. A repeat
        // of the same key still gets its own row (numbered) rather than being dropped.
        const std::uint64_t anonymousStart =
            module.file == FileKey{} && !module.ranges.empty() ? module.ranges.front().start : 0;
        const int occurrence =
            occurrences[{module.path, module.file.dev, module.file.inode, anonymousStart}]++;
        row.key = {module.path, module.file.dev, module.file.inode, anonymousStart, occurrence};
        row.module = module;
        if (const auto it = files.find(module.file); it != files.end() && module.file != FileKey{})
            row.facts = it->second;
        row.mapped = mappedBytes(module);
        rows.push_back(std::move(row));
    }
    return rows;
}

void ModuleTableModel::setModules(const ProcessKey &process, const std::vector<ModuleRecord> &modules,
                                  const std::map<FileKey, FileFacts> &files, const QString &processName)
{
    auto rows = makeRows(modules, files);
    m_processName = processName;
    if (m_process != process || m_rows.empty()) {
        beginResetModel();
        m_process = process;
        m_rows = std::move(rows);
        endResetModel();
        return;
    }

    std::map<ModuleKey, std::size_t> incoming;
    for (std::size_t i = 0; i < rows.size(); ++i)
        incoming.emplace(rows[i].key, i);

    // Remove vanished rows back to front, one contiguous block at a time.
    int row = static_cast<int>(m_rows.size()) - 1;
    while (row >= 0) {
        if (incoming.count(m_rows[static_cast<std::size_t>(row)].key)) {
            --row;
            continue;
        }
        int first = row;
        while (first > 0 && !incoming.count(m_rows[static_cast<std::size_t>(first - 1)].key))
            --first;
        beginRemoveRows({}, first, row);
        m_rows.erase(m_rows.begin() + first, m_rows.begin() + row + 1);
        endRemoveRows();
        row = first - 1;
    }

    // Update survivors in place.
    std::vector<bool> present(rows.size(), false);
    for (auto &existing : m_rows) {
        const std::size_t source = incoming.at(existing.key);
        present[source] = true;
        existing = std::move(rows[source]);
    }
    if (!m_rows.empty())
        emit dataChanged(index(0, 0), index(static_cast<int>(m_rows.size()) - 1, ColumnCount - 1));

    // Append the new ones.
    std::vector<Row> added;
    for (std::size_t i = 0; i < rows.size(); ++i)
        if (!present[i])
            added.push_back(std::move(rows[i]));
    if (!added.empty()) {
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + static_cast<int>(added.size()) - 1);
        for (auto &newRow : added)
            m_rows.push_back(std::move(newRow));
        endInsertRows();
    }
}

void ModuleTableModel::clear()
{
    beginResetModel();
    m_process.reset();
    m_processName.clear();
    m_rows.clear();
    endResetModel();
}

const ModuleRecord *ModuleTableModel::moduleAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return nullptr;
    return &m_rows[static_cast<std::size_t>(row)].module;
}

const FileFacts *ModuleTableModel::factsAt(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_rows.size()))
        return nullptr;
    const auto &facts = m_rows[static_cast<std::size_t>(row)].facts;
    return facts ? &*facts : nullptr;
}

int ModuleTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int ModuleTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

namespace {

int flagBits(const ModuleRecord &module)
{
    return (module.deleted ? 1 : 0) | (module.memfd ? 2 : 0) | (module.anonymousExec ? 4 : 0) | (module.pseudo ? 8 : 0);
}

} // namespace

QVariant ModuleTableModel::displayData(const Row &row, int column) const
{
    switch (column) {
    case PathColumn:
        if (row.module.path.empty())
            return row.module.anonymousExec ? QStringLiteral("[anonymous executable memory]") : QStringLiteral("[unnamed]");
        return toQString(row.module.path);
    case SizeColumn: return sizeText(row.facts ? row.facts->size : row.mapped);
    case FlagsColumn: return moduleFlagsText(row.module);
    case VerdictColumn: return levelText(row.module.verdict.level);
    case PackageColumn: return row.facts ? toQString(row.facts->package) : QString();
    case HashColumn: return row.facts ? shortHash(row.facts->sha256) : QString();
    case OwnerModeColumn: return row.facts ? ownerModeText(*row.facts) : QString();
    }
    return {};
}

QVariant ModuleTableModel::sortData(const Row &row, int column) const
{
    switch (column) {
    case PathColumn: return toQString(row.module.path);
    case SizeColumn: return QVariant::fromValue<qulonglong>(row.facts ? row.facts->size : row.mapped);
    case FlagsColumn: return flagBits(row.module);
    case VerdictColumn: return verdict::moduleRank(row.module.verdict);  // how it was found, then level
    case PackageColumn: return row.facts ? toQString(row.facts->package) : QString();
    case HashColumn: return row.facts ? toQString(row.facts->sha256) : QString();
    case OwnerModeColumn: return row.facts ? static_cast<int>(row.facts->mode & 07777) : -1;
    }
    return {};
}

QString ModuleTableModel::toolTip(const Row &row, int column) const
{
    switch (column) {
    case SizeColumn: {
        QString text = QStringLiteral("mapped: %1 in %2 ranges").arg(sizeText(row.mapped)).arg(row.module.ranges.size());
        if (row.facts)
            text += QStringLiteral("\nfile: %1").arg(sizeText(row.facts->size));
        return text;
    }
    case HashColumn:
        if (row.facts && !row.facts->sha256.empty())
            return QStringLiteral("SHA-256 ") + toQString(row.facts->sha256);
        return QStringLiteral("not hashed");
    case FlagsColumn:
        return row.module.confirmation.empty() ? QString() : QStringLiteral("established by ") + toQString(row.module.confirmation);
    case VerdictColumn: {
        QStringList codes;
        for (const auto &reason : row.module.verdict.reasons)
            codes << levelText(reason.level) + QStringLiteral(": ") + toQString(reason.code);
        return codes.join(QLatin1Char('\n'));
    }
    default: return displayData(row, PathColumn).toString();
    }
}

QVariant ModuleTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows[static_cast<std::size_t>(index.row())];
    const int column = index.column();
    const Level level = row.module.verdict.level;
    switch (role) {
    case Qt::DisplayRole: return displayData(row, column);
    case Qt::ToolTipRole: return toolTip(row, column);
    case Qt::DecorationRole: return column == VerdictColumn ? QVariant(levelIcon(level)) : QVariant();
    case Qt::BackgroundRole:
        return column == VerdictColumn && levelBackground(level).isValid() ? QVariant(levelBackground(level)) : QVariant();
    case Qt::ForegroundRole:
        if (column == FlagsColumn && (row.module.deleted || row.module.memfd || row.module.anonymousExec))
            return QColor(0xb7, 0x1c, 0x1c);
        return {};
    case Qt::FontRole:
        if (column == HashColumn)
            return QFontDatabase::systemFont(QFontDatabase::FixedFont);
        return {};
    case Qt::TextAlignmentRole:
        return column == SizeColumn ? QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
    case SortRole: return sortData(row, column);
    case LevelRole: return static_cast<int>(level);
    case FlaggedRole: return level > Level::Info;
    case PathRole: return toQString(row.module.path);
    case ExportValueRole:
        switch (column) {
        case SizeColumn: return QVariant::fromValue<qulonglong>(row.facts ? row.facts->size : row.mapped);
        case HashColumn: return row.facts ? toQString(row.facts->sha256) : QString();
        }
        return {};
    case ExportExtraValuesRole: {
        QStringList codes;
        for (const auto &reason : row.module.verdict.reasons)
            codes << toQString(reason.code);
        return QVariantList{m_process ? QVariant(m_process->pid) : QVariant(), m_processName,
                            QVariant::fromValue<qulonglong>(row.mapped), codes.join(QLatin1Char(' '))};
    }
    }
    return {};
}

QVariant ModuleTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == ExportExtraColumnsRole)
        return QStringList{QStringLiteral("PID"), QStringLiteral("Process"), QStringLiteral("Mapped bytes"),
                           QStringLiteral("Reasons")};
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case PathColumn: return QStringLiteral("Path");
    case SizeColumn: return QStringLiteral("Size");
    case FlagsColumn: return QStringLiteral("Flags");
    case VerdictColumn: return QStringLiteral("Verdict");
    case PackageColumn: return QStringLiteral("Package");
    case HashColumn: return QStringLiteral("SHA-256");
    case OwnerModeColumn: return QStringLiteral("Owner / mode");
    }
    return {};
}

} // namespace loadlens::ui
