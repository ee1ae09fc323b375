#pragma once
// The modules of one process with the facts of their files. Rows are keyed by path + device +
// inode, so a rescan of the same process is merged in place and the selected module stays.
#include "common/types.h"
#include "processtreemodel.h"

#include <QAbstractTableModel>

#include <map>
#include <optional>
#include <tuple>
#include <vector>

namespace loadlens::ui {

class ModuleTableModel final : public QAbstractTableModel {
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ModuleTableModel)

public:
    enum Column {
        PathColumn,
        SizeColumn,
        FlagsColumn,
        VerdictColumn,
        PackageColumn,
        HashColumn,
        OwnerModeColumn,
        ColumnCount
    };
    enum Role {
        SortRole = Qt::UserRole + 1,  // raw value: path, bytes, flag bits, level, package, hash, mode
        LevelRole,                    // int(Level)
        FlaggedRole,                  // bool: verdict above info
        PathRole,                     // QString, unelided
    };
    Q_ENUM(Column)
    Q_ENUM(Role)

    explicit ModuleTableModel(QObject *parent = nullptr);
    ~ModuleTableModel() override;

    // Shows the modules of `process`. The same process again (a rescan) is merged by module key;
    // another process is a new data set and resets the model. `processName` goes into exports.
    void setModules(const ProcessKey &process, const std::vector<ModuleRecord> &modules,
                    const std::map<FileKey, FileFacts> &files, const QString &processName = {});
    void clear();

    std::optional<ProcessKey> process() const { return m_process; }
    const ModuleRecord *moduleAt(int row) const;
    const FileFacts *factsAt(int row) const;  // nullptr when the file was not examined

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    // path, dev, inode, start address of an anonymous region, repeat number
    using ModuleKey = std::tuple<std::string, std::uint64_t, std::uint64_t, std::uint64_t, int>;
    struct Row {
        ModuleKey key;
        ModuleRecord module;
        std::optional<FileFacts> facts;
        std::uint64_t mapped = 0;
    };
    static std::vector<Row> makeRows(const std::vector<ModuleRecord> &modules,
                                     const std::map<FileKey, FileFacts> &files);
    QVariant displayData(const Row &row, int column) const;
    QVariant sortData(const Row &row, int column) const;
    QString toolTip(const Row &row, int column) const;

    std::optional<ProcessKey> m_process;
    QString m_processName;
    std::vector<Row> m_rows;
};

} // namespace loadlens::ui
