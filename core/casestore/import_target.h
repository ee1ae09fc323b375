#pragma once
// The importer's target for a case on any store: bundles and events.
#include "casestore/case_store.h"
#include "ingest/importer.h"

namespace loadlens::casestore {

// `store` must outlive the target.
ingest::ImportTarget importTarget(CaseStore &store);

} // namespace loadlens::casestore
