#include "casestore/import_target.h"

namespace loadlens::casestore {

ingest::ImportTarget importTarget(CaseStore &store)
{
    if (const store::CaseDatabase *sqlite = store.sqlite())
        return ingest::sqliteTarget(*sqlite);
    ingest::ImportTarget target;
    target.eventWriter = [&store] { return store.eventWriter(); };
    target.bundles = [&store](const std::string &file, const store::BundleImportOptions &options) {
        return store.importBundle(file, options);
    };
    target.name = store.location();
    return target;
}

} // namespace loadlens::casestore
