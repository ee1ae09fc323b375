#pragma once
// Real data for export tests: a fixture process with a library preloaded from a temporary
// directory (a high verdict), plus a library with a hostile file name opened the same way,
// scanned for real; and hand-built log events of each kind.
#include <QTemporaryDir>

#include "common/events.h"
#include "common/types.h"
#include "fixture_process.h"

#include <vector>

namespace loadlens::testing {

class PreloadedFixture {
public:
    // Copies the fixture library to <tmp>/libhook.so (LD_PRELOAD) and to a file whose name holds
    // a comma, quotes, a newline and a non-ASCII letter (opened with --dlopen), starts the
    // fixture program under the name "=SUM(1,2)", scans it.
    bool start();
    QString error() const { return m_error; }
    const ScanResult &scan() const { return m_scan; }
    int pid() const { return m_process.pid(); }
    QString preloadedPath() const;
    QString hostileNamePath() const;
    const ModuleRecord *module(const QString &path) const;

private:
    QTemporaryDir m_dir;
    FixtureProcess m_process;
    ScanResult m_scan;
    QString m_error;
};

// An EID 7 image load (unsigned DLL from a user directory, with a preload-style reason), an
// EID 1 process creation, an EID 11 file creation and an auditd preload-config write.
std::vector<LoadEvent> handBuiltEvents();

} // namespace loadlens::testing
