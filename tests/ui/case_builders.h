#pragma once
// Real data for the case views: a live scan of the test process written as snapshots into a
// temp case or bundle, and events written through store::EventWriter.
#include "common/events.h"
#include "scan/scanner.h"
#include "store/case_database.h"
#include "store/event_store.h"
#include "store/host_facts.h"
#include "store/snapshot_writer.h"

#include <string>
#include <unistd.h>
#include <vector>

namespace loadlens::testing {

// The test process itself: its modules are real files (Qt, libc, ...), hashed and judged.
inline ScanResult scanSelf()
{
    scan::ScanOptions options;
    options.pid = static_cast<int>(::getpid());
    options.probeHiddenPids = false;
    return scan::runScan(options);
}

inline Result<std::int64_t> writeSnapshot(const store::CaseDatabase &db, ScanResult scan, std::int64_t scannedAt,
                                          const std::string &host = {})
{
    scan.scannedAt = scannedAt;
    if (!host.empty())
        scan.host.hostname = host;
    store::SnapshotWriter writer(db);
    return writer.write(scan, store::collectHostFacts(scan.host));
}

// A bundle as `loadlens-cli collect` writes it: a new case file with one snapshot.
inline Status writeBundle(const std::string &path, const ScanResult &scan, std::int64_t scannedAt)
{
    auto db = store::CaseDatabase::open(path, store::OpenMode::CreateNew);
    if (!db)
        return db.error();
    auto id = writeSnapshot(*db, scan, scannedAt);
    if (!id)
        return id.error();
    return Ok{};
}

inline LoadEvent makeLoadEvent(std::uint64_t record, std::int64_t timeUs, Level level, std::string kind = "image-load",
                               std::string host = "WS1", std::string loaded = "C:\\Windows\\System32\\ntdll.dll")
{
    LoadEvent e;
    e.source = "sysmon";
    e.kind = std::move(kind);
    e.eventId = e.kind == "file-create" ? 11 : 7;
    e.timeUs = timeUs;
    e.host = std::move(host);
    e.channel = "Microsoft-Windows-Sysmon/Operational";
    e.recordId = record;
    e.pid = 4242;
    e.image = "C:\\Windows\\explorer.exe";
    e.imageLoaded = std::move(loaded);
    e.signatureState = SignatureState::Valid;
    e.signature = "Microsoft Windows";
    e.verdict.level = level;
    if (level > Level::Ok) {
        Reason reason;
        reason.code = "test-reason";
        reason.level = level;
        reason.text = "loaded from a user-writable directory";
        reason.technique = "T1574.001";
        reason.measure = "Restrict library loading to protected directories";
        reason.evidence = {{"path", e.imageLoaded}};
        e.verdict.reasons.push_back(reason);
    }
    return e;
}

inline Status writeEvents(const store::CaseDatabase &db, const std::vector<LoadEvent> &events)
{
    store::EventWriter writer(db);
    for (const auto &event : events)
        if (auto added = writer.add(event); !added)
            return added;
    return writer.finish();
}

} // namespace loadlens::testing
