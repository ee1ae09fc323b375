// The same imports give the same answers on the SQLite case and on a real ClickHouse server
// (started for the test run, see tests/clickhouse): every Sysmon and audit sample of the shared
// data, the listing, counts, time buckets of every width, time span, hosts and image stacking,
// and re-imports that add nothing. Snapshot bundles of real scans (several hosts, two
// snapshots of a host): import reports, snapshot list, stacking (every option), who-loads and
// diffs field by field, stable derived ids, re-imports and a cancelled import that add nothing.
// Also: small batches, a server that cannot be reached, bad credentials, and a connection cut
// in the middle of an import followed by a complete re-run.
#include "clickhouse_fixture.h"
#include "case_test_support.h"
#include "fixture_process.h"
#include "casestore/case_store.h"
#include "report/json_report.h"
#include "casestore/clickhouse_event_writer.h"
#include "casestore/clickhouse_schema.h"
#include "casestore/clickhouse_store.h"
#include "casestore/import_target.h"
#include "clickhouse/client.h"
#include "clickhouse/endpoint.h"
#include "ingest/importer.h"
#include "shared_data.h"
#include "store/json_codec.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <thread>
#include <vector>
#include <unistd.h>

using namespace loadlens;

namespace {

std::string s(const QString &text) { return text.toStdString(); }

// The error of whichever result failed (QVERIFY2 builds its message even when it passes).
template<typename A, typename B>
std::string why(const A &a, const B &b)
{
    if (!a)
        return a.error().message;
    if (!b)
        return b.error().message;
    return {};
}

// One event as text, every stored field, for comparing stores.
std::string eventText(const LoadEvent &e)
{
    std::string codes;
    for (const auto &r : e.verdict.reasons)
        codes += r.code + "|" + std::to_string(int(r.level)) + "|" + r.text + "|" + r.technique + "|" + r.measure + ";";
    return e.host + "\t" + e.channel + "\t" + std::to_string(e.recordId) + "\t" + std::to_string(e.timeUs) + "\t" +
           e.source + "\t" + std::to_string(e.eventId) + "\t" + e.kind + "\t" +
           std::to_string(int(e.verdict.level)) + "\t" + codes + "\t" + e.processGuid + "\t" + std::to_string(e.pid) +
           "\t" + e.image + "\t" + e.imageLoaded + "\t" + e.user + "\t" + e.hashes + "\t" + e.signedField + "\t" +
           e.signature + "\t" + e.signatureStatus + "\t" + std::to_string(int(e.signatureState)) + "\t" +
           e.commandLine + "\t" + e.parentImage + "\t" + store::mapToJson(e.fields) + "\t" + e.sourceFile + "\t" +
           std::to_string(e.sourceOffset) + (e.recovered ? "\trecovered" : "");
}

std::vector<std::string> sortedEvents(const std::vector<LoadEvent> &events)
{
    std::vector<std::string> out;
    for (const auto &e : events)
        out.push_back(eventText(e));
    std::sort(out.begin(), out.end());
    return out;
}

std::string bucketsText(const std::vector<store::EventBucket> &buckets)
{
    std::string out;
    for (const auto &b : buckets)
        out += std::to_string(b.startUs) + " " + std::to_string(int(b.level)) + " " + b.kind + " " + b.source + " " +
               std::to_string(b.count) + "\n";
    return out;
}

std::string stackText(const std::vector<eventstats::ImageStackEntry> &stack)
{
    std::string out;
    for (const auto &e : stack)
        out += e.image + " " + std::to_string(e.loads) + " " + std::to_string(e.hosts) + " " +
               std::to_string(e.processes) + " " + std::to_string(int(e.maxLevel)) + "\n";
    return out;
}

// Forwards connections to `target` (each in a thread of its own: the store queries on one
// connection while it inserts on another) until `cutAfter` bytes from the clients have passed
// in all, then cuts every connection and refuses later ones: a server that goes away in the
// middle of an import and stays away.
class CuttingProxy {
public:
    CuttingProxy(std::uint16_t target, std::size_t cutAfter) : m_target(target), m_cutAfter(cutAfter)
    {
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        (void)::bind(m_listen, reinterpret_cast<sockaddr *>(&addr), sizeof addr);
        socklen_t len = sizeof addr;
        ::getsockname(m_listen, reinterpret_cast<sockaddr *>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        ::listen(m_listen, 8);
        m_thread = std::thread([this] { run(); });
    }
    ~CuttingProxy()
    {
        m_stop = true;
        ::shutdown(m_listen, SHUT_RDWR);
        m_thread.join();
        for (auto &relay : m_relays)
            relay.join();
        ::close(m_listen);
    }
    std::uint16_t port() const { return m_port; }

private:
    bool cut() const { return m_sent.load() >= m_cutAfter; }

    void run()
    {
        while (!m_stop) {
            pollfd p{m_listen, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0)
                continue;
            const int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0)
                continue;
            if (cut()) {
                ::close(client);
                continue;
            }
            m_relays.emplace_back([this, client] {
                const int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
                sockaddr_in addr{};
                addr.sin_family = AF_INET;
                addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
                addr.sin_port = htons(m_target);
                if (::connect(server, reinterpret_cast<sockaddr *>(&addr), sizeof addr) == 0)
                    relay(client, server);
                ::close(server);
                ::close(client);
            });
        }
    }
    void relay(int client, int server)
    {
        char buf[65536];
        while (!m_stop && !cut()) {
            pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            if (::poll(fds, 2, 100) < 0)
                return;
            if (fds[0].revents) {
                const ssize_t n = ::read(client, buf, sizeof buf);
                if (n <= 0)
                    return;
                // Reserve the bytes to pass before passing them: the relays share the budget.
                std::size_t before = m_sent.load(), pass = 0;
                do {
                    pass = std::min<std::size_t>(std::size_t(n), m_cutAfter - std::min(before, m_cutAfter));
                } while (!m_sent.compare_exchange_weak(before, before + pass));
                if (pass > 0 && ::write(server, buf, pass) != ssize_t(pass))
                    return;
                if (pass < std::size_t(n)) {
                    m_sent = m_cutAfter;  // the server goes away
                    return;
                }
            }
            if (fds[1].revents) {
                const ssize_t n = ::read(server, buf, sizeof buf);
                if (n <= 0 || ::write(client, buf, std::size_t(n)) != n)
                    return;
            }
        }
    }

    std::uint16_t m_target;
    std::size_t m_cutAfter;
    std::atomic<std::size_t> m_sent{0};
    int m_listen = -1;
    std::uint16_t m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
    std::vector<std::thread> m_relays;  // only the accepting thread adds to it
};

std::string summaryText(const analysis::SnapshotSummary &s)
{
    std::string levels;
    for (auto n : s.moduleLevels)
        levels += std::to_string(n) + ",";
    return s.host + " " + std::to_string(s.scannedAt) + " " + s.bootId + " " + s.kernel + " " + s.osRelease + " " +
           std::to_string(s.processes) + " " + std::to_string(s.processesWithErrors) + " " + std::to_string(s.modules) +
           " " + levels + " " + std::to_string(s.findings) + " " + std::to_string(s.complete);
}

std::string snapshotStackText(const analysis::StackResult &r)
{
    std::string out = std::to_string(r.hostsInCase) + " hosts, " + std::to_string(r.snapshotsCounted) + " snapshots\n";
    for (const auto &e : r.entries)
        out += e.module + " " + e.sha256 + " " + std::to_string(e.hosts) + " " + std::to_string(e.processes) + " " +
               std::to_string(e.variants) + " " + std::to_string(int(e.maxLevel)) + "\n";
    return out;
}

std::string changesText(const std::vector<analysis::ModuleChange> &changes)
{
    std::string out;
    for (const auto &c : changes) {
        out += std::string(analysis::changeKindName(c.kind)) + " " + c.executable + " " + c.path + " " +
               std::to_string(c.processesBefore) + " " + std::to_string(c.processesAfter) + " " +
               std::to_string(int(c.level));
        for (const auto &h : c.hashesBefore)
            out += " b:" + h;
        for (const auto &h : c.hashesAfter)
            out += " a:" + h;
        out += "\n";
    }
    return out;
}

// A diff as text without the snapshot ids (each store has its own).
std::string diffText(const analysis::SnapshotDiff &d)
{
    std::string out = summaryText(d.before) + "\n" + summaryText(d.after) + "\n" + changesText(d.processModules) +
                      "--\n" + changesText(d.hostModules) + "--\n";
    for (const auto *list : {&d.newFindings, &d.resolvedFindings}) {
        for (const auto &f : *list)
            out += f.code + " " + std::to_string(int(f.level)) + " " + f.text + "\n";
        out += "--\n";
    }
    for (const auto &f : d.facts)
        out += f.key + "=" + f.before.value_or("(none)") + "->" + f.after.value_or("(none)") + "\n";
    return out;
}

std::string reportText(const ImportReport &r)
{
    std::string out = r.format + " read " + std::to_string(r.recordsRead) + " imported " + std::to_string(r.imported) +
                      " duplicates " + std::to_string(r.duplicates) + " complete " + std::to_string(r.complete);
    for (const auto &[kind, n] : r.countsByKind)
        out += " " + kind + ":" + std::to_string(n);
    for (const auto &e : r.errors)
        out += " error:" + e;
    return out;
}

} // namespace

class TestCaseStores : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_serverUrl;  // clickhouse://127.0.0.1:PORT/
    QStringList m_samples;
    int m_databases = 0;

    // A new, empty database on the test server.
    std::string newDatabaseUrl()
    {
        return s(m_serverUrl) + "tst_stores_" + std::to_string(::getpid()) + "_" + std::to_string(++m_databases);
    }

    std::unique_ptr<casestore::CaseStore> openClickHouse(const std::string &url, std::size_t batchRows = 100000)
    {
        auto endpoint = clickhouse::parseUrl(url);
        if (!endpoint)
            qFatal("%s", endpoint.error().message.c_str());
        casestore::ClickHouseStoreOptions options;
        options.batchRows = batchRows;
        auto opened = casestore::openClickHouseStore(*endpoint, store::OpenMode::ReadWrite, options);
        if (!opened)
            qFatal("%s", opened.error().message.c_str());
        return std::move(*opened);
    }

    static std::vector<ImportReport> importAll(casestore::CaseStore &target, const QStringList &files)
    {
        ingest::ImportOptions options;
        options.defaultHost = "audit-host";
        ingest::Importer importer(options);
        const ingest::ImportTarget t = casestore::importTarget(target);
        std::vector<ImportReport> reports;
        for (const auto &f : files)
            reports.push_back(importer.importFile(t, s(f)));
        return reports;
    }

    // Every query of the interface gives the same answer on both stores.
    void compareStores(const casestore::CaseStore &a, const casestore::CaseStore &b)
    {
        std::vector<store::EventFilter> filters(6);
        filters[1].source = "sysmon";
        filters[1].eventId = 7;
        filters[2].minLevel = Level::Medium;
        filters[3].text = "DLL";
        filters[4].source = "auditd";
        filters[5].kind = "image-load";
        filters[5].fromUs = 1'500'000'000'000'000;
        for (auto f : filters) {
            f.limit = 1'000'000;
            auto countA = a.countEvents(f), countB = b.countEvents(f);
            QVERIFY2(countA && countB, why(countA, countB).c_str());
            QCOMPARE(*countB, *countA);
            auto listA = a.listEvents(f), listB = b.listEvents(f);
            QVERIFY2(listA && listB, why(listA, listB).c_str());
            QCOMPARE(std::int64_t(listA->size()), *countA);
            QVERIFY(sortedEvents(*listA) == sortedEvents(*listB));
            // Ordered by time on both.
            for (std::size_t i = 1; i < listB->size(); ++i)
                QVERIFY((*listB)[i - 1].timeUs <= (*listB)[i].timeUs);
            for (const store::BucketWidth width :
                 {store::BucketWidth{store::BucketUnit::Seconds, 3600}, store::BucketWidth{store::BucketUnit::Seconds, 7},
                  store::BucketWidth{store::BucketUnit::Day, 0}, store::BucketWidth{store::BucketUnit::Week, 0},
                  store::BucketWidth{store::BucketUnit::Month, 0}, store::BucketWidth{store::BucketUnit::Year, 0}}) {
                auto bucketsA = a.eventBuckets(width, f), bucketsB = b.eventBuckets(width, f);
                QVERIFY2(bucketsA && bucketsB, why(bucketsA, bucketsB).c_str());
                QCOMPARE(bucketsText(*bucketsB), bucketsText(*bucketsA));
            }
            auto spanA = a.eventTimeSpan(f), spanB = b.eventTimeSpan(f);
            QVERIFY(spanA && spanB);
            QCOMPARE(spanB->has_value(), spanA->has_value());
            if (spanA->has_value()) {
                QCOMPARE((*spanB)->firstUs, (*spanA)->firstUs);
                QCOMPARE((*spanB)->lastUs, (*spanA)->lastUs);
                QCOMPARE((*spanB)->events, (*spanA)->events);
            }
            for (auto order : {eventstats::ImageOrder::MostLoaded, eventstats::ImageOrder::Rarest}) {
                auto stackA = a.loadedImageStack(f, order, 50), stackB = b.loadedImageStack(f, order, 50);
                QVERIFY2(stackA && stackB, why(stackA, stackB).c_str());
                QCOMPARE(stackText(*stackB), stackText(*stackA));
            }
        }
        // Paging: the same page sizes, the same events in the pages taken together.
        store::EventFilter paged;
        paged.limit = 10;
        paged.offset = 5;
        auto pageA = a.listEvents(paged), pageB = b.listEvents(paged);
        QVERIFY(pageA && pageB);
        QCOMPARE(pageB->size(), pageA->size());
        auto hostsA = a.eventHosts(), hostsB = b.eventHosts();
        QVERIFY(hostsA && hostsB);
        QCOMPARE(hostsB->size(), hostsA->size());
        for (std::size_t i = 0; i < hostsA->size(); ++i) {
            QCOMPARE((*hostsB)[i].host, (*hostsA)[i].host);
            QCOMPARE((*hostsB)[i].events, (*hostsA)[i].events);
            QCOMPARE((*hostsB)[i].firstUs, (*hostsA)[i].firstUs);
            QCOMPARE((*hostsB)[i].lastUs, (*hostsA)[i].lastUs);
        }
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_serverUrl = loadlens::testing::clickHouseTestUrl();
        if (m_serverUrl.isEmpty())
            QFAIL("no test ClickHouse server: LOADLENS_TEST_CLICKHOUSE_DIR/url is missing (ctest starts one as the "
                  "clickhouse fixture)");
        for (const char *folder : {"sysmon-evtx", "sysmon-xml-json", "auditd"}) {
            const QString dir = testing::sharedDataPath(QString::fromLatin1(folder));
            if (dir.isEmpty())
                QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + testing::sharedDataDir()));
            QDirIterator it(dir, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                m_samples << it.next();
        }
        m_samples.sort();
        QVERIFY(m_samples.size() >= 30);
    }

    void sameImportsGiveTheSameAnswers()
    {
        auto sqliteCase = casestore::openStore(s(m_dir.filePath(QStringLiteral("parity.sqlite"))),
                                               {store::OpenMode::ReadWrite, {}});
        QVERIFY(sqliteCase);
        auto clickhouseCase = openClickHouse(newDatabaseUrl());
        const auto reportsA = importAll(**sqliteCase, m_samples);
        const auto reportsB = importAll(*clickhouseCase, m_samples);
        std::uint64_t imported = 0;
        for (std::size_t i = 0; i < reportsA.size(); ++i) {
            QCOMPARE(reportsB[i].format, reportsA[i].format);
            QCOMPARE(reportsB[i].imported, reportsA[i].imported);
            QCOMPARE(reportsB[i].duplicates, reportsA[i].duplicates);
            QCOMPARE(reportsB[i].recoveredImported, reportsA[i].recoveredImported);
            QCOMPARE(reportsB[i].recoveredDuplicates, reportsA[i].recoveredDuplicates);
            QCOMPARE(reportsB[i].recoveredReplaced, reportsA[i].recoveredReplaced);
            QCOMPARE(reportsB[i].complete, reportsA[i].complete);
            QCOMPARE(reportsB[i].errors, reportsA[i].errors);
            imported += reportsA[i].imported + reportsA[i].recoveredImported - reportsA[i].recoveredReplaced;
        }
        QVERIFY(imported > 1000);
        compareStores(**sqliteCase, *clickhouseCase);

        // Importing everything again adds nothing on either store.
        for (auto *target : {sqliteCase->get(), clickhouseCase.get()}) {
            for (const auto &report : importAll(*target, m_samples))
                QCOMPARE(report.imported, std::uint64_t(0));
        }
        auto total = clickhouseCase->countEvents({});
        QVERIFY(total);
        QCOMPARE(std::uint64_t(*total), imported);
        compareStores(**sqliteCase, *clickhouseCase);
    }

    // Bundles of real scans of fixture processes: h1 and h2 run the plain program, h3 one that
    // loads an extra library, then the plain one; h1 had run the loading one before.
    void snapshotsGiveTheSameAnswers()
    {
        const QString extra = m_dir.filePath(QStringLiteral("plugins/libextra.so"));
        QVERIFY(QDir().mkpath(QFileInfo(extra).path()));
        QVERIFY(QFile::copy(testing::fixtureLibraryPath(), extra));
        testing::FixtureProcess plain, loading;
        QVERIFY2(plain.start({}), qPrintable(plain.error()));
        QVERIFY2(loading.start({QStringLiteral("--dlopen"), extra}), qPrintable(loading.error()));
        const ScanResult plainScan = testing::scanPid(plain.pid());
        const ScanResult loadingScan = testing::scanPid(loading.pid());
        QStringList bundles;
        const struct {
            const ScanResult *scan;
            const char *host;
            std::int64_t at;
        } snapshots[] = {{&plainScan, "h1", 100}, {&plainScan, "h2", 100}, {&loadingScan, "h3", 100},
                         {&plainScan, "h3", 200}, {&loadingScan, "h1", 50}};
        for (const auto &snap : snapshots) {
            ScanResult scan = *snap.scan;
            scan.host.hostname = snap.host;
            scan.scannedAt = snap.at;
            // Host findings of two levels on some snapshots, one of them twice per level.
            if (std::string_view(snap.host) != "h2")
                for (Level level : {Level::High, Level::Low, Level::Low}) {
                    Finding f;
                    f.code = "test-finding";
                    f.level = level;
                    f.text = "seen by the test";
                    f.evidence = {{"n", std::to_string(scan.findings.size())}};
                    scan.findings.push_back(f);
                }
            bundles << m_dir.filePath(QStringLiteral("%1-%2.llsnap").arg(QLatin1String(snap.host)).arg(snap.at));
            QCOMPARE(testing::writeBundle(bundles.back(), scan), QString());
        }

        auto sqliteCase = casestore::openStore(s(m_dir.filePath(QStringLiteral("snapshots.sqlite"))),
                                               {store::OpenMode::ReadWrite, {}});
        QVERIFY(sqliteCase);
        // Batches of 5 rows: every table takes several inserts.
        const std::string url = newDatabaseUrl();
        auto clickhouseCase = openClickHouse(url, 5);
        const auto reportsA = importAll(**sqliteCase, bundles);
        const auto reportsB = importAll(*clickhouseCase, bundles);
        for (std::size_t i = 0; i < reportsA.size(); ++i) {
            QVERIFY(reportsA[i].imported > 0);
            QCOMPARE(reportText(reportsB[i]), reportText(reportsA[i]));
        }

        // The snapshot list, matched by host and scan time; the ids of both stores side by side.
        std::map<std::int64_t, std::int64_t> idOf;  // SQLite id -> ClickHouse id
        auto compareSnapshots = [&](std::size_t expected) {
            auto listA = (*sqliteCase)->listSnapshots(), listB = clickhouseCase->listSnapshots();
            QVERIFY2(listA && listB, why(listA, listB).c_str());
            QCOMPARE(listB->size(), expected);
            QCOMPARE(listB->size(), listA->size());
            for (std::size_t i = 0; i < listA->size(); ++i) {
                QCOMPARE(summaryText((*listB)[i]), summaryText((*listA)[i]));
                QVERIFY((*listB)[i].id > 0 && (*listB)[i].id < (std::int64_t(1) << 53));
                idOf[(*listA)[i].id] = (*listB)[i].id;
            }
        };
        compareSnapshots(5);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(idOf.size(), std::size_t(5));

        auto compareQueries = [&] {
            for (auto by : {analysis::StackBy::Hash, analysis::StackBy::Name})
                for (bool all : {false, true})
                    for (std::optional<std::int64_t> maxHosts : {std::optional<std::int64_t>(), std::optional<std::int64_t>(1),
                                                                  std::optional<std::int64_t>(2)})
                        for (std::int64_t limit : {0, 3}) {
                            analysis::StackOptions options;
                            options.by = by;
                            options.allSnapshots = all;
                            options.maxHosts = maxHosts;
                            options.limit = limit;
                            auto a = (*sqliteCase)->snapshotStack(options), b = clickhouseCase->snapshotStack(options);
                            QVERIFY2(a && b, why(a, b).c_str());
                            QVERIFY(maxHosts || !a->entries.empty());
                            QCOMPARE(snapshotStackText(*b), snapshotStackText(*a));
                        }
            for (const char *needle : {"libextra", "llfixture", "/", "no-such-module"})
                for (bool all : {false, true}) {
                    auto a = (*sqliteCase)->whoLoads(needle, all), b = clickhouseCase->whoLoads(needle, all);
                    QVERIFY2(a && b, why(a, b).c_str());
                    QCOMPARE(b->size(), a->size());
                    for (std::size_t i = 0; i < a->size(); ++i) {
                        const auto &x = (*a)[i], &y = (*b)[i];
                        QCOMPARE(y.snapshotId, idOf[x.snapshotId]);
                        QCOMPARE(QString::fromStdString(y.host + " " + std::to_string(y.scannedAt) + " " +
                                                        std::to_string(y.pid) + " " + y.process + " " + y.executable +
                                                        " " + y.user + " " + y.path + " " + y.sha256 + " " +
                                                        std::to_string(int(y.level))),
                                 QString::fromStdString(x.host + " " + std::to_string(x.scannedAt) + " " +
                                                        std::to_string(x.pid) + " " + x.process + " " + x.executable +
                                                        " " + x.user + " " + x.path + " " + x.sha256 + " " +
                                                        std::to_string(int(x.level))));
                    }
                }
            // Every ordered pair of snapshots.
            for (const auto &[a1, b1] : idOf)
                for (const auto &[a2, b2] : idOf) {
                    auto a = (*sqliteCase)->diffSnapshots(a1, a2), b = clickhouseCase->diffSnapshots(b1, b2);
                    QVERIFY2(a && b, why(a, b).c_str());
                    QCOMPARE(QString::fromStdString(diffText(*b)), QString::fromStdString(diffText(*a)));
                }
            auto missing = clickhouseCase->diffSnapshots(1, 2);
            QVERIFY(!missing);
            // Each snapshot read back whole (the snapshot browser, exports): the same scan from both
            // stores, once processes and findings are in one order.
            const auto scanText = [](store::StoredSnapshot stored) -> QString {
                ScanResult &scan = stored.scan;
                std::sort(scan.processes.begin(), scan.processes.end(), [](const auto &x, const auto &y) {
                    return std::tie(x.pid, x.startTime) < std::tie(y.pid, y.startTime);
                });
                std::sort(scan.findings.begin(), scan.findings.end(), [](const auto &x, const auto &y) {
                    return std::tie(x.code, x.pid, x.text) < std::tie(y.code, y.pid, y.text);
                });
                return QString::fromStdString(report::scanToJson(scan).dump(1)) +
                       (stored.incomplete ? u" incomplete"_qs : QString());
            };
            for (const auto &[a1, b1] : idOf) {
                auto a = (*sqliteCase)->readSnapshot(a1), b = clickhouseCase->readSnapshot(b1);
                QVERIFY2(a && b, why(a, b).c_str());
                QVERIFY(!a->scan.processes.empty() && !a->scan.files.empty());
                QCOMPARE(b->scan.files.size(), a->scan.files.size());
                QCOMPARE(scanText(std::move(*b)), scanText(std::move(*a)));
            }
            QVERIFY(!clickhouseCase->readSnapshot(1));
            // Host findings by level per snapshot (the Case tab's columns).
            auto levelsA = (*sqliteCase)->snapshotFindingLevels(), levelsB = clickhouseCase->snapshotFindingLevels();
            QVERIFY2(levelsA && levelsB, why(levelsA, levelsB).c_str());
            QCOMPARE(levelsB->size(), levelsA->size());
            QVERIFY(levelsA->size() >= 4);
            for (const auto &[id, counts] : *levelsA) {
                QVERIFY(levelsB->count(idOf[id]));
                QCOMPARE(levelsB->at(idOf[id]), counts);
                QCOMPARE(counts[std::size_t(Level::Low)], std::int64_t(2));
            }
        };
        compareQueries();
        if (QTest::currentTestFailed())
            return;
        // The loading program's library is on one host in the latest snapshots: h3's latest is plain.
        auto rare = clickhouseCase->whoLoads("libextra", false);
        QVERIFY(rare && rare->empty());
        auto everywhere = clickhouseCase->whoLoads("libextra", true);
        QVERIFY(everywhere && !everywhere->empty());

        // Re-importing adds nothing: the same reports as SQLite's, and no row stored twice.
        auto rowCounts = [&] {
            auto endpoint = clickhouse::parseUrl(url);
            clickhouse::Client client(*endpoint);
            std::string counts;
            for (const char *table : {"snapshots", "processes", "files", "modules", "module_stack", "findings"}) {
                auto n = client.query(std::string("SELECT count() FROM ") + table);
                counts += std::string(table) + "=" + (n ? *n : n.error().message);
            }
            return counts;
        };
        const std::string before = rowCounts();
        const auto againA = importAll(**sqliteCase, bundles);
        const auto againB = importAll(*clickhouseCase, bundles);
        for (std::size_t i = 0; i < againA.size(); ++i) {
            QCOMPARE(againB[i].imported, std::uint64_t(0));
            QCOMPARE(reportText(againB[i]), reportText(againA[i]));
        }
        QCOMPARE(rowCounts(), before);

        // The ids are derived from the snapshot: another database gets the same ones.
        auto other = openClickHouse(newDatabaseUrl());
        importAll(*other, {bundles[3]});
        auto otherList = other->listSnapshots();
        QVERIFY(otherList && otherList->size() == 1);
        bool found = false;
        for (const auto &[a, b] : idOf)
            found = found || b == otherList->front().id;
        QVERIFY(found);

        // A cancelled import leaves rows but no snapshot; the next import stores it whole and
        // the answers are as before (the rows stored twice are folded by FINAL).
        {
            ScanResult scan = loadingScan;
            scan.host.hostname = "h4";
            scan.scannedAt = 300;
            const QString late = m_dir.filePath(QStringLiteral("h4-300.llsnap"));
            QCOMPARE(testing::writeBundle(late, scan), QString());
            ingest::ImportOptions options;
            options.cancel.cancel();
            ingest::Importer importer(options);
            const ImportReport cut = importer.importFile(casestore::importTarget(*clickhouseCase), s(late));
            QVERIFY(!cut.complete);
            auto listed = clickhouseCase->listSnapshots();
            QVERIFY(listed && listed->size() == 5);
            const auto afterA = importAll(**sqliteCase, {late});
            const auto afterB = importAll(*clickhouseCase, {late});
            QVERIFY(afterB[0].complete);
            // What the cut import counted (the host's files) plus the rest: all of it, once.
            QCOMPARE(cut.imported + afterB[0].imported, afterA[0].imported);
            idOf.clear();
            compareSnapshots(6);
            QCOMPARE(idOf.size(), std::size_t(6));
            compareQueries();
        }
    }

    void smallBatchesCountDuplicatesAcrossBatches()
    {
        // Batches of 7 events: repeats of one file land in later batches than their first copy.
        auto sqliteCase = casestore::openStore(s(m_dir.filePath(QStringLiteral("batches.sqlite"))),
                                               {store::OpenMode::ReadWrite, {}});
        QVERIFY(sqliteCase);
        auto clickhouseCase = openClickHouse(newDatabaseUrl(), 7);
        const QStringList files = {m_samples.filter(QStringLiteral(".jsonl")).value(0),
                                   m_samples.filter(QStringLiteral(".jsonl")).value(0)};
        QVERIFY(!files.front().isEmpty());
        const auto a = importAll(**sqliteCase, files);
        const auto b = importAll(*clickhouseCase, files);
        QVERIFY(a[0].imported > 7);
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(b[i].imported, a[i].imported);
            QCOMPARE(b[i].duplicates, a[i].duplicates);
        }
        compareStores(**sqliteCase, *clickhouseCase);
    }

    // A case made before snapshots were on ClickHouse (schema version 1: events only): read-only
    // it says to open it for writing; an import (read-write open) adds the snapshot tables.
    void aVersionOneCaseIsUpgraded()
    {
        const std::string url = newDatabaseUrl();
        auto endpoint = clickhouse::parseUrl(url);
        QVERIFY(endpoint);
        clickhouse::Endpoint system = *endpoint;
        system.database = "system";
        clickhouse::Client client(system);
        const auto migrations = casestore::clickhouseMigrations({endpoint->database, ""});
        QCOMPARE(migrations.front().version, 1);
        for (const auto &sql : migrations.front().statements)
            QVERIFY(client.query(sql));
        // Version 1 as it was made before the recovered flag (version 3) existed.
        QVERIFY(client.query("ALTER TABLE " + endpoint->database + ".events DROP COLUMN recovered"));
        QVERIFY(client.insert("INSERT INTO " + endpoint->database + ".schema_version FORMAT TabSeparated", "1\t0\tv1\n"));
        auto readOnly = casestore::openStore(url, {store::OpenMode::ReadOnly, {}});
        QVERIFY(!readOnly);
        QVERIFY2(readOnly.error().message.find("schema version 1") != std::string::npos, readOnly.error().message.c_str());
        auto upgraded = openClickHouse(url);
        auto snapshots = upgraded->listSnapshots();
        QVERIFY2(snapshots, snapshots ? "" : snapshots.error().message.c_str());
        QVERIFY(snapshots->empty());
        auto version = client.query("SELECT max(version) FROM " + endpoint->database + ".schema_version");
        QVERIFY(version);
        QCOMPARE(*version, std::to_string(casestore::kClickHouseSchemaVersion) + "\n");
        auto recovered = client.query("SELECT count() FROM system.columns WHERE database = '" + endpoint->database +
                                      "' AND table = 'events' AND name = 'recovered'");
        QVERIFY(recovered);
        QCOMPARE(*recovered, std::string("1\n"));
        QVERIFY(casestore::openStore(url, {store::OpenMode::ReadOnly, {}}));
    }

    void readOnlyOpenOfAMissingCaseSaysHowToMakeOne()
    {
        auto opened = casestore::openStore(newDatabaseUrl(), {store::OpenMode::ReadOnly, {}});
        QVERIFY(!opened);
        QVERIFY2(opened.error().message.find("case init") != std::string::npos, opened.error().message.c_str());
    }

    void unreachableServerIsAClearError()
    {
        // A port nothing listens on: bind one, note it, close it.
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        QCOMPARE(::bind(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr), 0);
        socklen_t len = sizeof addr;
        ::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len);
        ::close(fd);
        const std::string url = "clickhouse://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/nowhere";
        auto opened = casestore::openStore(url, {store::OpenMode::ReadWrite, {}});
        QVERIFY(!opened);
        QVERIFY2(opened.error().message.find("127.0.0.1") != std::string::npos, opened.error().message.c_str());
    }

    void badCredentialsAreAClearError()
    {
        const QString conf = m_dir.filePath(QStringLiteral("clickhouse.conf"));
        QFile f(conf);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("user = default\npassword = not-the-password\n");
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        if (qEnvironmentVariableIsSet("LOADLENS_CLICKHOUSE_USER") || qEnvironmentVariableIsSet("LOADLENS_CLICKHOUSE_PASSWORD"))
            QSKIP("LOADLENS_CLICKHOUSE_USER/PASSWORD are set in the environment and would be used instead of the file");
        auto opened = casestore::openStore(newDatabaseUrl(), {store::OpenMode::ReadWrite, s(conf)});
        QVERIFY(!opened);
        const std::string &message = opened.error().message;
        QVERIFY2(message.find("assword") != std::string::npos || message.find("uthenticat") != std::string::npos,
                 message.c_str());
    }

    // Queries read without FINAL only where each key is stored once: a live event stored over
    // a recovered one (two rows with one key) is merged by the check after the import, and a row
    // stored twice behind the writer's back (an import that raced) keeps the queries on FINAL
    // until the next check merges it.
    void keysStoredTwiceCountOnce()
    {
        const std::string url = newDatabaseUrl();
        auto chCase = openClickHouse(url);
        auto endpoint = clickhouse::parseUrl(url);
        QVERIFY(endpoint);
        clickhouse::Client client(*endpoint);
        const std::string db = endpoint->database;
        auto event = [](std::uint64_t record, bool recovered) {
            LoadEvent e;
            e.host = "ws1";
            e.channel = "Microsoft-Windows-Sysmon/Operational";
            e.source = "sysmon";
            e.eventId = 7;
            e.kind = "image-load";
            e.recordId = record;
            e.timeUs = 1'700'000'000'000'000 + std::int64_t(record) * 1'000'000;
            e.imageLoaded = recovered ? "C:\\old.dll" : "C:\\live.dll";
            e.recovered = recovered;
            return e;
        };
        bool written = true;
        auto write = [&](const std::vector<LoadEvent> &events) {
            auto writer = chCase->eventWriter();
            for (const auto &e : events)
                written = written && writer->add(e);
            written = written && writer->finish();
            return writer->counts();
        };
        auto verified = [&] {
            auto v = casestore::detail::eventsVerified(client, db);
            return v && *v;
        };
        write({event(1, false), event(2, true), event(3, false)});
        QVERIFY(written);
        QVERIFY(verified());
        const auto replaced = write({event(2, false)});
        QVERIFY(written);
        QCOMPARE(replaced.recoveredReplaced, std::uint64_t(1));
        QVERIFY(verified());
        auto rowsStored = client.query("SELECT count() FROM " + db + ".events FORMAT TabSeparated");
        QVERIFY(rowsStored);
        QCOMPARE(std::stoll(*rowsStored), 3LL);  // merged: the recovered row is gone
        store::EventFilter all;
        auto listed = chCase->listEvents(all);
        QVERIFY(listed);
        QCOMPARE(listed->size(), std::size_t(3));
        QCOMPARE(listed->at(1).imageLoaded, std::string("C:\\live.dll"));
        QVERIFY(!listed->at(1).recovered);

        QVERIFY(client.query("INSERT INTO " + db + ".events SELECT * FROM " + db + ".events WHERE record_id = 1"));
        QVERIFY(!verified());
        auto counted = chCase->countEvents(all);
        QVERIFY(counted);
        QCOMPARE(*counted, std::int64_t(3));
        auto stack = chCase->loadedImageStack(all, eventstats::ImageOrder::MostLoaded, 10);
        QVERIFY(stack);
        QCOMPARE(stack->front().loads, std::int64_t(3));
        QVERIFY(casestore::detail::verifyEventPartitions(client, db));
        QVERIFY(verified());
        counted = chCase->countEvents(all);
        QVERIFY(counted);
        QCOMPARE(*counted, std::int64_t(3));
    }

    void serverGoingAwayMidImportThenARerunCompletes()
    {
        const QString big = m_samples.filter(QStringLiteral("azure_la.json")).value(0);
        QVERIFY2(!big.isEmpty(), "the Azure Log Analytics sample (the largest JSON one) is missing");
        const std::string url = newDatabaseUrl();
        auto direct = openClickHouse(url, 50);
        auto endpoint = clickhouse::parseUrl(url);
        QVERIFY(endpoint);
        // Through a connection that is cut after 200 KiB from the client: some batches land.
        {
            CuttingProxy proxy(endpoint->port, 200 * 1024);
            clickhouse::Endpoint viaProxy = *endpoint;
            viaProxy.port = proxy.port();
            casestore::ClickHouseStoreOptions options;
            options.batchRows = 50;
            auto cut = casestore::openClickHouseStore(viaProxy, store::OpenMode::ReadWrite, options);
            QVERIFY2(cut, cut ? "" : cut.error().message.c_str());
            const auto reports = importAll(**cut, {big});
            QVERIFY(!reports[0].complete);
            QVERIFY(!reports[0].errors.empty());
            qInfo("cut import: %llu imported; error: %s", static_cast<unsigned long long>(reports[0].imported),
                  reports[0].errors.back().c_str());
        }
        auto partial = direct->countEvents({});
        QVERIFY(partial);
        // The re-run completes the file without duplicates: the same count as a SQLite import.
        const auto rerun = importAll(*direct, {big});
        QVERIFY2(rerun[0].errors.empty(), rerun[0].errors.empty() ? "" : rerun[0].errors.front().c_str());
        auto sqliteCase = casestore::openStore(s(m_dir.filePath(QStringLiteral("cut.sqlite"))),
                                               {store::OpenMode::ReadWrite, {}});
        QVERIFY(sqliteCase);
        const auto reference = importAll(**sqliteCase, {big});
        auto total = direct->countEvents({});
        QVERIFY(total);
        QCOMPARE(std::uint64_t(*total), reference[0].imported);
        QCOMPARE(rerun[0].imported + std::uint64_t(*partial), reference[0].imported);
        QVERIFY(*partial > 0);  // the cut came after some batches were stored
        compareStores(**sqliteCase, *direct);
    }

    void cleanupTestCase()
    {
        // Drop the databases this run made.
        if (m_serverUrl.isEmpty())
            return;
        auto endpoint = clickhouse::parseUrl(s(m_serverUrl) + "system");
        if (!endpoint)
            return;
        clickhouse::Client client(*endpoint);
        for (int i = 1; i <= m_databases; ++i)
            (void)client.query("DROP DATABASE IF EXISTS tst_stores_" + std::to_string(::getpid()) + "_" +
                               std::to_string(i));
    }
};

QTEST_GUILESS_MAIN(TestCaseStores)
#include "tst_case_stores.moc"
