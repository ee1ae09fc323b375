// ScanController: work off the GUI thread, throttled progress, cancellation, exactly one of
// finished/failed per job, and results of superseded jobs dropped.
#include "scancontroller.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace loadlens;
using loadlens::ui::ScanController;

namespace {

ScanResult resultWithPid(int pid)
{
    ScanResult result;
    ProcessInfo process;
    process.pid = pid;
    result.processes.push_back(process);
    return result;
}

int firstPid(const QList<QVariant> &finishedArguments)
{
    return finishedArguments.at(1).value<std::shared_ptr<const ScanResult>>()->processes.at(0).pid;
}

} // namespace

class TestScanController : public QObject {
    Q_OBJECT

private slots:
    void finishedOnceWithThrottledProgress();
    void runsOffTheGuiThread();
    void cancelGivesFailedOnly();
    void staleGenerationIsDropped();
    void exceptionBecomesFailed();
    void destroyWhileRunning();
};

void TestScanController::finishedOnceWithThrottledProgress()
{
    ScanController controller([](const scan::ScanOptions &options, const ProgressFn &progress, const CancelToken &) {
        for (std::size_t i = 1; i <= 2000; ++i)
            progress(i, 2000, "hashing");
        return resultWithPid(*options.pid);
    });
    controller.setProgressInterval(1000);
    QSignalSpy started(&controller, &ScanController::started);
    QSignalSpy progress(&controller, &ScanController::progress);
    QSignalSpy finished(&controller, &ScanController::finished);
    QSignalSpy failed(&controller, &ScanController::failed);

    scan::ScanOptions options;
    options.pid = 4242;
    const quint64 generation = controller.start(options);
    QCOMPARE(started.count(), 1);
    QVERIFY(controller.isRunning());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(finished.at(0).at(0).toULongLong(), generation);
    QCOMPARE(firstPid(finished.at(0)), 4242);
    QVERIFY(!controller.isRunning());
    // 2000 reports in well under the interval: the first and the last get through.
    QVERIFY2(progress.count() >= 1 && progress.count() <= 3, qPrintable(QString::number(progress.count())));
    QCOMPARE(progress.last().at(1).toLongLong(), 2000);
    QCOMPARE(progress.last().at(3).toString(), QStringLiteral("hashing"));
    QTest::qWait(50);
    QCOMPARE(finished.count(), 1);
}

void TestScanController::runsOffTheGuiThread()
{
    std::atomic<QThread *> worker{nullptr};
    ScanController controller([&](const scan::ScanOptions &, const ProgressFn &, const CancelToken &) {
        worker = QThread::currentThread();
        return resultWithPid(1);
    });
    QSignalSpy finished(&controller, &ScanController::finished);
    controller.start({});
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QVERIFY(worker.load() != nullptr);
    QVERIFY(worker.load() != QThread::currentThread());
}

void TestScanController::cancelGivesFailedOnly()
{
    std::atomic<bool> running{false};
    ScanController controller([&](const scan::ScanOptions &, const ProgressFn &, const CancelToken &cancel) {
        running = true;
        for (int i = 0; i < 2000 && !cancel.cancelled(); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ScanResult partial = resultWithPid(1);
        partial.stats.cancelled = cancel.cancelled();
        return partial;
    });
    QSignalSpy finished(&controller, &ScanController::finished);
    QSignalSpy failed(&controller, &ScanController::failed);
    const quint64 generation = controller.start({});
    QTRY_VERIFY_WITH_TIMEOUT(running.load(), 5000);
    controller.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
    QCOMPARE(failed.at(0).at(0).toULongLong(), generation);
    QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("cancelled")));
    QTest::qWait(100);
    QCOMPARE(finished.count(), 0);
    QCOMPARE(failed.count(), 1);
    QVERIFY(!controller.isRunning());
}

void TestScanController::staleGenerationIsDropped()
{
    std::atomic<int> calls{0};
    std::atomic<bool> releaseFirst{false};
    ScanController controller([&](const scan::ScanOptions &, const ProgressFn &progress, const CancelToken &) {
        const int call = ++calls;
        if (call == 1) {
            // Ignores cancellation on purpose: a slow job that still completes after being superseded.
            while (!releaseFirst)
                std::this_thread::sleep_for(std::chrono::milliseconds(2));
            progress(1, 1, "late");
        }
        return resultWithPid(call);
    });
    QSignalSpy progress(&controller, &ScanController::progress);
    QSignalSpy finished(&controller, &ScanController::finished);
    QSignalSpy failed(&controller, &ScanController::failed);

    const quint64 first = controller.start({});
    QTRY_COMPARE_WITH_TIMEOUT(calls.load(), 1, 5000);
    const quint64 second = controller.start({});
    QVERIFY(second > first);
    QCOMPARE(controller.currentGeneration(), second);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 5000);
    QCOMPARE(finished.at(0).at(0).toULongLong(), second);
    QCOMPARE(firstPid(finished.at(0)), 2);

    releaseFirst = true;
    QTest::qWait(300);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(progress.count(), 0);  // the stale job's progress is dropped too
}

void TestScanController::exceptionBecomesFailed()
{
    ScanController controller([](const scan::ScanOptions &, const ProgressFn &, const CancelToken &) -> ScanResult {
        throw std::runtime_error("disk on fire");
    });
    QSignalSpy finished(&controller, &ScanController::finished);
    QSignalSpy failed(&controller, &ScanController::failed);
    controller.start({});
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 5000);
    QVERIFY(failed.at(0).at(1).toString().contains(QStringLiteral("disk on fire")));
    QCOMPARE(finished.count(), 0);
}

void TestScanController::destroyWhileRunning()
{
    std::atomic<bool> running{false};
    auto controller = std::make_unique<ScanController>([&](const scan::ScanOptions &, const ProgressFn &, const CancelToken &cancel) {
        running = true;
        while (!cancel.cancelled())
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return ScanResult();
    });
    controller->start({});
    QTRY_VERIFY_WITH_TIMEOUT(running.load(), 5000);
    controller.reset();  // cancels and waits; nothing may arrive for a deleted object
    QTest::qWait(50);
}

QTEST_MAIN(TestScanController)
#include "tst_scancontroller.moc"
