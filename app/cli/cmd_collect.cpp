// loadlens-cli collect: a live scan with verdicts and host facts, written as one portable
// snapshot bundle (the case schema with one snapshot) for import on an analyst's machine.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "pkg/hash_cache.h"
#include "scan/scanner.h"
#include "store/snapshot_writer.h"

#include <cstdio>
#include <iostream>
#include <unistd.h>

namespace loadlens::cli {

namespace {

int runCollect(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("-o").option("--output").option("--pid").option("--root").option("--proc").option("--dpkg-admin");
    parser.option("--hash-cache").flag("--no-hash-cache").flag("--force").flag("--quiet");
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    const auto output = parser.value("--output") ? parser.value("--output") : parser.value("-o");
    if (!output || output->empty())
        return failWith("collect needs -o FILE (e.g. -o $(hostname).llsnap)", 2);
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
    options.dpkgAdminDir = parser.value("--dpkg-admin").value_or("/var/lib/dpkg");
    if (!parser.has("--no-hash-cache"))
        options.hashCachePath = parser.value("--hash-cache").value_or(pkg::defaultHashCachePath());
    options.probeHiddenPids = !options.pid;

    if (::access(output->c_str(), F_OK) == 0) {
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
    const auto facts = store::collectHostFacts(scan.host, options.rootDir, options.procRoot, options.dpkgAdminDir);

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

Scans every process of this host with verdicts (as 'scan' does), adds host facts
(/etc/ld.so.preload and ld.so.conf contents, dpkg status digest, kernel, OS release,
boot time) and writes them as one SQLite file to import elsewhere with 'loadlens-cli import'.
Without root, processes of other users cannot be read completely; what was missed is
recorded per process in the bundle.

Options:
  -o, --output FILE      the bundle to write (e.g. $(hostname).llsnap)
  --force                replace FILE when it exists
  --pid N                only process N
  --hash-cache FILE      file digest cache (default: $XDG_DATA_HOME/loadlens/hash-cache.sqlite)
  --no-hash-cache        hash every file again
  --root DIR, --proc DIR, --dpkg-admin DIR   where to look (collected trees, tests)
  --quiet                no progress on stderr
)",
                      &runCollect});

} // namespace loadlens::cli
