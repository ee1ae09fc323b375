// The GUI thread keeps answering while long work runs: a 5 ms watchdog timer on the GUI thread
// measures the gaps between its ticks during a live rescan of every process (first a new data
// set, then a merge) and while a case with many snapshots and events is opened and queried.
// The machines that run this are shared and noisy, so the 99th percentile of the gaps is held
// to 100 ms and the single worst gap only to a generous bound; both are printed.
#include "case_builders.h"
#include "casequeryrunner.h"
#include "casetab.h"
#include "eventstab.h"
#include "mainwindow.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <functional>
#include <vector>

using namespace loadlens;
using namespace loadlens::testing;
using namespace loadlens::ui;

namespace {

// Measured on 2 shared cores (dev build): 99th percentile 13-41 ms, worst 17-56 ms. Work on
// the GUI thread instead of a worker (a whole scan, a whole query) shows as stalls of seconds.
#if defined(__SANITIZE_ADDRESS__)
constexpr qint64 kSlowdown = 4;  // ASan and UBSan slow the GUI thread's own work too
#else
constexpr qint64 kSlowdown = 1;
#endif
constexpr qint64 kPercentileLimitMs = 100 * kSlowdown;
constexpr qint64 kWorstLimitMs = 2000 * kSlowdown;

class Watchdog {
public:
    Watchdog()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(5);
        QObject::connect(&m_timer, &QTimer::timeout, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            m_gapsUs.push_back((now - m_last) / 1000);
            m_last = now;
        });
    }
    void start()
    {
        m_gapsUs.clear();
        m_clock.start();
        m_last = 0;
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    qint64 worstUs() const { return m_gapsUs.empty() ? 0 : *std::max_element(m_gapsUs.begin(), m_gapsUs.end()); }
    qint64 percentileUs(double p) const
    {
        if (m_gapsUs.empty())
            return 0;
        std::vector<qint64> sorted = m_gapsUs;
        std::sort(sorted.begin(), sorted.end());
        const auto at = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
        return sorted[at];
    }
    std::size_t ticks() const { return m_gapsUs.size(); }
    // Prints the measurement and checks the bounds.
    bool report(const char *what) const
    {
        qInfo("%s: %zu ticks of 5 ms, median %.1f ms, 99th percentile %.1f ms, worst stall %.1f ms", what, ticks(),
              double(percentileUs(0.5)) / 1000, double(percentileUs(0.99)) / 1000, double(worstUs()) / 1000);
        return ticks() >= 10 && percentileUs(0.99) <= kPercentileLimitMs * 1000 && worstUs() <= kWorstLimitMs * 1000;
    }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = 0;
    std::vector<qint64> m_gapsUs;
};

// Waits in a real event loop (QTRY_* sleeps between polls, which would count as stalls).
bool waitUntil(const std::function<bool()> &done, QSignalSpy &spy, int timeoutMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() > timeoutMs)
            return false;
        spy.wait(200);
    }
    return true;
}

} // namespace

class TestResponsiveness : public QObject {
    Q_OBJECT

private slots:
    void liveRescan()
    {
        MainWindow window({});
        window.show();
        QSignalSpy applied(&window, &MainWindow::resultApplied);
        QSignalSpy failed(&window, &MainWindow::scanFailed);
        Watchdog watchdog;
        for (const char *what : {"live scan (new data set)", "live rescan (merge)"}) {
            const auto before = applied.count();
            watchdog.start();
            window.refresh();
            QVERIFY(waitUntil([&] { return applied.count() > before || !failed.isEmpty(); }, applied, 240000));
            QSignalSpy idle(&window, &MainWindow::resultApplied);
            idle.wait(100);  // the view lays out the result
            watchdog.stop();
            QVERIFY(failed.isEmpty());
            QVERIFY2(watchdog.report(what), what);
        }
        QVERIFY(window.lastResult()->processes.size() > 1);
    }

    void caseQueries()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString casePath = dir.filePath(QStringLiteral("case.sqlite"));
        {
            const ScanResult scan = scanSelf();
            auto db = store::CaseDatabase::open(casePath.toStdString(), store::OpenMode::CreateNew);
            QVERIFY(db.ok());
            for (int host = 0; host < 6; ++host)
                QVERIFY(writeSnapshot(*db, scan, 1700000000 + host * 60, "host-" + std::to_string(host)).ok());
            std::vector<LoadEvent> events;
            for (int i = 0; i < 20000; ++i)
                events.push_back(makeLoadEvent(std::uint64_t(i + 1), 1700000000LL * 1000000 + i * 1000000LL,
                                               i % 97 == 0 ? Level::High : Level::Ok, "image-load",
                                               "WS" + std::to_string(i % 7),
                                               "C:\\Windows\\System32\\lib" + std::to_string(i % 300) + ".dll"));
            QVERIFY(writeEvents(*db, events).ok());
        }
        MainWindow window({});
        window.show();
        QSignalSpy caseSettled(window.caseTab(), &CaseTab::settled);
        QSignalSpy eventsSettled(window.eventsTab(), &EventsTab::settled);
        Watchdog watchdog;
        watchdog.start();
        QVERIFY(window.openCase(casePath).ok());
        window.selectTab(QStringLiteral("events"));
        QVERIFY(waitUntil([&] { return caseSettled.count() >= 1 && window.caseTab()->runner()->isIdle(); }, caseSettled, 120000));
        QVERIFY(waitUntil([&] { return eventsSettled.count() >= 1 && window.eventsTab()->runner()->isIdle(); }, eventsSettled, 120000));
        // Searches: the events tab queries again each time.
        for (const QString &text : {QStringLiteral("lib42.dll"), QStringLiteral("WS3"), QStringLiteral("System32"), QString()}) {
            eventsSettled.clear();
            window.eventsTab()->setTextFilter(text);
            QVERIFY(waitUntil([&] { return eventsSettled.count() >= 1 && window.eventsTab()->runner()->isIdle(); }, eventsSettled, 120000));
        }
        watchdog.stop();
        QVERIFY2(watchdog.report("case open and queries (6 snapshots, 20000 events)"), "case queries");
    }
};

QTEST_MAIN(TestResponsiveness)
#include "tst_responsiveness.moc"
