#pragma once
// Roles a model answers so that table exports (tableexport.h) carry raw values instead of what
// the view shows: full hashes instead of elided ones, bytes instead of "118.4 KiB", every reason
// code instead of the worst level. Proxies forward them like any other role.
#include <Qt>

namespace loadlens::ui {

enum ExportRole : int {
    // data(): a cell's raw value (QString, an integer type, double). Invalid: the display text
    // is exported.
    ExportValueRole = Qt::UserRole + 200,
    // headerData(0, Qt::Horizontal): a QStringList of columns that only exports carry.
    ExportExtraColumnsRole,
    // data() of a row's column 0: a QVariantList, one value per extra column.
    ExportExtraValuesRole,
    // data() of a row's column 0: what a child row's "parent" column names (e.g. the pid).
    ExportKeyRole,
    // headerData(0, Qt::Horizontal): true for a tree; its export gets "depth" and "parent".
    ExportTreeRole,
};

} // namespace loadlens::ui
