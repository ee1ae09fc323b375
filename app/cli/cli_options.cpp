#include "cli_options.h"

#include <charconv>
#include <sys/stat.h>

namespace loadlens::cli {

namespace {

Error usageError(const std::string &message)
{
    return Error{EINVAL, message + " (see loadlens-cli --help)"};
}

std::optional<int> parsePid(const std::string &text)
{
    int value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0)
        return std::nullopt;
    return value;
}

} // namespace

std::string usageText()
{
    return R"(Usage: loadlens-cli COMMAND [OPTIONS]

Which code is loaded into the processes of this Linux host, and should it be?
LoadLens only reads /proc and files; it never runs or loads what it inspects.

Commands:
  scan                   list every process and its loaded modules with a verdict each
  who-loads NAME         processes that have a module whose path contains NAME
                         (with --case FILE|URL: on every host of the case, latest snapshots)
  explain PID MODULE     all evidence for one module (MODULE: path or part of it)

Scan options:
  --pid N                only process N
  --module REGEX         only modules whose path matches REGEX (ECMAScript syntax)
  --min-level LEVEL      only modules at LEVEL or worse: ok, info, low, medium, high
  --unsigned-only        only modules no package vouches for (not package-verified)
  --json                 machine-readable output (shape documented in the README and in
                         docs/scan.schema.json)
  -o, --output FILE      write the report (table or JSON) to FILE, complete or not at all,
                         instead of standard output; for who-loads and explain too
  --stream               with --json: one JSON object per line as each process is
                         judged ("type": progress, process, finding, summary, error);
                         when standard input is a pipe, closing it cancels the scan
  --no-verdicts          inventory only: no hashing, package or path checks
  --hash-cache FILE      where to keep file digests between scans
                         (default: $XDG_DATA_HOME/loadlens/hash-cache.sqlite;
                         as root /var/cache/loadlens/hash-cache.sqlite)
  --no-hash-cache        hash every file again
  --hijacklibs DIR       the HijackLibs YAML dataset: Windows DLLs that Wine processes
                         load from outside the DLL's expected locations get hijacklibs-match
  --probe-all-pids       probe every pid up to pid_max for hidden processes (slower)
  --interposition WHICH  which modules the hook analysis (interposes-system-functions)
                         reads: unverified (default: those no package verified, and
                         every preloaded one) or all
  --quiet                no progress on stderr
  --case FILE|URL        who-loads: ask the case (all hosts) instead of scanning this one

Where to look (for collected trees and tests):
  --root DIR             root of /etc/ld.so.preload, ld.so.cache (default /)
  --proc DIR             procfs mount (default /proc)
  --dpkg-admin DIR       dpkg database to judge files by (default: the package database
                         under --root, dpkg's var/lib/dpkg or RPM's rpmdb.sqlite)

Logging:
  --log-level LEVEL      trace, debug, info, warn (default), error, off
  --log-file FILE        also log to FILE (rotated at 5 MiB)

Results go to standard output (or -o FILE), errors, warnings and progress to standard error.
Exit status: 0 when the scan ran (processes that could not be read are listed with
their errors), 2 on bad arguments, 1 when the scan could not run at all or its report
could not be written (checked before the scan starts, and again at the end).
)";
}

Result<CliOptions> parseCommandLine(const std::vector<std::string> &args)
{
    CliOptions o;
    if (args.empty())
        return o;
    std::size_t i = 0;
    const std::string &cmd = args[i++];
    if (cmd == "--help" || cmd == "-h" || cmd == "help")
        return o;
    if (cmd == "--version") {
        o.command = Command::Version;
        return o;
    }
    if (cmd == "scan")
        o.command = Command::Scan;
    else if (cmd == "who-loads")
        o.command = Command::WhoLoads;
    else if (cmd == "explain")
        o.command = Command::Explain;
    else
        return usageError("unknown command '" + cmd + "'");
    // --log-level may follow the command: it is handed back by main after the command's own options.

    auto needValue = [&](const std::string &opt) -> Result<std::string> {
        if (i >= args.size())
            return usageError(opt + " needs a value");
        return args[i++];
    };

    while (i < args.size()) {
        const std::string arg = args[i++];
        if (arg == "--help" || arg == "-h") {
            o.command = Command::Help;
            return o;
        }
        if (arg == "--json") {
            o.json = true;
        } else if (arg == "--stream") {
            o.stream = true;
        } else if (arg == "--unsigned-only") {
            o.unsignedOnly = true;
        } else if (arg == "--no-verdicts") {
            o.verdicts = false;
        } else if (arg == "--no-hash-cache") {
            o.hashCache = false;
        } else if (arg == "--probe-all-pids") {
            o.probeAllPids = true;
        } else if (arg == "--quiet" || arg == "-q") {
            o.quiet = true;
        } else if (arg == "--pid") {
            auto v = needValue(arg);
            if (!v)
                return v.error();
            auto pid = parsePid(*v);
            if (!pid)
                return usageError("--pid needs a positive number, not '" + *v + "'");
            o.pid = pid;
        } else if (arg == "--module") {
            auto v = needValue(arg);
            if (!v)
                return v.error();
            o.modulePattern = *v;
        } else if (arg == "--min-level") {
            auto v = needValue(arg);
            if (!v)
                return v.error();
            auto level = parseLevel(*v);
            if (!level)
                return usageError("--min-level takes ok, info, low, medium or high, not '" + *v + "'");
            o.minLevel = *level;
        } else if (arg == "-o" || arg == "--output") {
            auto v = needValue(arg);
            if (!v)
                return v.error();
            o.outputPath = *v;
        } else if (arg == "--case") {
            auto v = needValue(arg);
            if (!v)
                return v.error();
            o.casePath = *v;
        } else if (arg == "--interposition") {
            auto v = needValue(arg);
            if (!v)
                return v.error();
            if (*v != "all" && *v != "unverified")
                return usageError("--interposition takes unverified or all, not '" + *v + "'");
            o.interpositionOfAllModules = *v == "all";
        } else if (arg == "--hijacklibs") {
            auto v = needValue(arg);
            if (!v)
                return v.error();
            struct stat st {};
            if (::stat(v->c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
                return usageError("--hijacklibs needs the directory of the HijackLibs dataset; '" + *v +
                                  "' is not a directory");
            o.hijackLibsDir = *v;
        } else if (arg == "--hash-cache" || arg == "--root" || arg == "--proc" || arg == "--dpkg-admin" ||
                   arg == "--log-level") {
            auto v = needValue(arg);
            if (!v)
                return v.error();
            std::string &target = arg == "--hash-cache"   ? o.hashCachePath
                                  : arg == "--root"       ? o.rootDir
                                  : arg == "--proc"       ? o.procRoot
                                  : arg == "--dpkg-admin" ? o.dpkgAdminDir
                                                          : o.logLevel;
            target = *v;
        } else if (!arg.empty() && arg[0] == '-' && arg != "-") {
            return usageError("unknown option '" + arg + "'");
        } else {
            o.positional.push_back(arg);
        }
    }

    if (o.stream && (o.command != Command::Scan || !o.json))
        return usageError("--stream goes with scan --json");
    if (o.stream && (!o.modulePattern.empty() || o.minLevel != Level::Ok || o.unsignedOnly))
        return usageError("--stream lists every module: --module, --min-level and --unsigned-only do not apply");
    if (o.stream && o.outputPath)
        return usageError("--stream writes to standard output as it goes: -o does not apply");
    if (o.command == Command::Scan && !o.positional.empty())
        return usageError("scan takes no argument '" + o.positional.front() + "'");
    if (o.command == Command::WhoLoads && o.positional.size() != 1)
        return usageError("who-loads needs exactly one NAME");
    if (!o.casePath.empty() && o.command != Command::WhoLoads)
        return usageError("--case applies to who-loads only");
    if (o.command == Command::Explain) {
        if (o.positional.size() != 2)
            return usageError("explain needs PID and MODULE");
        auto pid = parsePid(o.positional[0]);
        if (!pid)
            return usageError("explain needs a positive PID, not '" + o.positional[0] + "'");
        o.pid = pid;
    }
    static const char *levels[] = {"trace", "debug", "info", "warn", "error", "off"};
    bool knownLevel = false;
    for (const char *l : levels)
        knownLevel = knownLevel || o.logLevel == l;
    if (!knownLevel)
        return usageError("--log-level takes trace, debug, info, warn, error or off, not '" + o.logLevel + "'");
    return o;
}

} // namespace loadlens::cli
