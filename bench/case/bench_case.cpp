// bench_case: a synthetic case (default 200 hosts x 300 processes x 100 modules = 6M module
// rows): bundle writing, import, stacking, diff and who-loads times, and the database size.
// Run by hand: build/<dir>/bench/case/bench_case [--hosts N] [--processes N] [--modules N] [--dir DIR]
// [--reuse 1] (--reuse keeps the bundles an earlier run left in DIR and times only the import on)
#include "analysis/case_queries.h"
#include "analysis/snapshot_diff.h"
#include "store/bundle_import.h"
#include "store/snapshot_writer.h"
#include "synthetic_case.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <sys/resource.h>

using namespace loadlens;
namespace fs = std::filesystem;

namespace {

double secondsSince(std::chrono::steady_clock::time_point start)
{
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

template<typename F>
double timed(F &&work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    return secondsSince(start);
}

double cpuSeconds()
{
    rusage usage {};
    ::getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

[[noreturn]] void die(const std::string &message)
{
    std::fprintf(stderr, "bench_case: %s\n", message.c_str());
    std::exit(1);
}

} // namespace

int main(int argc, char **argv)
{
    bench::SyntheticCaseOptions options;
    std::string dir;
    bool reuse = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (arg == "--hosts")
            options.hosts = value;
        else if (arg == "--processes")
            options.processesPerHost = value;
        else if (arg == "--modules")
            options.modulesPerProcess = value;
        else if (arg == "--reuse")
            reuse = value != 0;
        else if (arg == "--dir")
            dir = argv[i + 1];
        else
            die("unknown option " + arg);
    }
    if (dir.empty()) {
        char pattern[] = "/tmp/bench_case.XXXXXX";
        if (!::mkdtemp(pattern))
            die("cannot create a temporary directory");
        dir = pattern;
    }
    std::printf("case: %d hosts x %d processes x %d modules = %lld module rows, in %s\n", options.hosts,
                options.processesPerHost, options.modulesPerProcess,
                static_cast<long long>(options.hosts) * options.processesPerHost * options.modulesPerProcess, dir.c_str());

    std::vector<std::string> bundles;
    const double writeSeconds = timed([&] {
        for (int h = 0; h < options.hosts; ++h) {
            const std::string path = dir + "/host-" + std::to_string(h) + ".llsnap";
            if (reuse && fs::exists(path)) {
                bundles.push_back(path);
                continue;
            }
            fs::remove(path);
            auto db = store::CaseDatabase::open(path, store::OpenMode::CreateNew);
            if (!db)
                die(db.error().message);
            store::SnapshotWriter writer(*db);
            if (auto id = writer.write(bench::syntheticScan(options, h), {{"ld.so.preload", "<absent>"}}); !id)
                die(id.error().message);
            bundles.push_back(path);
        }
    });
    std::printf("write %zu bundles:        %8.2f s\n", bundles.size(), writeSeconds);

    const std::string casePath = dir + "/case.sqlite";
    fs::remove(casePath);
    fs::remove(casePath + "-wal");
    fs::remove(casePath + "-shm");
    auto db = store::CaseDatabase::open(casePath);
    if (!db)
        die(db.error().message);
    std::uint64_t imported = 0;
    std::uint64_t moduleRows = 0;
    const double cpuBefore = cpuSeconds();
    const double importSeconds = timed([&] {
        for (const auto &b : bundles) {
            auto report = store::importBundle(*db, b);
            if (!report.errors.empty())
                die(report.errors.front());
            imported += report.imported;
            moduleRows += report.countsByKind.count("modules") ? report.countsByKind.at("modules") : 0;
        }
    });
    const double importCpu = cpuSeconds() - cpuBefore;
    std::printf("import (%llu rows):   %8.2f s  (%.0f rows/s; %llu module rows, %.0f/s; %.2f CPU-seconds)\n",
                static_cast<unsigned long long>(imported), importSeconds, double(imported) / importSeconds,
                static_cast<unsigned long long>(moduleRows), double(moduleRows) / importSeconds, importCpu);
    (void)db->exec("PRAGMA wal_checkpoint(TRUNCATE)");
    const auto caseBytes = fs::file_size(casePath);
    std::printf("case size:                %8.1f MiB  (%.1f bytes per module row)\n", double(caseBytes) / (1024.0 * 1024.0),
                moduleRows ? double(caseBytes) / double(moduleRows) : 0.0);

    auto runStack = [&](const char *label, analysis::StackOptions o) {
        std::size_t rows = 0;
        const double s = timed([&] {
            auto r = analysis::stack(*db, o);
            if (!r)
                die(r.error().message);
            rows = r->entries.size();
        });
        std::printf("%-26s%8.3f s  (%zu rows)\n", label, s, rows);
    };
    runStack("stack by hash:", {});
    runStack("stack by name:", {analysis::StackBy::Name, std::nullopt, 0, false});
    runStack("stack --rare 1:", {analysis::StackBy::Hash, 1, 0, false});
    runStack("stack all snapshots:", {analysis::StackBy::Hash, std::nullopt, 0, true});

    auto idOf = [&](int host) {
        auto id = db->queryInt("SELECT s.id FROM snapshots s JOIN hosts h ON h.id = s.host_id WHERE h.name = 'host-" +
                               std::to_string(host) + "'");
        if (!id)
            die(id.error().message);
        return *id;
    };
    const int a = 3 % options.hosts;
    const int b = 49 % options.hosts;
    std::size_t changes = 0;
    const double diffSeconds = timed([&] {
        auto d = analysis::diffSnapshots(*db, idOf(a), idOf(b));
        if (!d)
            die(d.error().message);
        changes = d->processModules.size() + d->hostModules.size();
    });
    std::printf("diff host-%d host-%d:    %8.3f s  (%zu changes)\n", a, b, diffSeconds, changes);

    std::size_t hits = 0;
    const double whoSeconds = timed([&] {
        auto r = analysis::whoLoads(*db, "libsynthetic5.so");
        if (!r)
            die(r.error().message);
        hits = r->size();
    });
    std::printf("who-loads libsynthetic5:  %8.3f s  (%zu hits)\n", whoSeconds, hits);
    std::printf("files kept in %s\n", dir.c_str());
    return 0;
}
