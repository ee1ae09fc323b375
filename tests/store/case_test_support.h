#pragma once
// Shared by the store and analysis tests: real scans of fixture processes written as bundles,
// and row counts read straight from SQLite.
#include "common/types.h"
#include "store/case_database.h"
#include "store/host_facts.h"

#include <QString>

namespace loadlens::testing {

// A live scan with verdicts of one process (no hash cache, so nothing outside the test dir).
ScanResult scanPid(int pid);
// Writes `scan` as a new bundle file; returns an empty string on success, else the error.
QString writeBundle(const QString &path, const ScanResult &scan, const store::HostFacts &facts = {});
// count(*) of a table or query; -1 on error.
qint64 countRows(const store::CaseDatabase &db, const QString &fromWhere);
// "ok" when PRAGMA integrity_check and foreign_key_check find nothing.
QString integrityOf(const QString &path);

} // namespace loadlens::testing
