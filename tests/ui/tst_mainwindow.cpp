// MainWindow: shows a real scan of this test process, selects what deserves attention, and a
// rescan of the same host keeps the selection while rows come and go.
#include "filterproxies.h"
#include "mainwindow.h"
#include "moduletablemodel.h"
#include "model_lookup.h"
#include "processtreemodel.h"
#include "scan_builders.h"
#include "scancontroller.h"
#include "verdictdetails.h"

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QSignalSpy>
#include <QTest>
#include <QTreeView>

using namespace loadlens;
using namespace loadlens::testing;
using namespace loadlens::ui;

namespace {

std::shared_ptr<const ScanResult> constructedResult(const std::string &bootId = "boot-1")
{
    auto result = std::make_shared<ScanResult>();
    result->host.hostname = "testhost";
    result->host.bootId = bootId;
    auto init = makeProcess(1, 0, "systemd");
    init.modules = {makeModule("/usr/lib/systemd/systemd", 1)};
    auto quiet = makeProcess(50, 1, "quiet");
    quiet.modules = {makeModule("/usr/bin/quiet", 2, Level::Info)};
    auto web = makeProcess(60, 1, "web");
    web.modules = {makeModule("/usr/sbin/web", 3), makeModule("/dev/shm/libhook.so", 4, Level::High)};
    web.modules[1].verdict.reasons[0].code = "world-writable-dir";
    result->processes = {init, quiet, web};
    for (const auto &process : result->processes)
        for (const auto &module : process.modules)
            result->files[module.file] = makeFacts(module, 8192, "pkg");
    return result;
}

} // namespace

class TestMainWindow : public QObject {
    Q_OBJECT

private slots:
    void titleAndActions();
    void selectsFirstFlaggedProcessAndExplainsIt();
    void rescanKeepsSelection();
    void onlyFlaggedHidesQuietProcesses();
    void otherBootIsANewDataSet();
    void showsRealScanOfThisProcess();
};

void TestMainWindow::titleAndActions()
{
    MainWindow window({});
    QCOMPARE(window.windowTitle(), QStringLiteral("LoadLens"));
    QStringList shortcuts;
    for (const QAction *action : window.findChildren<QAction *>())
        shortcuts << action->shortcut().toString();
    QVERIFY(shortcuts.contains(QStringLiteral("F5")));
    QVERIFY(shortcuts.contains(QStringLiteral("Esc")));
}

void TestMainWindow::selectsFirstFlaggedProcessAndExplainsIt()
{
    MainWindow window({});
    QAbstractItemModelTester processTester(window.processView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester moduleTester(window.moduleView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.applyResult(constructedResult());
    QVERIFY(window.selectFirstInteresting());
    QCOMPARE(window.processView()->currentIndex().data(ProcessTreeModel::PidRole).toInt(), 60);
    QCOMPARE(window.moduleView()->model()->rowCount(), 2);
    // Modules are sorted worst first, so the first row is the flagged one.
    QCOMPARE(window.moduleView()->currentIndex().data(ModuleTableModel::PathRole).toString(), QStringLiteral("/dev/shm/libhook.so"));
    QVERIFY(window.detailsView()->toPlainText().contains(QStringLiteral("world-writable-dir")));
    QVERIFY(window.statusText().contains(QStringLiteral("3 processes, 4 modules")));
}

void TestMainWindow::rescanKeepsSelection()
{
    MainWindow window({});
    QAbstractItemModelTester processTester(window.processView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.applyResult(constructedResult());
    QVERIFY(window.selectFirstInteresting());
    const QPersistentModelIndex selected = window.processView()->currentIndex();

    auto next = std::make_shared<ScanResult>(*constructedResult());
    next->processes.erase(next->processes.begin() + 1);  // "quiet" exited
    next->processes.push_back(makeProcess(70, 60, "web-worker"));
    next->processes[1].modules.push_back(makeModule("/usr/lib/libnew.so", 9));
    QSignalSpy resets(window.processView()->model(), &QAbstractItemModel::modelReset);
    window.applyResult(next);

    QCOMPARE(resets.count(), 0);
    QVERIFY(selected.isValid());
    QCOMPARE(window.processView()->currentIndex(), QModelIndex(selected));
    QCOMPARE(window.processView()->currentIndex().data(ProcessTreeModel::PidRole).toInt(), 60);
    QCOMPARE(window.moduleView()->model()->rowCount(), 3);
    QCOMPARE(window.moduleView()->currentIndex().data(ModuleTableModel::PathRole).toString(), QStringLiteral("/dev/shm/libhook.so"));
    QVERIFY(!findPid(window.processView()->model(), 50).isValid());
    QVERIFY(findPid(window.processView()->model(), 70).isValid());
}

void TestMainWindow::onlyFlaggedHidesQuietProcesses()
{
    MainWindow window({});
    window.applyResult(constructedResult());
    window.setOnlyFlagged(true);
    const QAbstractItemModel *processes = window.processView()->model();
    QVERIFY(findPid(processes, 60).isValid());
    QVERIFY(findPid(processes, 1).isValid());  // ancestor kept for context
    QVERIFY(!findPid(processes, 50).isValid());
    QVERIFY(window.selectFirstInteresting());
    QCOMPARE(window.moduleView()->model()->rowCount(), 1);
    window.setOnlyFlagged(false);
    QVERIFY(findPid(processes, 50).isValid());
    QCOMPARE(window.moduleView()->model()->rowCount(), 2);
}

void TestMainWindow::otherBootIsANewDataSet()
{
    MainWindow window({});
    window.applyResult(constructedResult("boot-1"));
    QSignalSpy resets(window.processView()->model(), &QAbstractItemModel::modelReset);
    window.applyResult(constructedResult("boot-2"));
    QCOMPARE(resets.count(), 1);
}

void TestMainWindow::showsRealScanOfThisProcess()
{
    scan::ScanOptions options;
    const int self = static_cast<int>(QCoreApplication::applicationPid());
    options.pid = self;
    MainWindow window(options);
    window.show();
    QSignalSpy applied(&window, &MainWindow::resultApplied);
    QSignalSpy failed(&window, &MainWindow::scanFailed);
    window.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(applied.count() + failed.count(), 1, 240000);
    QCOMPARE(failed.count(), 0);

    const QModelIndex row = findPid(window.processView()->model(), self);
    QVERIFY2(row.isValid(), qPrintable(window.statusText()));
    QCOMPARE(row.data().toString(), QCoreApplication::applicationName().left(15));  // comm is cut at 15
    QVERIFY(row.data(ProcessTreeModel::ModuleCountRole).toInt() > 0);
    QVERIFY(window.selectFirstInteresting());
    QCOMPARE(window.processView()->currentIndex().data(ProcessTreeModel::PidRole).toInt(), self);
    // A Qt test links libQt6Core; its module row and this executable must be listed.
    QStringList paths;
    const QAbstractItemModel *modules = window.moduleView()->model();
    for (int r = 0; r < modules->rowCount(); ++r)
        paths << modules->index(r, 0).data(ModuleTableModel::PathRole).toString();
    QVERIFY2(paths.filter(QStringLiteral("libQt6Core.so")).size() == 1, qPrintable(paths.join(QLatin1Char('\n'))));
    QVERIFY2(paths.contains(QCoreApplication::applicationFilePath()), qPrintable(paths.join(QLatin1Char('\n'))));
    QVERIFY(!window.detailsView()->toPlainText().isEmpty());
    QVERIFY(window.statusText().contains(QStringLiteral("1 processes")));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
