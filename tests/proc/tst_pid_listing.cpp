// The raw getdents64 listing against readdir, pid probing, and the rules that keep thread
// ids, late arrivals and races from being called hidden processes.
#include "proc/pid_listing.h"

#include <QDir>
#include <QtTest>
#include <atomic>
#include <csignal>
#include <fcntl.h>
#include <sys/syscall.h>
#include <thread>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::proc;

namespace {

// A second thread of this process, alive until the object is destroyed.
class ExtraThread {
public:
    ExtraThread()
        : m_thread([this] {
              m_tid.store(static_cast<int>(::syscall(SYS_gettid)));
              while (!m_stop.load())
                  std::this_thread::sleep_for(std::chrono::milliseconds(5));
          })
    {
        while (m_tid.load() == 0)
            std::this_thread::yield();
    }
    ~ExtraThread()
    {
        m_stop.store(true);
        m_thread.join();
    }
    int tid() const { return m_tid.load(); }

private:
    std::atomic<int> m_tid{0};
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

int freePid()
{
    for (int pid = 4194303; pid > 1; --pid)
        if (::kill(pid, 0) != 0 && errno == ESRCH)
            return pid;
    return -1;
}

} // namespace

class TestPidListing : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_procFd = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        QVERIFY(m_procFd >= 0);
    }
    void cleanupTestCase() { ::close(m_procFd); }

    void listingMatchesReaddir()
    {
        auto pids = listPids(m_procFd);
        QVERIFY(pids.ok());
        QVERIFY(std::is_sorted(pids->begin(), pids->end()));
        QVERIFY(std::binary_search(pids->begin(), pids->end(), 1));
        QVERIFY(std::binary_search(pids->begin(), pids->end(), int(::getpid())));

        const QStringList names = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
        int numeric = 0;
        int missing = 0;
        for (const QString &name : names) {
            bool isNumber = false;
            const int pid = name.toInt(&isNumber);
            if (!isNumber)
                continue;
            ++numeric;
            if (!std::binary_search(pids->begin(), pids->end(), pid))
                ++missing;
        }
        // Processes come and go between the two listings; a handful may differ, not more.
        QVERIFY2(missing <= 5, qPrintable(QString::number(missing)));
        QVERIFY(std::abs(numeric - int(pids->size())) <= 5);

        // The fd is rewound: a second call on the same fd lists again.
        auto again = listPids(m_procFd);
        QVERIFY(again.ok());
        QVERIFY(std::abs(int(again->size()) - int(pids->size())) <= 5);
    }

    void listingTaskDirectoryShowsThreads()
    {
        ExtraThread thread;
        const int taskFd = ::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        QVERIFY(taskFd >= 0);
        auto tids = listPids(taskFd);
        ::close(taskFd);
        QVERIFY(tids.ok());
        QVERIFY(std::binary_search(tids->begin(), tids->end(), thread.tid()));
        QVERIFY(std::binary_search(tids->begin(), tids->end(), int(::getpid())));
    }

    void listingFailsAsValue()
    {
        auto bad = listPids(-1);
        QVERIFY(!bad.ok());
        QCOMPARE(bad.error().code, EBADF);
    }

    void parsesLastPid_data()
    {
        QTest::addColumn<QByteArray>("loadavg");
        QTest::addColumn<int>("expected");  // -1: nullopt
        QTest::addRow("normal") << QByteArray("0.05 0.10 0.05 1/86 5567\n") << 5567;
        QTest::addRow("no newline") << QByteArray("1.00 2.00 3.00 4/500 123") << 123;
        QTest::addRow("too few fields") << QByteArray("0.05 0.10 0.05 1/86") << -1;
        QTest::addRow("not a number") << QByteArray("0.05 0.10 0.05 1/86 x12") << -1;
        QTest::addRow("empty") << QByteArray() << -1;
    }
    void parsesLastPid()
    {
        QFETCH(QByteArray, loadavg);
        QFETCH(int, expected);
        const auto pid = parseLastPid(std::string_view(loadavg.constData(), static_cast<std::size_t>(loadavg.size())));
        if (expected < 0)
            QVERIFY(!pid);
        else
            QCOMPARE(pid, std::optional<int>(expected));
    }

    void readsLimitsOfThisHost()
    {
        const auto last = readLastPid("/proc");
        const auto max = readPidMax("/proc");
        QVERIFY(last && max);
        QVERIFY(*last >= 1 && *last <= *max);
        QVERIFY(!readPidMax("/nonexistent"));
    }

    void probeFindsUnlistedThreadsAndProcesses()
    {
        ExtraThread thread;
        // Nothing listed: our own pid and our thread id both answer.
        const auto all = probeUnlistedPids({}, std::max(thread.tid(), int(::getpid())));
        QVERIFY(std::binary_search(all.begin(), all.end(), int(::getpid())));
        QVERIFY(std::binary_search(all.begin(), all.end(), thread.tid()));
        QVERIFY(std::binary_search(all.begin(), all.end(), 1));

        // What is listed is not probed.
        auto listed = listPids(m_procFd);
        QVERIFY(listed.ok());
        const auto unlisted = probeUnlistedPids(*listed, thread.tid());
        QVERIFY(!std::binary_search(unlisted.begin(), unlisted.end(), int(::getpid())));
        QVERIFY(std::binary_search(unlisted.begin(), unlisted.end(), thread.tid()));
    }

    void probeStopsWhenCancelled()
    {
        CancelToken cancel;
        cancel.cancel();
        QVERIFY(probeUnlistedPids({}, 1 << 20, cancel).size() < 4096);
    }

    void classifiesProbeHits()
    {
        ExtraThread thread;
        const std::uint64_t now = bootTimeTicksNow();
        const std::uint64_t later = now + 1000;
        const int self = int(::getpid());
        QCOMPARE(classifyProbeHit(m_procFd, thread.tid(), {}, later), ProbeHit::Thread);
        // Our own process, pretending the second listing missed it: that is what hiding looks like.
        QCOMPARE(classifyProbeHit(m_procFd, self, {}, later), ProbeHit::Hidden);
        QCOMPARE(classifyProbeHit(m_procFd, self, {self}, later), ProbeHit::Listed);
        // Started at or after the scan began: just born, not hidden.
        QCOMPARE(classifyProbeHit(m_procFd, self, {}, 0), ProbeHit::BornDuringScan);
        const int free = freePid();
        QVERIFY(free > 0);
        QCOMPARE(classifyProbeHit(m_procFd, free, {}, later), ProbeHit::Gone);
    }

    void bootTicksAdvanceWithTime()
    {
        const std::uint64_t a = bootTimeTicksNow();
        QTest::qSleep(50);
        const std::uint64_t b = bootTimeTicksNow();
        QVERIFY(b > a);
        // Our process started before now.
        QFile stat(QStringLiteral("/proc/self/stat"));
        QVERIFY(stat.open(QIODevice::ReadOnly));
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        QVERIFY(fields.size() > 19);
        QVERIFY(fields[19].toULongLong() <= b);
    }

private:
    int m_procFd = -1;
};

QTEST_GUILESS_MAIN(TestPidListing)
#include "tst_pid_listing.moc"
