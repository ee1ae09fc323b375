#include "cmd_case_support.h"

#include "casestore/case_store.h"

#include <cstdio>
#include <iostream>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::cli {

std::string casePathFrom(const ArgParser &args) { return args.value("--case").value_or(store::defaultCasePath()); }

Result<store::CaseDatabase> openCase(const std::string &path, store::OpenMode mode)
{
    if (casestore::isServerLocation(path))
        return Error{EINVAL, "a ClickHouse case holds events (import, events, timeline, stack --events, case list); "
                             "snapshot bundles and the commands over them need a SQLite case for now"};
    struct stat st {};
    if (mode == store::OpenMode::ReadOnly && ::stat(path.c_str(), &st) != 0)
        return Error{ENOENT, "no case at " + path + " (import bundles with 'loadlens-cli import', or name one with --case FILE)"};
    return store::CaseDatabase::open(path, mode);
}

Result<std::unique_ptr<casestore::CaseStore>> openStore(const std::string &location, store::OpenMode mode)
{
    casestore::OpenOptions options;
    options.mode = mode;
    return casestore::openStore(location, options);
}

int failWith(const std::string &message, int status)
{
    std::cerr << "loadlens-cli: " << message << "\n";
    return status;
}

ProgressFn progressLine(bool quiet)
{
    if (quiet || !::isatty(STDERR_FILENO))
        return {};
    return [](std::size_t done, std::size_t total, const std::string &step) {
        std::fprintf(stderr, "\r\033[K%s %zu/%zu", step.c_str(), done, total);
        std::fflush(stderr);
    };
}

void clearProgressLine(const ProgressFn &progress)
{
    if (progress)
        std::fprintf(stderr, "\r\033[K");
}

} // namespace loadlens::cli
