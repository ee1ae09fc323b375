// Ingest speed on distinct events: builds a large EVTX with make_big_evtx.py (every copied record
// gets its own EventRecordID, so nothing is skipped as a duplicate), then times, in the same run:
//   - `loadlens-cli import` of it into a new SQLite case (parse, Sysmon verdicts, store), checking
//     that every live record was stored (records recovered from chunk slack may be copies of
//     live ones; rates count every record the parser delivered);
//   - the parse-only rate of the same file (readEvtx, one thread and all cores);
//   - evtxexport -f xml (libevtx-utils) on a smaller file built the same way.
// Medians of wall time and CPU-seconds are printed with records/s; on a shared machine the
// CPU-seconds rate is the stable figure.
#include "common/bench_util.h"
#include "evtx/evtx_reader.h"
#include "store/case_database.h"

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

struct Timing {
    std::vector<double> wall, cpu;
    long rssKb = 0;
    void add(double w, double c, long rss)
    {
        wall.push_back(w);
        cpu.push_back(c);
        rssKb = std::max(rssKb, rss);
    }
};

void print(const char *what, std::uint64_t records, const Timing &t)
{
    const double w = median(t.wall), c = median(t.cpu);
    std::printf("%-34s %9llu records  wall %7.3f s (%8.0f records/s)  CPU %7.3f s (%8.0f records/s)", what,
                static_cast<unsigned long long>(records), w, double(records) / w, c, double(records) / c);
    if (t.rssKb)
        std::printf("  peak RSS %.0f MB", double(t.rssKb) / 1024.0);
    std::printf("\n");
}

// Records delivered by the parser; `live` gets those that are not recovered from slack.
std::uint64_t parse(const std::string &path, unsigned threads, Timing &t, std::uint64_t *live = nullptr)
{
    rusage before {}, after {};
    ::getrusage(RUSAGE_SELF, &before);
    std::uint64_t records = 0, liveRecords = 0;
    evtx::EvtxReport report;
    evtx::EvtxOptions options;
    options.threads = threads;
    const auto start = Clock::now();
    const auto st = evtx::readEvtx(path, [&](EventRecord &&r) { return liveRecords += r.recovered ? 0 : 1, ++records, true; }, report, options);
    const double wall = std::chrono::duration<double>(Clock::now() - start).count();
    ::getrusage(RUSAGE_SELF, &after);
    if (!st)
        std::fprintf(stderr, "warning: %s\n", st.error().message.c_str());
    t.add(wall, cpuSeconds(after) - cpuSeconds(before), 0);
    if (live)
        *live = liveRecords;
    return records;
}

} // namespace

int main(int argc, char **argv)
{
    std::size_t records = 200000, oracleRecords = 20000;
    int runs = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--records"))
            records = std::strtoul(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--oracle-records"))
            oracleRecords = std::strtoul(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--runs"))
            runs = std::max(1, std::atoi(argv[i + 1]));
    }
    const std::vector<std::string> inputs = loadlens::bench::filesUnder(LOADLENS_BENCH_EVTX, ".evtx");
    std::error_code ec;
    if (inputs.empty()) {
        std::fprintf(stderr, "no .evtx files under %s\n", LOADLENS_BENCH_EVTX);
        return 1;
    }
    char dirTemplate[] = "/tmp/bench_ingest.XXXXXX";
    if (!::mkdtemp(dirTemplate)) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::string dir = dirTemplate, big = dir + "/big.evtx", small = dir + "/small.evtx";
    if (!loadlens::bench::makeBigEvtx(LOADLENS_BENCH_TOOLS, big, records, inputs, false) ||
        !loadlens::bench::makeBigEvtx(LOADLENS_BENCH_TOOLS, small, oracleRecords, inputs, false)) {
        std::fprintf(stderr, "make_big_evtx.py failed\n");
        return 1;
    }
    std::printf("inputs: %zu sample files; big: %.1f MB; evtxexport's: %.1f MB; %d runs each, medians\n",
                inputs.size(), double(fs::file_size(big)) / 1e6, double(fs::file_size(small)) / 1e6, runs);

    Timing warm, parseOne, parseAll, import, oracle;
    std::uint64_t bigLive = 0;
    const std::uint64_t bigRecords = parse(big, 0, warm, &bigLive);  // warms the page cache
    // Every live record is a distinct event and must be stored as one. Records recovered from
    // chunk slack are older copies: those of live records are merged into them, not lost.
    std::uint64_t stored = 0, storedRecovered = 0;
    for (int i = 0; i < runs; ++i) {
        parse(big, 1, parseOne);
        parse(big, 0, parseAll);
        const std::string casePath = dir + "/case" + std::to_string(i) + ".sqlite";
        rusage u {};
        const double t = runQuiet({LOADLENS_CLI, "import", "--quiet", "--case", casePath, big}, &u);
        if (t < 0) {
            std::fprintf(stderr, "loadlens-cli import failed\n");
            return 1;
        }
        import.add(t, cpuSeconds(u), u.ru_maxrss);
        auto db = store::CaseDatabase::open(casePath, store::OpenMode::ReadOnly);
        if (db)
            if (auto n = db->queryInt("SELECT count(*) FROM events WHERE recovered = 0"))
                stored = std::uint64_t(*n);
        if (db)
            if (auto n = db->queryInt("SELECT count(*) FROM events WHERE recovered <> 0"))
                storedRecovered = std::uint64_t(*n);
        fs::remove(casePath, ec);
    }
    const std::uint64_t smallRecords = parse(small, 0, warm);
    for (int i = 0; i < std::min(runs, 3); ++i) {
        rusage u {};
        const double t = runQuiet({"evtxexport", "-f", "xml", small}, &u);
        if (t < 0) {
            std::fprintf(stderr, "evtxexport failed or is not installed (apt-get install libevtx-utils)\n");
            return 1;
        }
        oracle.add(t, cpuSeconds(u), u.ru_maxrss);
    }
    print("loadlens-cli import (new case)", bigRecords, import);
    std::printf("  stored %llu of %llu live records (distinct events: all must be stored); of %llu recovered from"
                " slack, %llu stored as recovered events, the rest copies of live ones\n",
                static_cast<unsigned long long>(stored), static_cast<unsigned long long>(bigLive),
                static_cast<unsigned long long>(bigRecords - bigLive), static_cast<unsigned long long>(storedRecovered));
    print("parse only, one thread", bigRecords, parseOne);
    print("parse only, all cores", bigRecords, parseAll);
    print("evtxexport -f xml", smallRecords, oracle);
    const double importCpuRate = double(bigRecords) / median(import.cpu);
    std::printf("import vs parse only (CPU records/s): %.2fx; import vs evtxexport (CPU records/s): %.1fx\n",
                importCpuRate / (double(bigRecords) / median(parseOne.cpu)),
                importCpuRate / (double(smallRecords) / median(oracle.cpu)));
    fs::remove_all(dir, ec);
    return stored == bigLive ? 0 : 2;
}
