#include "processtreemodel.h"

#include "exportroles.h"

#include "levelstyle.h"
#include "qtstrings.h"

#include <QFont>

#include <algorithm>
#include <set>

namespace loadlens::ui {

ProcessTreeModel::ProcessTreeModel(QObject *parent)
    : QAbstractItemModel(parent)
{
}

ProcessTreeModel::~ProcessTreeModel() = default;

std::vector<ProcessTreeModel::Row> ProcessTreeModel::makeRows(const std::vector<ProcessInfo> &processes,
                                                              const std::vector<Finding> &findings)
{
    std::map<int, Level> findingLevel;
    for (const auto &finding : findings)
        if (finding.pid != 0)
            findingLevel[finding.pid] = std::max(findingLevel[finding.pid], finding.level);

    std::vector<Row> rows;
    rows.reserve(processes.size());
    for (const auto &process : processes) {
        Row row;
        row.key = {process.pid, process.startTime};
        row.ppid = process.ppid;
        row.name = toQString(process.name);
        row.user = toQString(process.user);
        row.exe = toQString(process.exe);
        QStringList args;
        for (const auto &arg : process.cmdline)
            args << toQString(arg);
        row.commandLine = args.join(QLatin1Char(' '));
        row.namespaceHint = toQString(process.namespaceHint);
        row.namespaceKey = namespaceKey(process);
        row.namespaceLabel = namespaceLabel(process);
        row.namespaceFull = process.container.empty()
                                ? row.namespaceKey
                                : toQString(process.container.runtime) + QLatin1Char(' ') + toQString(process.container.id);
        for (const auto &error : process.errors)
            row.errors << toQString(error);
        row.moduleCount = static_cast<int>(process.modules.size());
        for (const auto &module : process.modules) {
            row.worst = std::max(row.worst, module.verdict.level);
            if (module.verdict.level > Level::Info)
                ++row.flaggedModules;
        }
        if (const auto it = findingLevel.find(process.pid); it != findingLevel.end())
            row.worst = std::max(row.worst, it->second);
        row.hidden = process.hidden;
        row.kernelThread = process.kernelThread;
        rows.push_back(std::move(row));
    }
    return rows;
}

// Parent of each process in the new data, by ppid. Loops (pid reuse, damaged input) are cut so
// the result is always a forest: a process whose ancestry returns to itself goes to the top.
std::map<ProcessKey, std::optional<ProcessKey>> ProcessTreeModel::desiredParents(const std::vector<Row> &rows)
{
    std::map<int, ProcessKey> byPid;
    for (const auto &row : rows)
        byPid[row.key.pid] = row.key;
    std::map<ProcessKey, std::optional<ProcessKey>> parents;
    for (const auto &row : rows) {
        const auto it = byPid.find(row.ppid);
        if (row.ppid != row.key.pid && it != byPid.end() && it->second != row.key)
            parents[row.key] = it->second;
        else
            parents[row.key] = std::nullopt;
    }
    for (auto &[key, parent] : parents) {
        std::set<ProcessKey> seen{key};
        std::optional<ProcessKey> walk = parent;
        while (walk) {
            if (!seen.insert(*walk).second) {
                if (*walk == key)
                    parent.reset();
                break;
            }
            walk = parents[*walk];
        }
    }
    return parents;
}

void ProcessTreeModel::resetProcesses(const std::vector<ProcessInfo> &processes, const std::vector<Finding> &findings)
{
    const auto rows = makeRows(processes, findings);
    const auto parents = desiredParents(rows);
    beginResetModel();
    m_root.children.clear();
    m_nodes.clear();
    for (const auto &row : rows) {
        auto node = std::make_unique<Node>();
        node->row = row;
        m_nodes[row.key] = std::move(node);
    }
    for (const auto &row : rows) {
        Node *node = m_nodes[row.key].get();
        const auto &parentKey = parents.at(row.key);
        Node *parent = parentKey ? m_nodes[*parentKey].get() : &m_root;
        if (node->parent)
            continue;  // duplicate key in the input: keep the first placement
        node->parent = parent;
        parent->children.push_back(node);
    }
    endResetModel();
}

void ProcessTreeModel::clear()
{
    beginResetModel();
    m_root.children.clear();
    m_nodes.clear();
    endResetModel();
}

void ProcessTreeModel::mergeProcesses(const std::vector<ProcessInfo> &processes, const std::vector<Finding> &findings)
{
    if (m_nodes.empty()) {
        resetProcesses(processes, findings);
        return;
    }
    const auto rows = makeRows(processes, findings);
    const auto parents = desiredParents(rows);
    std::map<ProcessKey, const Row *> incoming;
    for (const auto &row : rows)
        incoming.emplace(row.key, &row);

    // 1. Processes that are gone. Post-order, so a node is a leaf once its surviving
    //    children have been lifted to the top level.
    std::vector<Node *> vanished;
    const auto collect = [&](auto &&self, Node *node) -> void {
        for (Node *child : node->children)
            self(self, child);
        if (node != &m_root && !incoming.count(node->row.key))
            vanished.push_back(node);
    };
    collect(collect, &m_root);
    for (Node *node : vanished) {
        while (!node->children.empty()) {
            if (!moveNode(node->children.front(), &m_root))
                return resetProcesses(processes, findings);
        }
        removeLeaf(node);
    }

    // 2. Survivors under the wrong parent go to the top level first; after that every
    //    remaining link is one the new data wants, so moving them down cannot form a loop.
    std::vector<Node *> misplaced;
    for (const auto &[key, node] : m_nodes) {
        const auto &want = parents.at(key);
        const std::optional<ProcessKey> have = node->parent == &m_root
            ? std::nullopt : std::optional<ProcessKey>(node->parent->row.key);
        if (want != have)
            misplaced.push_back(node.get());
    }
    for (Node *node : misplaced)
        if (!moveNode(node, &m_root))
            return resetProcesses(processes, findings);

    // 3. New processes, each below its (possibly also new) parent.
    for (const auto &row : rows)
        insertNode(row, parents, incoming);

    // 4. Survivors that belong below another process.
    for (Node *node : misplaced) {
        const auto &want = parents.at(node->row.key);
        if (want && !moveNode(node, m_nodes.at(*want).get()))
            return resetProcesses(processes, findings);
    }

    // 5. Changed values.
    for (const auto &row : rows) {
        Node *node = m_nodes.at(row.key).get();
        if (node->row == row)
            continue;
        node->row = row;
        emit dataChanged(indexOfNode(node, 0), indexOfNode(node, ColumnCount - 1));
    }
}

void ProcessTreeModel::insertNode(const Row &row, const std::map<ProcessKey, std::optional<ProcessKey>> &parents,
                                  const std::map<ProcessKey, const Row *> &incoming)
{
    if (m_nodes.count(row.key))
        return;
    const auto &parentKey = parents.at(row.key);
    if (parentKey && !m_nodes.count(*parentKey))
        insertNode(*incoming.at(*parentKey), parents, incoming);
    Node *parent = parentKey ? m_nodes.at(*parentKey).get() : &m_root;
    const int position = static_cast<int>(parent->children.size());
    beginInsertRows(indexOfNode(parent), position, position);
    auto node = std::make_unique<Node>();
    node->row = row;
    node->parent = parent;
    parent->children.push_back(node.get());
    m_nodes[row.key] = std::move(node);
    endInsertRows();
}

bool ProcessTreeModel::moveNode(Node *node, Node *newParent)
{
    Node *oldParent = node->parent;
    if (oldParent == newParent)
        return true;
    const int from = rowOf(node);
    const int to = static_cast<int>(newParent->children.size());
    if (!beginMoveRows(indexOfNode(oldParent), from, from, indexOfNode(newParent), to))
        return false;
    oldParent->children.erase(oldParent->children.begin() + from);
    newParent->children.push_back(node);
    node->parent = newParent;
    endMoveRows();
    return true;
}

void ProcessTreeModel::removeLeaf(Node *node)
{
    Node *parent = node->parent;
    const int row = rowOf(node);
    beginRemoveRows(indexOfNode(parent), row, row);
    parent->children.erase(parent->children.begin() + row);
    // Freed only after endRemoveRows: views may still ask about the row until then.
    auto owned = std::move(m_nodes.at(node->row.key));
    m_nodes.erase(node->row.key);
    endRemoveRows();
}

ProcessTreeModel::Node *ProcessTreeModel::nodeFor(const QModelIndex &index) const
{
    return index.isValid() ? static_cast<Node *>(index.internalPointer()) : nullptr;
}

int ProcessTreeModel::rowOf(const Node *node) const
{
    const auto &siblings = node->parent->children;
    const auto it = std::find(siblings.begin(), siblings.end(), node);
    return static_cast<int>(it - siblings.begin());
}

QModelIndex ProcessTreeModel::indexOfNode(const Node *node, int column) const
{
    if (!node || node == &m_root)
        return {};
    return createIndex(rowOf(node), column, const_cast<Node *>(node));
}

QModelIndex ProcessTreeModel::indexForKey(const ProcessKey &key, int column) const
{
    const auto it = m_nodes.find(key);
    return it == m_nodes.end() ? QModelIndex() : indexOfNode(it->second.get(), column);
}

std::optional<ProcessKey> ProcessTreeModel::keyAt(const QModelIndex &index) const
{
    if (index.model() != this)
        return std::nullopt;
    const Node *node = nodeFor(index);
    return node ? std::optional<ProcessKey>(node->row.key) : std::nullopt;
}

QModelIndex ProcessTreeModel::index(int row, int column, const QModelIndex &parent) const
{
    if (!hasIndex(row, column, parent))
        return {};
    const Node *parentNode = parent.isValid() ? nodeFor(parent) : &m_root;
    return createIndex(row, column, parentNode->children[static_cast<std::size_t>(row)]);
}

QModelIndex ProcessTreeModel::parent(const QModelIndex &child) const
{
    const Node *node = nodeFor(child);
    if (!node || node->parent == &m_root)
        return {};
    return indexOfNode(node->parent, 0);
}

int ProcessTreeModel::rowCount(const QModelIndex &parent) const
{
    if (parent.column() > 0)
        return 0;
    const Node *node = parent.isValid() ? nodeFor(parent) : &m_root;
    return static_cast<int>(node->children.size());
}

QString ProcessTreeModel::namespaceKey(const ProcessInfo &process)
{
    if (process.namespaceHint.empty() || process.mountNamespace == 0)
        return {};
    return QStringLiteral("mnt:") + QString::number(process.mountNamespace);
}

QString ProcessTreeModel::namespaceLabel(const ProcessInfo &process)
{
    if (!process.container.empty())
        return toQString(process.container.runtime) + QLatin1Char(' ') +
               toQString(process.container.id).left(12);
    if (process.namespaceHint.empty())
        return {};
    if (process.mountNamespace == 0)
        return QStringLiteral("other");
    return QStringLiteral("mnt ") + QString::number(process.mountNamespace);
}

int ProcessTreeModel::columnCount(const QModelIndex &) const
{
    return ColumnCount;
}

QVariant ProcessTreeModel::displayData(const Row &row, int column) const
{
    switch (column) {
    case NameColumn: return row.kernelThread ? QLatin1Char('[') + row.name + QLatin1Char(']') : row.name;
    // pid 0: an executable found on a Windows image (a triage snapshot), not a process.
    case PidColumn: return row.key.pid == 0 ? QStringLiteral("image") : QString::number(row.key.pid);
    case UserColumn: return row.user;
    case ModulesColumn:
        if (row.moduleCount == 0 && !row.errors.isEmpty())
            return QStringLiteral("unreadable");
        return QString::number(row.moduleCount);
    case VerdictColumn:
        if (row.moduleCount == 0 && !row.errors.isEmpty() && row.worst == Level::Ok)
            return QStringLiteral("not read");  // "ok" would claim something nobody checked
        if (row.flaggedModules > 0)
            return QStringLiteral("%1 (%2 flagged)").arg(levelText(row.worst)).arg(row.flaggedModules);
        return levelText(row.worst);
    case NamespaceColumn: return row.namespaceLabel;
    }
    return {};
}

QVariant ProcessTreeModel::sortData(const Row &row, int column) const
{
    switch (column) {
    case NameColumn: return row.name;
    case PidColumn: return row.key.pid;
    case UserColumn: return row.user;
    case ModulesColumn: return row.moduleCount == 0 && !row.errors.isEmpty() ? -1 : row.moduleCount;
    case VerdictColumn: return static_cast<int>(row.worst);
    case NamespaceColumn: return row.namespaceLabel;
    }
    return {};
}

QString ProcessTreeModel::toolTip(const Row &row) const
{
    QStringList lines;
    if (row.key.pid == 0)
        lines << QStringLiteral("%1 (an executable on a Windows image: it did not run)").arg(row.name);
    else
        lines << QStringLiteral("%1 (pid %2, ppid %3)").arg(row.name).arg(row.key.pid).arg(row.ppid);
    if (!row.exe.isEmpty())
        lines << QStringLiteral("exe: ") + row.exe;
    if (!row.commandLine.isEmpty())
        lines << QStringLiteral("cmdline: ") + row.commandLine;
    if (row.hidden)
        lines << QStringLiteral("HIDDEN: answers a pid probe but is missing from the /proc listing");
    if (!row.namespaceHint.isEmpty())
        lines << QStringLiteral("namespace: ") + row.namespaceHint +
                     QStringLiteral(" (its modules are judged against its own root)");
    if (!row.namespaceLabel.isEmpty() && !row.namespaceLabel.startsWith(QStringLiteral("mnt ")))
        lines << QStringLiteral("container: ") + row.namespaceLabel;
    for (const auto &error : row.errors)
        lines << QStringLiteral("could not read: ") + error;
    return lines.join(QLatin1Char('\n'));
}

QVariant ProcessTreeModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid))
        return {};
    const Row &row = nodeFor(index)->row;
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole: return displayData(row, column);
    case Qt::ToolTipRole: return toolTip(row);
    case Qt::DecorationRole:
        if (column == NameColumn && row.hidden)
            return hiddenProcessIcon();
        if (column == NameColumn && !row.errors.isEmpty())
            return unreadableProcessIcon();
        if (column == VerdictColumn && !(row.moduleCount == 0 && !row.errors.isEmpty() && row.worst == Level::Ok))
            return levelIcon(row.worst);
        return {};
    case Qt::BackgroundRole:
        if (column == VerdictColumn && levelBackground(row.worst).isValid())
            return levelBackground(row.worst);
        if (row.hidden)
            return QColor(0xee, 0xdd, 0xf6);
        return {};
    case Qt::ForegroundRole:
        if (row.hidden)
            return QColor(0x4a, 0x14, 0x8c);
        if (row.kernelThread)
            return QColor(Qt::darkGray);
        return {};
    case Qt::FontRole:
        if (row.hidden) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::TextAlignmentRole:
        if (column == PidColumn || column == ModulesColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    case SortRole: return sortData(row, column);
    case PidRole: return row.key.pid;
    case StartTimeRole: return QVariant::fromValue<qulonglong>(row.key.startTime);
    case LevelRole: return static_cast<int>(row.worst);
    case FlaggedRole: return row.worst > Level::Info;
    case HiddenRole: return row.hidden;
    case ReadErrorsRole: return row.errors;
    case ModuleCountRole: return row.moduleCount;
    case NamespaceRole: return row.namespaceKey;
    case ExportValueRole: return exportData(row, column);
    case ExportKeyRole: return row.key.pid;
    case ExportExtraValuesRole:
        return QVariantList{row.ppid,
                            QVariant::fromValue<qulonglong>(row.key.startTime),
                            row.exe,
                            row.commandLine,
                            row.flaggedModules,
                            row.kernelThread,
                            row.hidden,
                            row.errors.join(QStringLiteral("; "))};
    }
    return {};
}

QVariant ProcessTreeModel::exportData(const Row &row, int column) const
{
    const bool unread = row.moduleCount == 0 && !row.errors.isEmpty();
    switch (column) {
    case NameColumn: return row.name;
    case PidColumn: return row.key.pid;
    case ModulesColumn: return unread ? QVariant() : QVariant(row.moduleCount);
    case VerdictColumn: return unread && row.worst == Level::Ok ? QVariant() : QVariant(levelText(row.worst));
    case NamespaceColumn: return row.namespaceFull;
    }
    return {};
}

QVariant ProcessTreeModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation == Qt::Horizontal && role == ExportTreeRole)
        return true;
    if (orientation == Qt::Horizontal && role == ExportExtraColumnsRole)
        return QStringList{QStringLiteral("PPID"),          QStringLiteral("Start time (ticks)"), QStringLiteral("Executable"),
                           QStringLiteral("Command line"),  QStringLiteral("Flagged modules"),   QStringLiteral("Kernel thread"),
                           QStringLiteral("Hidden"),        QStringLiteral("Read errors")};
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return QStringLiteral("Process");
    case PidColumn: return QStringLiteral("PID");
    case UserColumn: return QStringLiteral("User");
    case ModulesColumn: return QStringLiteral("Modules");
    case VerdictColumn: return QStringLiteral("Verdict");
    case NamespaceColumn: return QStringLiteral("Namespace");
    }
    return {};
}

} // namespace loadlens::ui
