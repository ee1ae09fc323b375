// Builds a large valid EVTX (make_big_evtx.py over the shared bench samples), warms the page
// cache, then times readEvtx (all cores and one thread) and `evtxexport -f xml` over the same
// data, printing medians, records per second, the ratio and peak RSS. evtxexport renders about
// ten thousand records a second, so it runs on a smaller file built the same way and its rate
// is compared (the rate, not a scaled time, is what is printed). Wall and CPU time are both
// printed: on a shared machine the CPU-time rate is the stable figure.
#include "common/bench_util.h"
#include "evtx/evtx_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace loadlens;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

using loadlens::bench::cpuSeconds;
using loadlens::bench::median;
using loadlens::bench::runQuiet;
using loadlens::bench::ownCpuSeconds;

struct OurRun {
    double seconds = 0;
    double cpu = 0;
    std::uint64_t records = 0;
    std::uint64_t fieldBytes = 0;
};

OurRun timeOurs(const std::string &path, unsigned threads)
{
    OurRun run;
    evtx::EvtxReport report;
    evtx::EvtxOptions options;
    options.threads = threads;
    const auto start = Clock::now();
    const double cpuStart = ownCpuSeconds();
    const Status st = evtx::readEvtx(path, [&](EventRecord &&r) {
        ++run.records;
        for (const auto &[k, v] : r.data)
            run.fieldBytes += k.size() + v.size();
        return true;
    }, report, options);
    run.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    run.cpu = ownCpuSeconds() - cpuStart;
    if (!st || report.recordsSkipped || report.badChunkCount)
        std::fprintf(stderr, "warning: %s; %llu skipped, %llu bad chunks\n", st ? "read ok" : st.error().message.c_str(),
                     static_cast<unsigned long long>(report.recordsSkipped),
                     static_cast<unsigned long long>(report.badChunkCount));
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    std::size_t records = 200000, oracleRecords = 20000;
    int runs = 5, oracleRuns = 3;
    unsigned threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--records"))
            records = std::strtoul(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--oracle-records"))
            oracleRecords = std::strtoul(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--runs"))
            runs = std::max(1, std::atoi(argv[i + 1]));
        else if (!std::strcmp(argv[i], "--threads"))
            threads = unsigned(std::atoi(argv[i + 1]));
    }
    const std::vector<std::string> inputs = loadlens::bench::filesUnder(LOADLENS_BENCH_EVTX, ".evtx");
    std::error_code ec;
    if (inputs.empty()) {
        std::fprintf(stderr, "no .evtx files under %s\n", LOADLENS_BENCH_EVTX);
        return 1;
    }
    char dirTemplate[] = "/tmp/bench_evtx.XXXXXX";
    if (!::mkdtemp(dirTemplate)) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::string dir = dirTemplate, big = dir + "/big.evtx", small = dir + "/small.evtx";
    using loadlens::bench::makeBigEvtx;
    if (!makeBigEvtx(LOADLENS_BENCH_TOOLS, big, records, inputs, true) ||
        !makeBigEvtx(LOADLENS_BENCH_TOOLS, small, oracleRecords, inputs, true)) {
        std::fprintf(stderr, "make_big_evtx.py failed\n");
        return 1;
    }
    std::printf("inputs: %zu sample files; big: %.1f MB, small: %.1f MB\n", inputs.size(),
                double(fs::file_size(big)) / 1e6, double(fs::file_size(small)) / 1e6);

    timeOurs(big, threads);  // warm the page cache and the allocator
    std::vector<double> all, single, allCpu, singleCpu;
    OurRun last;
    for (int i = 0; i < runs; ++i) {
        last = timeOurs(big, threads);
        all.push_back(last.seconds);
        allCpu.push_back(last.cpu);
        const OurRun one = timeOurs(big, 1);
        single.push_back(one.seconds);
        singleCpu.push_back(one.cpu);
    }
    rusage self {};
    ::getrusage(RUSAGE_SELF, &self);
    const double ours = median(all), oursSingle = median(single);
    const double oursRate = double(last.records) / ours, singleRate = double(last.records) / oursSingle;
    std::printf("loadlens readEvtx: %llu records, median %.3f s over %d runs -> %.0f records/s (all cores)\n",
                static_cast<unsigned long long>(last.records), ours, runs, oursRate);
    std::printf("loadlens readEvtx: one thread, median %.3f s -> %.0f records/s\n", oursSingle, singleRate);
    const double cpuRate = double(last.records) / median(singleCpu);
    std::printf("loadlens readEvtx CPU time: one thread %.3f s -> %.0f records/s per core; all cores %.3f s\n",
                median(singleCpu), cpuRate, median(allCpu));
    std::printf("loadlens peak RSS: %.1f MB\n", double(self.ru_maxrss) / 1024.0);

    // evtxexport over the smaller file; count its records with our reader (they parse the same).
    const OurRun smallCount = timeOurs(small, threads);
    std::vector<double> oracle, oracleCpu;
    long oracleRss = 0;
    for (int i = 0; i < oracleRuns; ++i) {
        rusage u {};
        const double t = runQuiet({"evtxexport", "-f", "xml", small}, &u, true);
        if (t < 0) {
            std::fprintf(stderr, "evtxexport failed or is not installed (apt-get install libevtx-utils)\n");
            return 1;
        }
        oracle.push_back(t);
        oracleCpu.push_back(cpuSeconds(u));
        oracleRss = std::max(oracleRss, u.ru_maxrss);
    }
    const double oracleRate = double(smallCount.records) / median(oracle);
    std::printf("evtxexport -f xml: %llu records, median %.3f s over %d runs -> %.0f records/s; peak RSS %.1f MB\n",
                static_cast<unsigned long long>(smallCount.records), median(oracle), oracleRuns, oracleRate,
                double(oracleRss) / 1024.0);
    const double oracleCpuRate = double(smallCount.records) / median(oracleCpu);
    std::printf("evtxexport CPU time: %.3f s -> %.0f records/s per core\n", median(oracleCpu), oracleCpuRate);
    std::printf("ratio (wall records/s): all cores %.1fx, one thread %.1fx evtxexport\n", oursRate / oracleRate,
                singleRate / oracleRate);
    std::printf("ratio (CPU records/s, one core each): %.1fx evtxexport\n", cpuRate / oracleCpuRate);
    fs::remove_all(dir, ec);
    return 0;
}
