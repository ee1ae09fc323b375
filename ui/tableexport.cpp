#include "tableexport.h"

#include "qtstrings.h"

#include <QAbstractItemModel>
#include <QSaveFile>

#include <sstream>

namespace loadlens::ui {

namespace {

// Every LoadLens model puts its raw sort value here (Qt::UserRole + 1 = each model's SortRole).
constexpr int kSortRole = Qt::UserRole + 1;

exporting::Cell cellOf(const QModelIndex &index)
{
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

exporting::Table tableFromModel(const QAbstractItemModel &model)
{
    exporting::Table table;
    const int columns = model.columnCount();
    for (int column = 0; column < columns; ++column)
        table.columns.push_back(toStdString(model.headerData(column, Qt::Horizontal).toString()));
    for (int row = 0; row < model.rowCount(); ++row) {
        std::vector<exporting::Cell> cells;
        cells.reserve(static_cast<std::size_t>(columns));
        for (int column = 0; column < columns; ++column)
            cells.push_back(cellOf(model.index(row, column)));
        table.rows.push_back(std::move(cells));
    }
    return table;
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
