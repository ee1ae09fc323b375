// The case stores side by side: N distinct synthetic Sysmon image-load events (200 hosts, a
// month, a long tail of rare DLLs) imported through each store's event writer, then the
// queries the views run: the timeline in 1 h buckets over everything, stacking rarest first,
// one host's count, one page of one host. Prints rows/s, wall and CPU seconds (ours, and the
// ClickHouse server's from /proc), sizes, and the ClickHouse/SQLite ratio of each step.
//
//   bench_case_stores [--events N] [--dir DIR] [--server-dir DIR] [--sqlite 0]
//                     [--batch-rows N] [--batch-bytes N]
//
// --batch-rows / --batch-bytes: the ClickHouse writer's INSERT size (ClickHouseStoreOptions).
// --sqlite 0 leaves SQLite out (its columns print 0): the ClickHouse figures alone, in minutes
// less at 10M events.
// Starts its own clickhouse-server with tests/clickhouse/clickhouse_server.sh (under DIR) and
// stops it at the end. Run on a release build; the machine's load shows in the wall figures.
#include "casestore/case_store.h"
#include "casestore/clickhouse_store.h"
#include "clickhouse/client.h"
#include "clickhouse/endpoint.h"
#include "store/case_database.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

using namespace loadlens;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double cpuSeconds()
{
    rusage u{};
    ::getrusage(RUSAGE_SELF, &u);
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// utime + stime of a process, from /proc/PID/stat; 0 when unreadable.
double processCpuSeconds(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    const auto close = text.rfind(')');
    if (close == std::string::npos)
        return 0;
    std::istringstream fields(text.substr(close + 2));
    std::string f;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> f; ++i) {
        if (i == 14)
            utime = std::stoull(f);
        if (i == 15)
            stime = std::stoull(f);
    }
    return double(utime + stime) / double(::sysconf(_SC_CLK_TCK));
}

struct Timing {
    double wall = 0, cpu = 0, serverCpu = 0;
};

template<typename F>
Timing timed(pid_t server, F &&f)
{
    Timing t;
    const double cpu0 = cpuSeconds(), server0 = server ? processCpuSeconds(server) : 0;
    const auto start = Clock::now();
    f();
    t.wall = std::chrono::duration<double>(Clock::now() - start).count();
    t.cpu = cpuSeconds() - cpu0;
    t.serverCpu = server ? processCpuSeconds(server) - server0 : 0;
    return t;
}

// Distinct synthetic image loads: host h loads from a common set (most loads) and a long tail
// of rare DLLs in user-writable folders, each event with its own record id.
class Generator {
public:
    explicit Generator(std::uint64_t seed) : m_rng(seed) {}
    LoadEvent next(std::uint64_t i)
    {
        static const char *kCommon[] = {"C:\\Windows\\System32\\kernel32.dll", "C:\\Windows\\System32\\ntdll.dll",
                                        "C:\\Windows\\System32\\user32.dll", "C:\\Windows\\System32\\advapi32.dll",
                                        "C:\\Windows\\System32\\version.dll", "C:\\Windows\\System32\\wininet.dll"};
        static const char *kImages[] = {"C:\\Program Files\\App\\app.exe", "C:\\Windows\\explorer.exe",
                                        "C:\\Windows\\System32\\svchost.exe", "C:\\Users\\u\\AppData\\Local\\Tool\\tool.exe"};
        LoadEvent e;
        const std::uint64_t host = m_rng() % 200;
        e.host = "host-" + std::to_string(host);
        e.channel = "Microsoft-Windows-Sysmon/Operational";
        e.source = "sysmon";
        e.eventId = 7;
        e.kind = "image-load";
        e.recordId = i + 1;
        e.timeUs = 1'700'000'000'000'000 + std::int64_t(m_rng() % (30ull * 86400 * 1'000'000));
        e.pid = std::int64_t(1000 + m_rng() % 5000);
        e.image = kImages[m_rng() % 4];
        if (m_rng() % 100 < 97) {
            e.imageLoaded = kCommon[m_rng() % 6];
            e.signatureState = SignatureState::Valid;
            e.verdict.level = Level::Ok;
        } else {
            e.imageLoaded = "C:\\Users\\u\\AppData\\Local\\Temp\\x" + std::to_string(m_rng() % 20000) + ".dll";
            e.signatureState = SignatureState::Unsigned;
            e.verdict.level = Level::Medium;
            Reason r;
            r.code = "unsigned-user-writable";
            r.level = Level::Medium;
            r.text = "an unsigned DLL loaded from a user-writable folder";
            r.technique = "T1574.001";
            e.verdict.reasons.push_back(std::move(r));
        }
        e.processGuid = "{" + std::to_string(m_rng()) + "}";
        e.hashes = "SHA256=" + std::to_string(m_rng()) + std::to_string(m_rng());
        e.signedField = e.signatureState == SignatureState::Valid ? "true" : "false";
        e.signature = e.signatureState == SignatureState::Valid ? "Microsoft Windows" : "";
        e.signatureStatus = e.signatureState == SignatureState::Valid ? "Valid" : "";
        e.user = "CORP\\u" + std::to_string(host);
        e.sourceFile = "synthetic.evtx";
        e.sourceOffset = i * 512;
        return e;
    }

private:
    std::mt19937_64 m_rng;
};

std::string runCapture(const std::string &command)
{
    std::string out;
    if (FILE *p = ::popen(command.c_str(), "r")) {
        char buf[512];
        while (std::fgets(buf, sizeof buf, p))
            out += buf;
        ::pclose(p);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' '))
        out.pop_back();
    return out;
}

void row(const char *step, const Timing &sqlite, const Timing &ch, double rows = 0)
{
    std::printf("%-34s %9.3f s %7.2f cpu | %9.3f s %7.2f cpu + %7.2f server cpu | %6.2fx", step, sqlite.wall,
                sqlite.cpu, ch.wall, ch.cpu, ch.serverCpu, ch.wall > 0 ? sqlite.wall / ch.wall : 0.0);
    if (rows > 0)
        std::printf("  (%.0fk vs %.0fk rows/s)", sqlite.wall > 0 ? rows / sqlite.wall / 1000 : 0.0, rows / ch.wall / 1000);
    std::printf("\n");
}

} // namespace

int main(int argc, char **argv)
{
    std::uint64_t events = 1'000'000;
    fs::path dir = fs::temp_directory_path() / ("bench_case_stores." + std::to_string(::getpid()));
    fs::path serverDir;
    bool withSqlite = true;
    casestore::ClickHouseStoreOptions chOptions;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string a = argv[i];
        if (a == "--events")
            events = std::stoull(argv[i + 1]);
        else if (a == "--dir")
            dir = argv[i + 1];
        else if (a == "--server-dir")
            serverDir = argv[i + 1];
        else if (a == "--batch-rows")
            chOptions.batchRows = std::stoull(argv[i + 1]);
        else if (a == "--batch-bytes")
            chOptions.batchBytes = std::stoull(argv[i + 1]);
        else if (a == "--sqlite")
            withSqlite = std::string(argv[i + 1]) != "0";
    }
    fs::create_directories(dir);
    if (serverDir.empty())
        serverDir = dir / "clickhouse";
    const std::string script = LOADLENS_CLICKHOUSE_SERVER_SCRIPT;
    if (std::system(("bash " + script + " start " + serverDir.string() + " >/dev/null").c_str()) != 0) {
        std::fprintf(stderr, "bench_case_stores: cannot start clickhouse-server (%s)\n", script.c_str());
        return 1;
    }
    const std::string baseUrl = runCapture("cat " + (serverDir / "url").string());
    const pid_t serverPid = pid_t(std::atol(runCapture("cat " + (serverDir / "pid").string()).c_str()));
    auto stopServer = [&] { (void)std::system(("bash " + script + " stop " + serverDir.string() + " >/dev/null").c_str()); };

    const std::string sqlitePath = (dir / "bench.sqlite").string();
    for (const char *suffix : {"", "-wal", "-shm"})
        fs::remove(sqlitePath + suffix);
    auto sqliteCase = casestore::openStore(sqlitePath, {store::OpenMode::ReadWrite, {}});
    auto endpoint = clickhouse::parseUrl(baseUrl + (baseUrl.back() == '/' ? "" : "/") + "bench_case_stores");
    if (!sqliteCase || !endpoint) {
        std::fprintf(stderr, "bench_case_stores: %s\n",
                     (!sqliteCase ? sqliteCase.error() : endpoint.error()).message.c_str());
        stopServer();
        return 1;
    }
    {
        clickhouse::Client admin(*endpoint);
        (void)admin.query("DROP DATABASE IF EXISTS bench_case_stores");
    }
    auto chCase = casestore::openClickHouseStore(*endpoint, store::OpenMode::ReadWrite, chOptions);
    if (!chCase) {
        std::fprintf(stderr, "bench_case_stores: %s\n", chCase.error().message.c_str());
        stopServer();
        return 1;
    }

    std::printf("%llu distinct image-load events, 200 hosts, 30 days; SQLite %s vs ClickHouse %s (server pid %d)\n",
                static_cast<unsigned long long>(events), sqlitePath.c_str(), (*chCase)->location().c_str(),
                int(serverPid));
    std::printf("%-34s %-27s | %-50s | SQLite/ClickHouse\n", "step", "SQLite", "ClickHouse");
    bool failed = false;
    auto importInto = [&](casestore::CaseStore &target) {
        Generator gen(42);
        auto writer = target.eventWriter();
        for (std::uint64_t i = 0; i < events; ++i)
            if (!writer->add(gen.next(i)))
                break;
        if (auto s = writer->finish(); !s || writer->imported() != events) {
            std::fprintf(stderr, "import into %s: %s (%llu stored)\n", target.location().c_str(),
                         s ? "not every event stored" : s.error().message.c_str(),
                         static_cast<unsigned long long>(writer->imported()));
            failed = true;
        }
    };
    const Timing importSqlite = withSqlite ? timed(0, [&] { importInto(**sqliteCase); }) : Timing{};
    const Timing importCh = timed(serverPid, [&] { importInto(**chCase); });
    row("import", importSqlite, importCh, double(events));

    auto query = [&](const char *name, auto &&f) {
        Timing a = withSqlite ? timed(0, [&] { f(**sqliteCase); }) : Timing{};
        Timing b = timed(serverPid, [&] { f(**chCase); });
        row(name, a, b);
    };
    query("timeline, 1 h buckets, everything", [&](const casestore::CaseStore &s) {
        auto r = s.eventBuckets({store::BucketUnit::Seconds, 3600}, {});
        failed = failed || !r || r->empty();
    });
    query("stack, rarest first (100)", [&](const casestore::CaseStore &s) {
        auto r = s.loadedImageStack({}, eventstats::ImageOrder::Rarest, 100);
        failed = failed || !r || r->empty();
    });
    query("count of one host", [&](const casestore::CaseStore &s) {
        store::EventFilter f;
        f.host = "host-7";
        auto r = s.countEvents(f);
        failed = failed || !r || *r == 0;
    });
    query("page of one host (100 from 1000)", [&](const casestore::CaseStore &s) {
        store::EventFilter f;
        f.host = "host-7";
        f.limit = 100;
        f.offset = 1000;
        auto r = s.listEvents(f);
        failed = failed || !r;
    });
    query("text search 'temp\\x1' (count)", [&](const casestore::CaseStore &s) {
        store::EventFilter f;
        f.text = "temp\\x1";
        auto r = s.countEvents(f);
        failed = failed || !r;
    });

    clickhouse::Client admin(*endpoint);
    // What the check after an import costs (clickhouse_event_writer.h): a FINAL count of all.
    const Timing finalCount = timed(serverPid, [&] {
        (void)admin.query("SELECT count() FROM bench_case_stores.events FINAL FORMAT TabSeparated");
    });
    row("count with FINAL (import's check)", Timing{}, finalCount);
    const auto chBytes = admin.query("SELECT sum(bytes) FROM system.parts WHERE active AND database = "
                                     "'bench_case_stores' FORMAT TabSeparated");
    const double sqliteBytes = double(fs::file_size(sqlitePath));
    std::printf("size: SQLite %.1f MB (%.0f B/event), ClickHouse %.1f MB on disk (compressed parts)\n",
                sqliteBytes / 1e6, sqliteBytes / double(events),
                chBytes ? std::atof(chBytes->c_str()) / 1e6 : -1.0);
    (void)admin.query("DROP DATABASE IF EXISTS bench_case_stores");
    stopServer();
    for (const char *suffix : {"", "-wal", "-shm"})
        fs::remove(sqlitePath + suffix);
    return failed ? 1 : 0;
}
