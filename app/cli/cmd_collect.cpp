// loadlens-cli collect: a live scan with verdicts and host facts, written as one portable
// snapshot bundle (the case schema with one snapshot) for import on an analyst's machine, or
// pushed straight into a ClickHouse case (--push).
#include "arg_parser.h"
#include "casestore/case_store.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "pkg/hash_cache.h"
#include "scan/scanner.h"
#include "store/snapshot_writer.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace loadlens::cli {

namespace {

// A directory only this user can enter, removed with what it holds.
class PrivateDir {
public:
    Status create()
    {
        const char *tmp = std::getenv("TMPDIR");
        std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/loadlens-push.XXXXXX";
        if (!::mkdtemp(pattern.data()))
            return Error::fromErrno(errno, "cannot make a private directory for the bundle (" + pattern + ")");
        m_path = pattern;
        return Ok{};
    }
    ~PrivateDir()
    {
        if (m_path.empty())
            return;
        for (const char *name : {"/bundle.llsnap", "/bundle.llsnap.partial", "/bundle.llsnap-journal", "/bundle.llsnap.partial-journal"})
            ::unlink((m_path + name).c_str());
        ::rmdir(m_path.c_str());
    }
    const std::string &path() const { return m_path; }

private:
    std::string m_path;
};

int runCollect(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("-o").option("--output").option("--pid").option("--root").option("--proc").option("--dpkg-admin");
    parser.option("--hash-cache").flag("--no-hash-cache").flag("--force").flag("--quiet").option("--push");
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    auto output = parser.value("--output") ? parser.value("--output") : parser.value("-o");
    const auto push = parser.value("--push");
    if (push && output)
        return failWith("collect writes a bundle (-o FILE) or pushes to a case (--push URL), not both", 2);
    if (push && !casestore::isServerLocation(*push))
        return failWith("--push takes a ClickHouse case: clickhouse://HOST:PORT/DATABASE (or clickhouses://)", 2);
    if (!push && (!output || output->empty()))
        return failWith("collect needs -o FILE (e.g. -o $(hostname).llsnap) or --push clickhouse://HOST:PORT/DB", 2);
    if (!parser.positional().empty())
        return failWith("collect takes no argument '" + parser.positional().front() + "'", 2);
    auto pid = parser.integer("--pid");
    if (!pid)
        return failWith(pid.error().message, 2);

    scan::ScanOptions options;
    if (*pid) {
        if (**pid <= 0)
            return failWith("--pid needs a positive number", 2);
        options.pid = static_cast<int>(**pid);
    }
    options.rootDir = parser.value("--root").value_or("/");
    options.procRoot = parser.value("--proc").value_or("/proc");
    options.dpkgAdminDir = parser.value("--dpkg-admin").value_or("");  // empty: the database under --root
    if (!parser.has("--no-hash-cache"))
        options.hashCachePath = parser.value("--hash-cache").value_or(pkg::defaultHashCachePath());
    options.probeHiddenPids = !options.pid;

    // --push: the case is opened (and made) before the scan, so a wrong address or password
    // costs no scan; the bundle is written to a private directory, imported through the same
    // path as 'import' and removed.
    std::unique_ptr<casestore::CaseStore> target;
    PrivateDir scratch;
    if (push) {
        auto opened = openStore(*push, store::OpenMode::ReadWrite);
        if (!opened)
            return failWith(opened.error().message, 1);
        target = std::move(*opened);
        if (auto s = scratch.create(); !s)
            return failWith(s.error().message, 1);
        output = scratch.path() + "/bundle.llsnap";
    }
    if (!push && ::access(output->c_str(), F_OK) == 0) {
        if (!parser.has("--force"))
            return failWith(*output + " already exists (use --force to replace it)", 2);
    }
    // Written beside the target and renamed at the end: a half-written bundle never carries
    // the final name.
    const std::string partial = *output + ".partial";
    ::unlink(partial.c_str());

    const ProgressFn progress = progressLine(parser.has("--quiet"));
    ScanResult scan = scan::runScan(options, progress);
    clearProgressLine(progress);
    const auto facts = store::collectHostFacts(scan.host, options.rootDir, options.procRoot,
                                              parser.value("--dpkg-admin").value_or("/var/lib/dpkg"));

    auto bundle = store::CaseDatabase::open(partial, store::OpenMode::CreateNew);
    if (!bundle)
        return failWith(bundle.error().message, 1);
    store::SnapshotWriter writer(*bundle);
    auto id = writer.write(scan, facts);
    if (!id) {
        ::unlink(partial.c_str());
        return failWith(id.error().message, 1);
    }
    { auto closing = std::move(*bundle); }
    if (::rename(partial.c_str(), output->c_str()) != 0) {
        const int err = errno;
        ::unlink(partial.c_str());
        return failWith(Error::fromErrno(err, "cannot move the bundle to " + *output).message, 1);
    }
    int modules = 0;
    int withErrors = 0;
    for (const auto &p : scan.processes) {
        modules += static_cast<int>(p.modules.size());
        withErrors += p.errors.empty() ? 0 : 1;
    }
    if (push) {
        store::BundleImportOptions importOptions;
        importOptions.progress = progress;
        const ImportReport report = target->importBundle(*output, importOptions);
        clearProgressLine(progress);
        for (const auto &note : report.notes)
            std::cerr << "note: " << note << "\n";
        if (!report.errors.empty() || !report.complete) {
            for (const auto &e : report.errors)
                std::cerr << "loadlens-cli: " << e << "\n";
            return failWith("the push to " + target->location() + " did not complete; run collect --push again", 1);
        }
        std::cerr << "pushed " << scan.host.hostname << " to " << target->location() << ": " << scan.processes.size()
                  << " processes, " << modules << " modules, " << scan.findings.size() << " findings; "
                  << report.imported << " rows imported, " << report.duplicates << " already there\n";
        return 0;
    }
    std::cerr << "wrote " << *output << ": " << scan.host.hostname << ", " << scan.processes.size() << " processes, "
              << modules << " modules, " << scan.findings.size() << " findings";
    if (withErrors > 0)
        std::cerr << "; " << withErrors << (withErrors == 1 ? " process" : " processes")
                  << " could not be read completely (their errors are recorded"
                  << (::geteuid() != 0 ? "; run as root for a full collection" : "") << ")";
    std::cerr << "\n";
    return 0;
}

} // namespace

LOADLENS_CLI_COMMAND({"collect", "scan this host and write a portable snapshot bundle (-o HOST.llsnap)",
                      R"(Usage: loadlens-cli collect -o FILE [OPTIONS]
       loadlens-cli collect --push clickhouse://HOST:PORT/DATABASE [OPTIONS]

Scans every process of this host with verdicts (as 'scan' does), adds host facts
(/etc/ld.so.preload and ld.so.conf contents, dpkg status digest, kernel, OS release,
boot time) and writes them as one SQLite file to import elsewhere with 'loadlens-cli import',
or (--push) stores them straight in a ClickHouse case.
Without root, processes of other users cannot be read completely; what was missed is
recorded per process in the bundle.

Options:
  -o, --output FILE      the bundle to write (e.g. $(hostname).llsnap)
  --push URL             insert the snapshot into the ClickHouse case at URL (clickhouses://
                         for TLS; credentials as for --case), no bundle file left behind
  --force                replace FILE when it exists
  --pid N                only process N
  --hash-cache FILE      file digest cache (default: $XDG_DATA_HOME/loadlens/hash-cache.sqlite)
  --no-hash-cache        hash every file again
  --root DIR, --proc DIR, --dpkg-admin DIR   where to look (collected trees, tests)
  --quiet                no progress on stderr
)",
                      &runCollect});

} // namespace loadlens::cli
