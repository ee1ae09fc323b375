// MainWindow: shows a real scan of this test process, selects what deserves attention, and a
// rescan of the same host keeps the selection while rows come and go.
#include "filterproxies.h"
#include "helpmenu.h"
#include "mainwindow.h"
#include "moduletablemodel.h"
#include "model_lookup.h"
#include "processtreemodel.h"
#include "scan_builders.h"
#include "scancontroller.h"
#include "verdictdetails.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCoreApplication>
#include <QLabel>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTemporaryDir>
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
    void titleNamesTheAppOnce();
    void helpListsRealShortcutsAndLicences();
    void selectsFirstFlaggedProcessAndExplainsIt();
    void rescanKeepsSelection();
    void onlyFlaggedHidesQuietProcesses();
    void statusLineFollowsTabAndFilters();
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

// Qt's platform windows append the application display name to a title that does not already
// end with it (QPlatformWindow::formatWindowTitle): the title shown is this.
// The "[*]" modification placeholder is dropped while the window is unmodified.
static QString shownTitle(QString title)
{
    title.remove(QStringLiteral("[*]"));
    const QString app = QGuiApplication::applicationDisplayName();
    return title.endsWith(app) ? title : title + QStringLiteral(" \u2014 ") + app;
}

void TestMainWindow::titleNamesTheAppOnce()
{
    QGuiApplication::setApplicationDisplayName(QStringLiteral("LoadLens"));
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    MainWindow window({});
    QCOMPARE(shownTitle(window.windowTitle()), QStringLiteral("LoadLens"));
    QVERIFY(window.openCase(dir.filePath(QStringLiteral("case.sqlite"))));
    QCOMPARE(shownTitle(window.windowTitle()), QStringLiteral("case.sqlite \u2014 LoadLens"));
    QCOMPARE(window.windowFilePath(), dir.filePath(QStringLiteral("case.sqlite")));
}

// Help > Keyboard shortcuts lists what the actions really are bound to, so a new shortcut
// shows up there by itself; Help > About names the version, revision and licences.
void TestMainWindow::helpListsRealShortcutsAndLicences()
{
    MainWindow window({});
    const QStringList lines = shortcutLines(&window);
    QVERIFY2(lines.contains(QStringLiteral("Refresh\tF5")), qPrintable(lines.join(QLatin1Char('\n'))));
    QVERIFY2(lines.contains(QStringLiteral("Cancel scan\tEsc")), qPrintable(lines.join(QLatin1Char('\n'))));
    int bound = 0;
    for (const QAction *action : window.findChildren<QAction *>())
        if (!action->shortcut().isEmpty()) {
            ++bound;
            const QString key = action->shortcut().toString(QKeySequence::NativeText);
            QVERIFY2(lines.filter(QLatin1Char('\t') + key).size() >= 1, qPrintable(key));
        }
    QVERIFY(bound >= 2);
    QVERIFY(window.findChild<QAction *>(QStringLiteral("helpShortcutsAction")));
    QVERIFY(window.findChild<QAction *>(QStringLiteral("helpAboutAction")));
    const QString about = aboutHtml();
    QVERIFY(about.contains(QStringLiteral("git revision <code>")));
    QVERIFY(!about.contains(QStringLiteral("<code></code>")));
    QVERIFY(about.contains(QStringLiteral("MIT")));
    QVERIFY(about.contains(QStringLiteral("HijackLibs data set (GPL-3.0)")));
    // The libraries LoadLens links (libregf reads the hives); libevtx and auparse are only the
    // tests' oracles and are not part of the program.
    QVERIFY(about.contains(QStringLiteral("libregf")));
    QVERIFY(!about.contains(QStringLiteral("libevtx")));
    QVERIFY(!about.contains(QStringLiteral("auparse")));
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

// The status line speaks of the tab on show and says how much a filter hides.
void TestMainWindow::statusLineFollowsTabAndFilters()
{
    MainWindow window({});
    window.applyResult(constructedResult());
    QVERIFY(window.selectFirstInteresting());
    const auto labelShowsStatus = [&window] {
        for (const QLabel *label : window.statusBar()->findChildren<QLabel *>())
            if (label->text() == window.statusText())
                return true;
        return false;
    };
    QVERIFY2(window.statusText().startsWith(QStringLiteral("3 processes, 4 modules")), qPrintable(window.statusText()));
    QVERIFY(!window.statusText().contains(QStringLiteral("shown")));
    QTRY_VERIFY(labelShowsStatus());

    window.setOnlyFlagged(true);
    QVERIFY2(window.statusText().contains(QStringLiteral("2 of 3 processes shown")), qPrintable(window.statusText()));
    QVERIFY2(window.statusText().contains(QStringLiteral("1 of 2 modules shown")), qPrintable(window.statusText()));
    QTRY_VERIFY(labelShowsStatus());

    QVERIFY(window.selectTab(QStringLiteral("case")));
    QTRY_VERIFY(labelShowsStatus());
    QCOMPARE(window.statusText(), QStringLiteral("Case: none open (File > Open case)"));
    QVERIFY(window.selectTab(QStringLiteral("events")));
    QTRY_VERIFY(labelShowsStatus());
    QVERIFY2(!window.statusText().contains(QStringLiteral("processes")), qPrintable(window.statusText()));

    QVERIFY(window.selectTab(QStringLiteral("processes")));
    QTRY_VERIFY(labelShowsStatus());
    QVERIFY(window.statusText().contains(QStringLiteral("2 of 3 processes shown")));
    window.setOnlyFlagged(false);
    QVERIFY(!window.statusText().contains(QStringLiteral("shown")));
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
    QVERIFY2(window.statusText().contains(QStringLiteral("1 process, ")), qPrintable(window.statusText()));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
