#pragma once
// Imports snapshot bundles (loadlens-cli collect) into a case. Idempotent: rows are matched on
// natural keys, so a bundle imported twice adds nothing. Atomic per batch: the processes of a
// snapshot go in batches, each one transaction; a snapshot is marked complete (and seen by the
// analysis) only by the last one. An interrupted import leaves the committed batches, and
// running it again finishes the snapshot.
#include "common/cancel.h"
#include "common/events.h"
#include "store/case_database.h"

#include <string>

namespace loadlens::store {

struct BundleImportOptions {
    std::size_t processesPerBatch = 64;
    ProgressFn progress;  // processes done/total of the current bundle, step "importing FILE"
    CancelToken cancel;
};

// The bundle is opened read-only and checked first (SQLite header, application_id, schema
// version, quick_check, references); a file that fails is reported in `errors` with nothing
// imported. recordsRead counts the bundle's rows (snapshots, facts, files, processes, modules,
// findings); imported + duplicates = recordsRead for a complete import.
ImportReport importBundle(const CaseDatabase &db, const std::string &file, const BundleImportOptions &options = {});

// The checks of importBundle on a bundle opened read-only and verified (CaseDatabase::open(file,
// ReadOnly, true)): references intact; its complete snapshots, oldest id first (incomplete ones
// are noted in `report`). For importers into other stores.
Result<std::vector<std::int64_t>> completeBundleSnapshots(const CaseDatabase &bundle, const std::string &file,
                                                          ImportReport &report);

// Whether the bundle's module rows name module_shapes (schema 4 on) or carry their confirmation
// and absolute ranges themselves (older bundles).
Result<bool> bundleHasModuleShapes(const CaseDatabase &bundle);

} // namespace loadlens::store
