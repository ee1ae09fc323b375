// Snapshots on both stores: a synthetic case (bench/case: hosts x processes x modules) written
// as bundles, imported into a SQLite case and a ClickHouse database through CaseStore, then
// stacking, who-loads and a diff on each, side by side.
//
//   bench_snapshot_stores --url clickhouse://127.0.0.1:PORT/DB [--hosts N] [--processes N]
//                         [--modules N] [--dir DIR] [--queries-only 1]
//
// --queries-only 1: the case in DIR and the database at URL were filled by an earlier run; only
// the queries run.
// The database should be new (a second run counts everything as already there). Start a server
// with tests/clickhouse/clickhouse_server.sh start DIR (it prints the URL). Wall seconds: the
// machine's load shows in them.
#include "casestore/case_store.h"
#include "store/snapshot_writer.h"
#include "synthetic_case.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

using namespace loadlens;
namespace fs = std::filesystem;

namespace {

template<typename F>
double timed(F &&work)
{
    const auto start = std::chrono::steady_clock::now();
    work();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

[[noreturn]] void die(const std::string &message)
{
    std::fprintf(stderr, "bench_snapshot_stores: %s\n", message.c_str());
    std::exit(1);
}

} // namespace

int main(int argc, char **argv)
{
    bench::SyntheticCaseOptions options;
    options.hosts = 20;
    std::string dir, url;
    bool queriesOnly = false;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string arg = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (arg == "--hosts")
            options.hosts = value;
        else if (arg == "--processes")
            options.processesPerHost = value;
        else if (arg == "--modules")
            options.modulesPerProcess = value;
        else if (arg == "--dir")
            dir = argv[i + 1];
        else if (arg == "--url")
            url = argv[i + 1];
        else if (arg == "--queries-only")
            queriesOnly = value != 0;
        else
            die("unknown option " + arg);
    }
    if (url.empty())
        die("--url clickhouse://HOST:PORT/DATABASE is required");
    if (dir.empty()) {
        char pattern[] = "/tmp/bench_snapshot_stores.XXXXXX";
        if (!::mkdtemp(pattern))
            die("cannot create a temporary directory");
        dir = pattern;
    }
    std::printf("case: %d hosts x %d processes x %d modules = %lld module rows, in %s\n", options.hosts,
                options.processesPerHost, options.modulesPerProcess,
                static_cast<long long>(options.hosts) * options.processesPerHost * options.modulesPerProcess,
                dir.c_str());
    std::vector<std::string> bundles;
    for (int h = 0; h < options.hosts && !queriesOnly; ++h) {
        const std::string path = dir + "/host-" + std::to_string(h) + ".llsnap";
        fs::remove(path);
        auto db = store::CaseDatabase::open(path, store::OpenMode::CreateNew);
        if (!db)
            die(db.error().message);
        store::SnapshotWriter writer(*db);
        if (auto id = writer.write(bench::syntheticScan(options, h), {{"ld.so.preload", "<absent>"}}); !id)
            die(id.error().message);
        bundles.push_back(path);
    }

    const std::string casePath = dir + "/case.sqlite";
    for (const char *suffix : {"", "-wal", "-shm"})
        if (!queriesOnly)
            fs::remove(casePath + suffix);
    std::unique_ptr<casestore::CaseStore> stores[2];
    for (int s = 0; s < 2; ++s) {
        auto opened = casestore::openStore(s == 0 ? casePath : url, {store::OpenMode::ReadWrite, {}});
        if (!opened)
            die(opened.error().message);
        stores[s] = std::move(*opened);
    }
    std::printf("%-28s %14s %14s\n", "", "SQLite", "ClickHouse");
    double importSeconds[2] = {};
    std::uint64_t imported[2] = {};
    for (int s = 0; s < 2 && !queriesOnly; ++s)
        importSeconds[s] = timed([&] {
            for (const auto &b : bundles) {
                auto report = stores[s]->importBundle(b, {});
                if (!report.errors.empty())
                    die(report.errors.front());
                imported[s] += report.imported;
            }
        });
    if (!queriesOnly)
        std::printf("%-28s %12.2f s %12.2f s  (%llu / %llu rows)\n", "import", importSeconds[0], importSeconds[1],
                static_cast<unsigned long long>(imported[0]), static_cast<unsigned long long>(imported[1]));
    if (!queriesOnly)
        std::printf("%-28s %10.0f r/s %10.0f r/s\n", "import rows/s", double(imported[0]) / importSeconds[0],
                double(imported[1]) / importSeconds[1]);

    auto side = [&](const char *label, auto &&query) {
        double seconds[2];
        std::size_t rows[2];
        for (int s = 0; s < 2; ++s)
            seconds[s] = timed([&] { rows[s] = query(*stores[s]); });
        std::printf("%-28s %12.3f s %12.3f s  (%zu / %zu rows)\n", label, seconds[0], seconds[1], rows[0], rows[1]);
    };
    auto stack = [&](analysis::StackOptions o) {
        return [o](const casestore::CaseStore &store) {
            auto r = store.snapshotStack(o);
            if (!r)
                die(r.error().message);
            return r->entries.size();
        };
    };
    side("stack by hash", stack({}));
    side("stack by name", stack({analysis::StackBy::Name, std::nullopt, 0, false}));
    side("stack --rare 1", stack({analysis::StackBy::Hash, 1, 0, false}));
    side("who-loads libsynthetic5.so", [](const casestore::CaseStore &store) {
        auto r = store.whoLoads("libsynthetic5.so", false);
        if (!r)
            die(r.error().message);
        return r->size();
    });
    side("diff host-3 host-9", [&](const casestore::CaseStore &store) {
        auto list = store.listSnapshots();
        if (!list)
            die(list.error().message);
        std::int64_t a = 0, b = 0;
        for (const auto &s : *list) {
            a = s.host == "host-" + std::to_string(3 % options.hosts) ? s.id : a;
            b = s.host == "host-" + std::to_string(9 % options.hosts) ? s.id : b;
        }
        auto d = store.diffSnapshots(a, b);
        if (!d)
            die(d.error().message);
        return d->processModules.size() + d->hostModules.size();
    });
    return 0;
}
