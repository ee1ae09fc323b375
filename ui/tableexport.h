#pragma once
// Any table view's model as an export table (core/export): the header texts as column names,
// then the model's export-only columns (exportroles.h). Each cell is the model's raw export
// value where it gives one, else the display text, typed as an integer or a number where the
// model's sort role holds one. A proxy exports what the view shows: its filter and its order,
// every row of it: a tree is flattened depth first, with "depth" and "parent" columns.
#include "common/result.h"
#include "export/table.h"

#include <QString>

class QAbstractItemModel;

namespace loadlens::ui {

exporting::Table tableFromModel(const QAbstractItemModel &model);
// The rows tableFromModel writes: every row of a tree, not only the top level.
qsizetype exportedRowCount(const QAbstractItemModel &model);

enum class TableFormat { Csv, Json };
// CSV unless the file name ends in .json.
TableFormat tableFormatFor(const QString &fileName);
// Writes through a temporary file and renames, so a failed export leaves no half file.
Status writeTableFile(const exporting::Table &table, const QString &fileName, TableFormat format);

} // namespace loadlens::ui
