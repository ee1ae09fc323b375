#include "cmd_case_support.h"

#include "casestore/case_store.h"

#include <cstdio>
#include <ctime>
#include <iostream>
#include <unistd.h>

namespace loadlens::cli {

std::string casePathFrom(const ArgParser &args) { return args.value("--case").value_or(store::defaultCasePath()); }

Result<store::CaseDatabase> openCase(const std::string &path, store::OpenMode mode)
{
    if (casestore::isServerLocation(path))
        return Error{EINVAL, path + " is a ClickHouse case; this needs a SQLite case file"};
    if (mode == store::OpenMode::ReadOnly)
        if (auto exists = casestore::caseFileExists(path); !exists)
            return exists.error();
    return store::CaseDatabase::open(path, mode);
}

Result<std::unique_ptr<casestore::CaseStore>> openStore(const std::string &location, store::OpenMode mode,
                                                       std::size_t batchRows)
{
    casestore::OpenOptions options;
    options.mode = mode;
    options.batchRows = batchRows;
    return casestore::openStore(location, options);
}

std::string isoTime(std::int64_t us)
{
    std::time_t seconds = static_cast<std::time_t>(us / 1000000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<long long>(us % 1000000));
    return buf;
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
