#pragma once
// The process tree (by ppid) of one scan. Rows are keyed by pid + start time so a rescan can
// be merged in place: selection, expansion and scroll position survive a refresh.
#include "common/types.h"

#include <QAbstractItemModel>
#include <QStringList>

#include <compare>
#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace loadlens::ui {

struct ProcessKey {
    int pid = 0;
    std::uint64_t startTime = 0;
    auto operator<=>(const ProcessKey &) const = default;
};

class ProcessTreeModel final : public QAbstractItemModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProcessTreeModel)

public:
    // Namespace: empty for LoadLens's own mount namespace, else the container (runtime and
    // short id) or the namespace's inode.
    enum Column { NameColumn, PidColumn, UserColumn, ModulesColumn, VerdictColumn, NamespaceColumn, ColumnCount };
    enum Role {
        SortRole = Qt::UserRole + 1,  // raw value of the column: name, pid, user, count, level
        PidRole,                      // int
        StartTimeRole,                // qulonglong
        LevelRole,                    // int(Level): worst of the modules and process findings
        FlaggedRole,                  // bool: LevelRole > info
        HiddenRole,                   // bool
        ReadErrorsRole,               // QStringList: what could not be read
        ModuleCountRole,              // int
        NamespaceRole,                // QString: namespaceKey() of the process; empty for LoadLens's own
    };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit ProcessTreeModel(QObject *parent = nullptr);
    ~ProcessTreeModel() override;

    // A brand-new data set (first scan, other host): resets the model.
    void resetProcesses(const std::vector<ProcessInfo> &processes, const std::vector<Finding> &findings);
    // A rescan of the same host: rows are inserted, removed, moved and updated in place.
    void mergeProcesses(const std::vector<ProcessInfo> &processes, const std::vector<Finding> &findings);
    void clear();

    // What the namespace filter compares: "" for LoadLens's own mount namespace (or unknown),
    // "mnt:INODE" for another, and the label shown for it.
    static QString namespaceKey(const ProcessInfo &process);
    static QString namespaceLabel(const ProcessInfo &process);

    QModelIndex indexForKey(const ProcessKey &key, int column = 0) const;
    std::optional<ProcessKey> keyAt(const QModelIndex &index) const;
    int processCount() const { return static_cast<int>(m_nodes.size()); }

    QModelIndex index(int row, int column, const QModelIndex &parent = {}) const override;
    QModelIndex parent(const QModelIndex &child) const override;
    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        ProcessKey key;
        int ppid = 0;
        QString name;
        QString user;
        QString exe;
        QString commandLine;
        QString namespaceHint;
        QString namespaceKey;
        QString namespaceLabel;
        QString namespaceFull;  // exports: the whole container id, or the namespace key
        QStringList errors;
        int moduleCount = 0;
        int flaggedModules = 0;
        Level worst = Level::Ok;
        bool hidden = false;
        bool kernelThread = false;
        bool operator==(const Row &) const = default;
    };
    struct Node {
        Row row;
        Node *parent = nullptr;
        std::vector<Node *> children;
    };

    static std::vector<Row> makeRows(const std::vector<ProcessInfo> &processes, const std::vector<Finding> &findings);
    static std::map<ProcessKey, std::optional<ProcessKey>> desiredParents(const std::vector<Row> &rows);

    Node *nodeFor(const QModelIndex &index) const;
    QModelIndex indexOfNode(const Node *node, int column = 0) const;
    int rowOf(const Node *node) const;
    bool moveNode(Node *node, Node *newParent);
    void removeLeaf(Node *node);
    void insertNode(const Row &row, const std::map<ProcessKey, std::optional<ProcessKey>> &parents,
                    const std::map<ProcessKey, const Row *> &incoming);
    QVariant displayData(const Row &row, int column) const;
    QVariant sortData(const Row &row, int column) const;
    QVariant exportData(const Row &row, int column) const;
    QString toolTip(const Row &row) const;

    Node m_root;
    std::map<ProcessKey, std::unique_ptr<Node>> m_nodes;
};

} // namespace loadlens::ui
