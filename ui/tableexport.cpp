#include "tableexport.h"

#include "exportroles.h"
#include "qtstrings.h"

#include <QAbstractItemModel>
#include <QSaveFile>

#include <functional>
#include <sstream>

namespace loadlens::ui {

namespace {

// Every LoadLens model puts its raw sort value here (Qt::UserRole + 1 = each model's SortRole).
constexpr int kSortRole = Qt::UserRole + 1;

exporting::Cell rawCell(const QVariant &raw)
{
    switch (raw.typeId()) {
    case QMetaType::UnknownType: return exporting::Cell::null();
    case QMetaType::Bool: return exporting::Cell::boolean(raw.toBool());
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong: return exporting::Cell::integer(raw.toLongLong());
    case QMetaType::Double: return exporting::Cell::real(raw.toDouble());
    case QMetaType::QStringList: return exporting::Cell::text(toStdString(raw.toStringList().join(QLatin1Char(' '))));
    default: break;
    }
    const QString text = raw.toString();
    return text.isEmpty() ? exporting::Cell::null() : exporting::Cell::text(toStdString(text));
}

exporting::Cell cellOf(const QModelIndex &index)
{
    if (const QVariant exported = index.data(ExportValueRole); exported.isValid())
        return rawCell(exported);
    const QVariant raw = index.data(kSortRole);
    const QString text = index.data(Qt::DisplayRole).toString();
    if (text.isEmpty())
        return exporting::Cell::null();  // the view shows nothing there, whatever it sorts by
    switch (raw.typeId()) {
    case QMetaType::Int:
    case QMetaType::LongLong:
    case QMetaType::UInt:
    case QMetaType::ULongLong:
        // A level sorts by its number but reads as its name: keep the text the view shows.
        if (text == QString::number(raw.toLongLong()))
            return exporting::Cell::integer(raw.toLongLong());
        break;
    case QMetaType::Double:
        return exporting::Cell::real(raw.toDouble());
    default:
        break;
    }
    return exporting::Cell::text(toStdString(text));
}

} // namespace

namespace {

struct Layout {
    int columns = 0;
    qsizetype extras = 0;
    bool tree = false;
};

void appendRows(const QAbstractItemModel &model, const Layout &layout, const QModelIndex &parent, std::int64_t depth,
                exporting::Table &table)
{
    exporting::Cell parentCell = exporting::Cell::null();
    if (parent.isValid()) {
        const QVariant key = parent.data(ExportKeyRole);
        parentCell = key.isValid() ? rawCell(key) : cellOf(parent);
    }
    for (int row = 0; row < model.rowCount(parent); ++row) {
        std::vector<exporting::Cell> cells;
        cells.reserve(static_cast<std::size_t>(layout.columns + layout.extras + 2));
        for (int column = 0; column < layout.columns; ++column)
            cells.push_back(cellOf(model.index(row, column, parent)));
        const QModelIndex first = model.index(row, 0, parent);
        const QVariantList extras = first.data(ExportExtraValuesRole).toList();
        for (qsizetype extra = 0; extra < layout.extras; ++extra)
            cells.push_back(extra < extras.size() ? rawCell(extras[extra]) : exporting::Cell::null());
        if (layout.tree) {
            cells.push_back(exporting::Cell::integer(depth));
            cells.push_back(parentCell);
        }
        table.rows.push_back(std::move(cells));
        if (layout.tree && model.hasChildren(first))
            appendRows(model, layout, first, depth + 1, table);
    }
}

} // namespace

exporting::Table tableFromModel(const QAbstractItemModel &model)
{
    exporting::Table table;
    Layout layout;
    layout.columns = model.columnCount();
    for (int column = 0; column < layout.columns; ++column)
        table.columns.push_back(toStdString(model.headerData(column, Qt::Horizontal).toString()));
    const QStringList extras = model.headerData(0, Qt::Horizontal, ExportExtraColumnsRole).toStringList();
    layout.extras = extras.size();
    for (const QString &extra : extras)
        table.columns.push_back(toStdString(extra));
    layout.tree = model.headerData(0, Qt::Horizontal, ExportTreeRole).toBool();
    if (layout.tree) {
        table.columns.push_back("depth");
        table.columns.push_back("parent");
    }
    appendRows(model, layout, {}, 0, table);
    return table;
}

qsizetype exportedRowCount(const QAbstractItemModel &model)
{
    const bool tree = model.headerData(0, Qt::Horizontal, ExportTreeRole).toBool();
    qsizetype rows = 0;
    const std::function<void(const QModelIndex &)> count = [&](const QModelIndex &parent) {
        for (int row = 0; row < model.rowCount(parent); ++row) {
            ++rows;
            if (tree)
                count(model.index(row, 0, parent));
        }
    };
    count({});
    return rows;
}

TableFormat tableFormatFor(const QString &fileName)
{
    return fileName.endsWith(QStringLiteral(".json"), Qt::CaseInsensitive) ? TableFormat::Json : TableFormat::Csv;
}

Status writeTableFile(const exporting::Table &table, const QString &fileName, TableFormat format)
{
    std::ostringstream out;
    if (format == TableFormat::Json)
        exporting::writeJson(out, table);
    else
        exporting::writeCsv(out, table);
    const std::string bytes = out.str();
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly))
        return Error{0, "cannot write " + toStdString(fileName) + ": " + toStdString(file.errorString())};
    if (file.write(bytes.data(), static_cast<qint64>(bytes.size())) != static_cast<qint64>(bytes.size()) || !file.commit())
        return Error{0, "cannot write " + toStdString(fileName) + ": " + toStdString(file.errorString())};
    return Ok{};
}

} // namespace loadlens::ui
