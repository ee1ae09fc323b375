#pragma once
// One entry point for every file a user imports into a case: snapshot bundles, Sysmon logs
// (EVTX, XML, JSON) and auditd logs. Detects the format, parses, judges every event once and
// stores it idempotently. Used by `loadlens-cli import` and the GUI's import worker.
#include "common/cancel.h"
#include "common/events.h"
#include "store/bundle_import.h"
#include "store/case_database.h"

#include <functional>
#include <memory>
#include <string>

namespace loadlens::hijacklibs {
class Dataset;
}

namespace loadlens::store {
class EventBatchWriter;
}

namespace loadlens::ingest {

// Where an import goes: the store's event writer, and the SQLite case that takes snapshot
// bundles, or else the store's own bundle importer (neither: bundles are refused with `name`).
struct ImportTarget {
    std::function<std::unique_ptr<store::EventBatchWriter>()> eventWriter;
    const store::CaseDatabase *snapshots = nullptr;
    std::function<ImportReport(const std::string &file, const store::BundleImportOptions &options)> bundles;
    std::string name;
};
ImportTarget sqliteTarget(const store::CaseDatabase &db);

struct ImportOptions {
    std::string hijackLibsDir;       // HijackLibs YAML dataset; empty = no HijackLibs checks
    std::string defaultHost;         // for logs that do not name their host (auditd without node=)
    double timeBudgetSeconds = 0;    // per file; 0 = none. A cut-short import says so.
    std::size_t processesPerBatch = 0;  // bundles: processes per transaction; 0 = the store's default
    ProgressFn progress;             // events stored so far (total unknown: 0), step names the file
    CancelToken cancel;
};

// Loads the HijackLibs dataset once for many files.
class Importer {
public:
    explicit Importer(ImportOptions options);
    ~Importer();
    Importer(const Importer &) = delete;
    Importer &operator=(const Importer &) = delete;

    // Problems loading the HijackLibs dataset (empty when none or not asked for).
    const std::vector<std::string> &datasetProblems() const { return m_datasetProblems; }
    // Whether a HijackLibs dataset was asked for and loaded (at least one entry).
    bool hasDataset() const { return m_dataset != nullptr; }

    ImportReport importFile(const store::CaseDatabase &db, const std::string &path);
    ImportReport importFile(const ImportTarget &target, const std::string &path);

private:
    ImportReport importEvents(const ImportTarget &target, const std::string &path, std::string_view format);

    ImportOptions m_options;
    std::unique_ptr<hijacklibs::Dataset> m_dataset;
    std::vector<std::string> m_datasetProblems;
};

ImportReport importFile(const store::CaseDatabase &db, const std::string &path, const ImportOptions &options);

} // namespace loadlens::ingest
