// Generates a large audit.log with ../shared/bench-tools/gen_audit_log.py from the shared
// sample (or takes --log FILE), warms the page cache, then alternates runs of our full ingest
// (readAuditLog with a sink that discards), `ausearch -if FILE --raw` and `aureport -if FILE`,
// and prints medians, records per second and the ratios (theirs / ours: above 1.0 is faster).
#include "common/bench_util.h"
#include "audit/audit_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace loadlens;
using Clock = std::chrono::steady_clock;

namespace {

using loadlens::bench::median;

// Runs argv with stdout and stderr to /dev/null; wall seconds, negative on failure.
double timeCommand(const std::vector<std::string> &args)
{
    std::vector<char *> argv;
    for (const auto &a : args)
        argv.push_back(const_cast<char *>(a.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    const auto start = Clock::now();
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return -1;
    int status = 0;
    ::waitpid(pid, &status, 0);
    const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    return WIFEXITED(status) && WEXITSTATUS(status) <= 1 ? seconds : -1;  // ausearch exits 1 on no match
}

long maxRssKb()
{
    rusage u {};
    ::getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

} // namespace

int main(int argc, char **argv)
{
    std::string log;
    long records = 1000000;
    int runs = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--log"))
            log = argv[i + 1];
        else if (!std::strcmp(argv[i], "--records"))
            records = std::atol(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--runs"))
            runs = std::max(1, std::atoi(argv[i + 1]));
    }
    std::string tempDir;
    if (log.empty()) {
        char pattern[] = "/tmp/bench_audit.XXXXXX";
        if (!::mkdtemp(pattern))
            return 1;
        tempDir = pattern;
        log = tempDir + "/audit.log";
        const std::string shared = LOADLENS_SHARED_ROOT;
        if (timeCommand({"python3", shared + "/bench-tools/gen_audit_log.py", shared + "/bench-data/audit/audit-sample.log",
                         log, std::to_string(records)}) < 0) {
            std::fprintf(stderr, "cannot generate %s with %s/bench-tools/gen_audit_log.py\n", log.c_str(), shared.c_str());
            return 1;
        }
    }

    // One untimed pass warms the page cache and counts what the file holds.
    auto ingest = [&](ImportReport &report) {
        audit::AuditOptions options;
        const CancelToken cancel;
        std::uint64_t emitted = 0;
        const auto start = Clock::now();
        const Status status = audit::readAuditLog(log, [&](LoadEvent &&) { ++emitted; return true; }, report,
                                                  options, cancel);
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        return status ? seconds : -1.0;
    };
    ImportReport first;
    if (ingest(first) < 0) {
        std::fprintf(stderr, "cannot read %s\n", log.c_str());
        return 1;
    }
    const double recordCount = double(first.recordsRead);
    std::printf("log: %s, %.0f records, %llu emitted, %llu skipped\n", log.c_str(), recordCount,
                static_cast<unsigned long long>(first.imported), static_cast<unsigned long long>(first.skipped));
    for (const auto &[kindName, count] : first.countsByKind)
        std::printf("  %-34s %llu\n", kindName.c_str(), static_cast<unsigned long long>(count));

    std::vector<double> ours, ausearch, aureport;
    for (int run = 0; run < runs; ++run) {
        ImportReport report;
        ours.push_back(ingest(report));
        ausearch.push_back(timeCommand({"ausearch", "-if", log, "--raw"}));
        aureport.push_back(timeCommand({"aureport", "-if", log}));
    }
    const double o = median(ours), s = median(ausearch), r = median(aureport);
    std::printf("median of %d runs:\n", runs);
    std::printf("  loadlens ingest   %7.3f s  %9.0f records/s\n", o, recordCount / o);
    if (s > 0)
        std::printf("  ausearch --raw    %7.3f s  %9.0f records/s   ratio ausearch/ours %.2f\n", s, recordCount / s, s / o);
    else
        std::printf("  ausearch: not run (install the auditd package)\n");
    if (r > 0)
        std::printf("  aureport          %7.3f s  %9.0f records/s   ratio aureport/ours %.2f\n", r, recordCount / r, r / o);
    else
        std::printf("  aureport: not run (install the auditd package)\n");
    std::printf("  our max RSS %ld KiB\n", maxRssKb());
    if (!tempDir.empty()) {
        ::unlink(log.c_str());
        ::rmdir(tempDir.c_str());
    }
    return 0;
}
