// The row actions of every table: the context menu of each view (the same QActions as the
// shortcuts), clipboard contents, JSON that parses, the folder URL asked for, who loads this,
// show in Events, verdict details, and suspend/resume/kill of a real child process, directly
// and through the real `loadlens-cli signal` (the pkexec route without pkexec), including a
// refused start-time mismatch and a declined confirmation.
#include "casemodels.h"
#include "casequeryrunner.h"
#include "casetab.h"
#include "eventmodels.h"
#include "eventstab.h"
#include "filterproxies.h"
#include "mainwindow.h"
#include "model_lookup.h"
#include "moduletablemodel.h"
#include "processsignaller.h"
#include "processtreemodel.h"
#include "proc/proc_stat.h"
#include "rowactions.h"
#include "scan_builders.h"
#include "stackdrilldown.h"
#include "case_builders.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QDialog>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenu>
#include <QPainter>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTreeView>
#include <QUrl>

#include <algorithm>
#include <optional>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::testing;
using namespace loadlens::ui;

namespace {

const QString kCli = QStringLiteral(LOADLENS_CLI);
const std::string kHookHash = "feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface";
constexpr std::int64_t kScannedAt = 1700000000;

// State letter and start time from /proc/PID/stat; '?' when the process is gone.
std::pair<char, std::uint64_t> procState(qint64 pid)
{
    QFile file(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!file.open(QIODevice::ReadOnly))
        return {'?', 0};
    const auto stat = proc::parseProcStat(file.readAll().toStdString());
    return stat ? std::pair{stat->state, stat->startTime} : std::pair{'?', std::uint64_t(0)};
}

std::shared_ptr<const ScanResult> scanWith(qint64 childPid, std::uint64_t childStart)
{
    auto result = std::make_shared<ScanResult>();
    result->host.hostname = "actions-host";
    result->host.bootId = "boot-1";
    auto init = makeProcess(1, 0, "systemd");
    init.modules = {makeModule("/usr/lib/systemd/systemd", 1)};
    auto child = makeProcess(static_cast<int>(childPid), 1, "sleep", childStart);
    child.uid = ::getuid();
    child.user = "tester";
    child.exe = "/usr/bin/sleep";
    child.modules = {makeModule("/usr/bin/sleep", 2), makeModule("/dev/shm/libhook.so", 3, Level::High),
                     makeModule("/usr/lib/x86_64-linux-gnu/libc.so.6", 4)};
    auto other = makeProcess(4100, 1, "nginx");
    other.modules = {makeModule("/usr/sbin/nginx", 5), makeModule("/usr/lib/x86_64-linux-gnu/libc.so.6", 4)};
    result->processes = {init, child, other};
    for (const auto &process : result->processes)
        for (const auto &module : process.modules)
            result->files[module.file] = makeFacts(module, 8192, "pkg");
    result->files[child.modules[1].file].sha256 = kHookHash;
    result->files[child.modules[1].file].package.clear();
    return result;
}

QStringList menuTexts(QMenu *menu)
{
    QStringList texts;
    for (QAction *action : menu->actions())
        if (!action->isSeparator())
            texts << action->text() + (action->isEnabled() ? QString() : QStringLiteral(" (disabled)"));
    return texts;
}

const QStringList kCommon = {QStringLiteral("Copy &path"), QStringLiteral("Copy &SHA-256"), QStringLiteral("Copy as &JSON"),
                             QStringLiteral("Open containing &folder"), QStringLiteral("&Who loads this"),
                             QStringLiteral("Show in &Events"), QStringLiteral("Verdict &details")};
const QStringList kSignals = {QStringLiteral("S&uspend process\u2026"), QStringLiteral("&Resume process\u2026"),
                              QStringLiteral("&Kill process\u2026")};

// Saves the window with `menu` drawn where it would pop up, for looking at by eye.
void saveScreenshot(QWidget *window, QAbstractItemView *view, QMenu *menu, const QString &name)
{
    const QString directory = qEnvironmentVariable("LOADLENS_SCREENSHOT_DIR");
    if (directory.isEmpty())
        return;
    QPixmap shot = window->grab();
    menu->adjustSize();
    const QPixmap menuShot = menu->grab();
    QPainter painter(&shot);
    const QRect row = view->visualRect(view->currentIndex());
    const QPoint at = view->viewport()->mapTo(window, row.center());
    painter.drawPixmap(at, menuShot);
    painter.end();
    shot.save(directory + QLatin1Char('/') + name + QStringLiteral(".png"));
}

} // namespace

class TestRowActions : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QProcess *startChild();
    void signalChild(bool throughHelper);

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }
    void liveViewsMenusAndClipboard();
    void shortcutsAreTheMenuActions();
    void openFolderAsksForTheDirectory();
    void whoLoadsFiltersTheLiveView();
    void verdictDetailsWindow();
    void caseAndEventViews();
    void signalsAChildDirectly() { signalChild(false); }
    void signalsAChildThroughTheHelper() { signalChild(true); }
    void startTimeMismatchIsRefused();
    void declinedConfirmationSendsNothing();
    void helperCommandAndExitCodes();
    void anotherUsersProcessIsNotPermitted();
    void stackRowDrillsDownToHostsAndProcesses();
};

QProcess *TestRowActions::startChild()
{
    auto *child = new QProcess(this);
    child->start(QStringLiteral("/bin/sleep"), {QStringLiteral("600")});
    if (!child->waitForStarted(10000))
        return nullptr;
    // The state is read only once the exec has happened ("sleep", not the forked test).
    const QString exe = QStringLiteral("/proc/%1/exe").arg(child->processId());
    for (int i = 0; i < 1000 && !QFile::symLinkTarget(exe).endsWith(QStringLiteral("sleep")); ++i)
        QTest::qWait(10);
    return QFile::symLinkTarget(exe).endsWith(QStringLiteral("sleep")) ? child : nullptr;
}

void TestRowActions::liveViewsMenusAndClipboard()
{
    MainWindow window({});
    QAbstractItemModelTester tester(window.processView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.applyResult(scanWith(4242, 777));
    window.show();
    RowActions *actions = window.rowActions();

    const QModelIndex row = findPid(window.processView()->model(), 4242);
    QVERIFY(row.isValid());
    std::unique_ptr<QMenu> processMenu(actions->menuFor(window.processView(), row));
    QCOMPARE(window.processView()->currentIndex().data(ProcessTreeModel::PidRole).toInt(), 4242);
    QCOMPARE(menuTexts(processMenu.get()), QStringList(kCommon + kSignals));
    saveScreenshot(&window, window.processView(), processMenu.get(), QStringLiteral("menu-processes"));

    actions->action(window.processView(), RowAction::CopyPath)->trigger();
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("/usr/bin/sleep"));
    actions->action(window.processView(), RowAction::CopySha256)->trigger();
    QCOMPARE(QApplication::clipboard()->text(), QString::fromStdString(makeFacts({}, 0).sha256));
    actions->action(window.processView(), RowAction::CopyJson)->trigger();
    QJsonParseError error{};
    const QJsonObject process = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(process.value(QStringLiteral("pid")).toInt(), 4242);
    QCOMPARE(process.value(QStringLiteral("start_time")).toInteger(), 777);
    QCOMPARE(process.value(QStringLiteral("modules")).toArray().size(), 3);

    // The module view: no signals; the hook's own hash, full, not the elided column text.
    QTRY_COMPARE(window.moduleView()->model()->rowCount(), 3);
    QModelIndex hook;
    for (int r = 0; r < window.moduleView()->model()->rowCount(); ++r)
        if (window.moduleView()->model()->index(r, 0).data(ModuleTableModel::PathRole).toString().endsWith(QStringLiteral("libhook.so")))
            hook = window.moduleView()->model()->index(r, 0);
    QVERIFY(hook.isValid());
    std::unique_ptr<QMenu> moduleMenu(actions->menuFor(window.moduleView(), hook));
    QCOMPARE(menuTexts(moduleMenu.get()), kCommon);
    saveScreenshot(&window, window.moduleView(), moduleMenu.get(), QStringLiteral("menu-modules"));
    actions->action(window.moduleView(), RowAction::CopySha256)->trigger();
    QCOMPARE(QApplication::clipboard()->text(), QString::fromStdString(kHookHash));
    actions->action(window.moduleView(), RowAction::CopyJson)->trigger();
    const QJsonObject module = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(module.value(QStringLiteral("path")).toString(), QStringLiteral("/dev/shm/libhook.so"));
    QCOMPARE(module.value(QStringLiteral("verdict")).toObject().value(QStringLiteral("level")).toString(), QStringLiteral("high"));
}

void TestRowActions::shortcutsAreTheMenuActions()
{
    MainWindow window({});
    window.applyResult(scanWith(4242, 777));
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window) || true);
    QTreeView *view = window.processView();
    view->setCurrentIndex(findPid(view->model(), 4100));
    view->setFocus();
    std::unique_ptr<QMenu> menu(window.rowActions()->menuFor(view, view->currentIndex()));
    for (QAction *action : menu->actions()) {
        if (action->isSeparator())
            continue;
        QVERIFY(view->actions().contains(action));  // one QAction: the menu and the key agree
        QCOMPARE(action->shortcutContext(), Qt::WidgetWithChildrenShortcut);
    }
    QCOMPARE(window.rowActions()->action(view, RowAction::CopyPath)->shortcut(), QKeySequence(Qt::CTRL | Qt::Key_C));
    QCOMPARE(window.rowActions()->action(view, RowAction::CopySha256)->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C));
    QCOMPARE(window.rowActions()->action(view, RowAction::Kill)->shortcut(), QKeySequence(Qt::Key_Delete));

    // nginx has no exe path: Ctrl+C is inert on it; on sleep it copies the path.
    QApplication::clipboard()->setText(QStringLiteral("before"));
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("before"));
    view->setCurrentIndex(findPid(view->model(), 4242));
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(QApplication::clipboard()->text(), QStringLiteral("/usr/bin/sleep"));
    QTest::keyClick(view, Qt::Key_C, Qt::ControlModifier | Qt::ShiftModifier);
    QCOMPARE(QApplication::clipboard()->text(), QString::fromStdString(makeFacts({}, 0).sha256));
    // Del asks first; declined, nothing happens (pid 4242 is not ours to hit anyway).
    QStringList questions;
    window.rowActions()->setConfirmer([&](const QString &question) {
        questions << question;
        return false;
    });
    QTest::keyClick(view, Qt::Key_Delete);
    QCOMPARE(questions.size(), 1);
    QVERIFY2(questions.first().startsWith(QStringLiteral("Kill sleep (pid 4242)?")), qPrintable(questions.first()));
}

void TestRowActions::openFolderAsksForTheDirectory()
{
    MainWindow window({});
    window.applyResult(scanWith(4242, 777));
    QList<QUrl> opened;
    window.rowActions()->setUrlOpener([&](const QUrl &url) {
        opened << url;
        return true;
    });
    window.processView()->setCurrentIndex(findPid(window.processView()->model(), 4242));
    window.rowActions()->action(window.processView(), RowAction::OpenFolder)->trigger();
    QCOMPARE(opened, QList<QUrl>{QUrl(QStringLiteral("file:///usr/bin"))});
}

void TestRowActions::whoLoadsFiltersTheLiveView()
{
    MainWindow window({});
    QAbstractItemModelTester tester(window.processView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    window.applyResult(scanWith(4242, 777));
    window.selectTab(QStringLiteral("case"));
    window.showWhoLoads(QStringLiteral("libc.so.6"));
    QCOMPARE(window.tabs()->currentIndex(), 0);
    QCOMPARE(window.processFilter()->text(), QStringLiteral("libc.so.6"));
    const QAbstractItemModel *model = window.processView()->model();
    QVERIFY(findPid(model, 4242).isValid());
    QVERIFY(findPid(model, 4100).isValid());
    window.showWhoLoads(QStringLiteral("/dev/shm/libhook.so"));
    QVERIFY(findPid(model, 4242).isValid());
    QVERIFY(!findPid(model, 4100).isValid());
    // From a module row, through the action.
    window.processView()->setCurrentIndex(findPid(model, 4242));
    QTRY_COMPARE(window.moduleView()->model()->rowCount(), 3);
    window.moduleView()->setCurrentIndex(window.moduleView()->model()->index(0, 0));
    const QString path = window.moduleView()->currentIndex().data(ModuleTableModel::PathRole).toString();
    window.rowActions()->action(window.moduleView(), RowAction::WhoLoads)->trigger();
    QCOMPARE(window.processFilter()->text(), path);
    QVERIFY(findPid(model, 4242).isValid());
    // Names only: a module path matches no name.
    window.processProxy()->setNamesOnly(true);
    QVERIFY(!findPid(model, 4242).isValid());
}

void TestRowActions::verdictDetailsWindow()
{
    MainWindow window({});
    window.applyResult(scanWith(4242, 777));
    window.processView()->setCurrentIndex(findPid(window.processView()->model(), 4242));
    QTRY_COMPARE(window.moduleView()->model()->rowCount(), 3);
    window.moduleView()->setCurrentIndex(window.moduleView()->model()->index(0, 0));  // worst first: the hook
    window.rowActions()->action(window.moduleView(), RowAction::Details)->trigger();
    QDialog *dialog = window.rowActions()->detailsDialog();
    QVERIFY(dialog);
    QCOMPARE(dialog->windowTitle(), QStringLiteral("/dev/shm/libhook.so"));
    const QString text = dialog->findChild<QTextBrowser *>(QStringLiteral("verdictDetails"))->toPlainText();
    QVERIFY2(text.contains(QStringLiteral("code-high")) && text.contains(QStringLiteral("T1574.006")), qPrintable(text));
    dialog->close();
}

void TestRowActions::caseAndEventViews()
{
    const QString casePath = m_dir.filePath(QStringLiteral("case.sqlite"));
    ScanResult scan = scanSelf();
    std::string removedPath;
    QVERIFY(scan.processes.size() == 1 && scan.processes.front().modules.size() > 3);
    {
        auto db = store::CaseDatabase::open(casePath.toStdString(), store::OpenMode::CreateNew);
        QVERIFY(db.ok());
        QVERIFY(writeSnapshot(*db, scan, kScannedAt).ok());
        // A file module that appears once: the later snapshot no longer has it.
        ScanResult later = scan;
        auto &modules = later.processes.front().modules;
        const auto unique = std::find_if(modules.rbegin(), modules.rend(), [&](const ModuleRecord &m) {
            return m.path.starts_with('/') && !m.deleted
                && std::count_if(modules.begin(), modules.end(), [&](const ModuleRecord &o) { return o.path == m.path; }) == 1;
        });
        QVERIFY(unique != modules.rend());
        removedPath = unique->path;
        modules.erase(std::next(unique).base());
        QVERIFY(writeSnapshot(*db, later, kScannedAt + 3600).ok());
        LoadEvent evil = makeLoadEvent(1, kScannedAt * 1000000, Level::High, "image-load", "WS1",
                                       "C:\\Users\\bob\\AppData\\evil.dll");
        evil.hashes = "SHA256=" + std::string(64, 'A') + ",MD5=00";
        QVERIFY(writeEvents(*db, {evil, makeLoadEvent(2, kScannedAt * 1000000 + 5, Level::Ok)}).ok());
    }
    MainWindow window({});
    QSignalSpy caseSettled(window.caseTab(), &CaseTab::settled);
    QSignalSpy eventsSettled(window.eventsTab(), &EventsTab::settled);
    QVERIFY(window.openCase(casePath).ok());
    QTRY_VERIFY_WITH_TIMEOUT(caseSettled.count() >= 1 && window.caseTab()->runner()->isIdle(), 60000);
    QTRY_VERIFY_WITH_TIMEOUT(eventsSettled.count() >= 1 && window.eventsTab()->runner()->isIdle(), 60000);
    window.show();
    RowActions *actions = window.rowActions();

    // Events: the loaded image, its SHA-256 from Sysmon's Hashes, the event as JSON.
    QTreeView *events = window.eventsTab()->eventView();
    QTRY_COMPARE(events->model()->rowCount(), 2);
    QModelIndex evilRow;
    for (int r = 0; r < events->model()->rowCount(); ++r)
        if (window.eventsTab()->eventModel()->eventAt(r)->recordId == 1)
            evilRow = events->model()->index(r, 0);
    window.selectTab(QStringLiteral("events"));
    std::unique_ptr<QMenu> eventMenu(actions->menuFor(events, evilRow));
    QCOMPARE(menuTexts(eventMenu.get()),
             (QStringList{QStringLiteral("Copy &path"), QStringLiteral("Copy &SHA-256"), QStringLiteral("Copy as &JSON"),
                          QStringLiteral("Open containing &folder (disabled)"), QStringLiteral("&Who loads this"),
                          QStringLiteral("Show in &Events"), QStringLiteral("Verdict &details")}));
    saveScreenshot(&window, events, eventMenu.get(), QStringLiteral("menu-events"));
    actions->action(events, RowAction::CopySha256)->trigger();
    QCOMPARE(QApplication::clipboard()->text(), QString(64, QLatin1Char('a')));
    actions->action(events, RowAction::CopyJson)->trigger();
    QJsonParseError error{};
    const QJsonObject event = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(event.value(QStringLiteral("image_loaded")).toString(), QStringLiteral("C:\\Users\\bob\\AppData\\evil.dll"));
    QCOMPARE(event.value(QStringLiteral("level")).toString(), QStringLiteral("high"));

    // Show in Events filters the events tab to the image.
    eventsSettled.clear();
    actions->action(events, RowAction::ShowInEvents)->trigger();
    QCOMPARE(window.tabs()->currentWidget(), window.eventsTab());
    QCOMPARE(window.eventsTab()->textFilter(), QStringLiteral("C:\\Users\\bob\\AppData\\evil.dll"));
    QTRY_VERIFY_WITH_TIMEOUT(eventsSettled.count() >= 1 && window.eventsTab()->runner()->isIdle(), 60000);
    QTRY_COMPARE(events->model()->rowCount(), 1);

    // Stack: path and hash of a module of the case; who loads leads to the live view.
    window.selectTab(QStringLiteral("case"));
    QTreeView *stack = window.caseTab()->stackView();
    QTRY_VERIFY_WITH_TIMEOUT(stack->model()->rowCount() > 0, 30000);
    std::unique_ptr<QMenu> stackMenu(actions->menuFor(stack, stack->model()->index(0, 0)));
    QCOMPARE(menuTexts(stackMenu.get()).mid(0, 3),
             (QStringList{QStringLiteral("Copy &path"), QStringLiteral("Copy &SHA-256"), QStringLiteral("Copy as &JSON")}));
    QVERIFY(menuTexts(stackMenu.get()).contains(QStringLiteral("Verdict &details (disabled)")));
    saveScreenshot(&window, stack, stackMenu.get(), QStringLiteral("menu-stack"));
    actions->action(stack, RowAction::CopyJson)->trigger();
    const QJsonObject stacked = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(stacked.value(QStringLiteral("path")).toString().startsWith(QLatin1Char('/')));
    QCOMPARE(stacked.value(QStringLiteral("sha256")).toString().size(), 64);
    actions->action(stack, RowAction::WhoLoads)->trigger();
    QCOMPARE(window.tabs()->currentIndex(), 0);
    QCOMPARE(window.processFilter()->text(), stacked.value(QStringLiteral("path")).toString());

    // Diff: the removed module's path; no hash, no details.
    window.selectTab(QStringLiteral("case"));
    caseSettled.clear();
    QVERIFY(window.caseTab()->selectNewestPair());
    QTRY_VERIFY_WITH_TIMEOUT(caseSettled.count() >= 1 && window.caseTab()->runner()->isIdle(), 60000);
    QTreeView *diff = window.caseTab()->diffView();
    QTRY_VERIFY2_WITH_TIMEOUT(diff->model()->rowCount() > 0, qPrintable(window.caseTab()->diffSummaryText()), 30000);
    QModelIndex removed;
    for (int r = 0; r < diff->model()->rowCount(); ++r)
        if (diff->model()->index(r, 0).data(SnapshotDiffModel::KindRole).toString() == QStringLiteral("module-removed"))
            removed = diff->model()->index(r, 0);
    QVERIFY(removed.isValid());
    std::unique_ptr<QMenu> diffMenu(actions->menuFor(diff, removed));
    QCOMPARE(menuTexts(diffMenu.get()),
             (QStringList{QStringLiteral("Copy &path"), QStringLiteral("Copy &SHA-256 (disabled)"), QStringLiteral("Copy as &JSON"),
                          QStringLiteral("Open containing &folder"), QStringLiteral("&Who loads this"),
                          QStringLiteral("Show in &Events"), QStringLiteral("Verdict &details (disabled)")}));
    saveScreenshot(&window, diff, diffMenu.get(), QStringLiteral("menu-diff"));
    actions->action(diff, RowAction::CopyPath)->trigger();
    QCOMPARE(QApplication::clipboard()->text(), QString::fromStdString(removedPath));
    actions->action(diff, RowAction::CopyJson)->trigger();
    const QJsonObject change = QJsonDocument::fromJson(QApplication::clipboard()->text().toUtf8(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QCOMPARE(change.value(QStringLiteral("kind")).toString(), QStringLiteral("module-removed"));
}

void TestRowActions::signalChild(bool throughHelper)
{
    QProcess *child = startChild();
    QVERIFY(child);
    const qint64 pid = child->processId();
    const auto [state, startTime] = procState(pid);
    QVERIFY(state == 'S' || state == 'R');

    MainWindow window({});
    window.applyResult(scanWith(pid, startTime));
    RowActions *actions = window.rowActions();
    ProcessSignaller *signaller = actions->signaller();
    if (throughHelper) {
        signaller->setAlwaysElevated(true);
        signaller->setElevatedPrefix({kCli, {}});
    }
    QStringList questions;
    actions->setConfirmer([&](const QString &question) {
        questions << question;
        return true;
    });
    // The window rescans after a kill; this scan covers only this test process.
    QSignalSpy finished(signaller, &ProcessSignaller::finished);
    QTreeView *view = window.processView();
    view->setCurrentIndex(findPid(view->model(), int(pid)));

    actions->action(view, RowAction::Suspend)->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QVERIFY2(finished.last().at(1).toBool(), qPrintable(finished.last().at(2).toString()));
    QTRY_COMPARE_WITH_TIMEOUT(procState(pid).first, 'T', 10000);

    actions->action(view, RowAction::Resume)->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 2, 30000);
    QVERIFY2(finished.last().at(1).toBool(), qPrintable(finished.last().at(2).toString()));
    QTRY_VERIFY_WITH_TIMEOUT(procState(pid).first == 'S' || procState(pid).first == 'R', 10000);

    actions->action(view, RowAction::Kill)->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 3, 30000);
    QVERIFY2(finished.last().at(1).toBool(), qPrintable(finished.last().at(2).toString()));
    if (child->state() != QProcess::NotRunning)
        QVERIFY(child->waitForFinished(10000));
    QCOMPARE(child->exitStatus(), QProcess::CrashExit);  // killed by a signal, and reaped
    QCOMPARE(procState(pid).first, '?');
    QCOMPARE(questions.size(), 3);
    QVERIFY(finished.last().at(2).toString().contains(QStringLiteral("killed")));
    window.cancelScan();
    delete child;
}

void TestRowActions::startTimeMismatchIsRefused()
{
    QProcess *child = startChild();
    QVERIFY(child);
    const qint64 pid = child->processId();
    const std::uint64_t startTime = procState(pid).second;
    for (const bool helper : {false, true}) {
        ProcessSignaller signaller;
        if (helper) {
            signaller.setAlwaysElevated(true);
            signaller.setElevatedPrefix({kCli, {}});
        }
        QSignalSpy finished(&signaller, &ProcessSignaller::finished);
        // As if the scanned process had exited and its pid been given to this one.
        signaller.send({int(pid), startTime + 1, ::getuid(), QStringLiteral("sleep")}, proc::SignalKind::Kill);
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
        QVERIFY(!finished.first().at(1).toBool());
        const QString message = finished.first().at(2).toString();
        QVERIFY2(message.contains(QStringLiteral("now belongs to another process")), qPrintable(message));
        QTest::qWait(100);
        QVERIFY(procState(pid).first == 'S' || procState(pid).first == 'R');
    }
    child->kill();
    QVERIFY(child->waitForFinished(10000));
    delete child;
}

void TestRowActions::declinedConfirmationSendsNothing()
{
    QProcess *child = startChild();
    QVERIFY(child);
    const qint64 pid = child->processId();
    MainWindow window({});
    window.applyResult(scanWith(pid, procState(pid).second));
    QSignalSpy finished(window.rowActions()->signaller(), &ProcessSignaller::finished);
    window.rowActions()->setConfirmer([](const QString &) { return false; });
    window.processView()->setCurrentIndex(findPid(window.processView()->model(), int(pid)));
    window.rowActions()->action(window.processView(), RowAction::Suspend)->trigger();
    QTest::qWait(200);
    QCOMPARE(finished.count(), 0);
    QVERIFY(procState(pid).first == 'S' || procState(pid).first == 'R');
    child->kill();
    QVERIFY(child->waitForFinished(10000));
    delete child;
}

void TestRowActions::helperCommandAndExitCodes()
{
    const HelperCommand command =
        ProcessSignaller::elevatedCommand({1234, 5678, 0, QStringLiteral("x")}, proc::SignalKind::Continue);
    QCOMPARE(command.program, QStringLiteral("/usr/bin/pkexec"));
    QCOMPARE(command.arguments.at(0), QStringLiteral("--disable-internal-agent"));
    QVERIFY(command.arguments.at(1).endsWith(QStringLiteral("/bin/loadlens-cli")));
    QCOMPARE(command.arguments.mid(2), (QStringList{QStringLiteral("signal"), QStringLiteral("--pid"), QStringLiteral("1234"),
                                                    QStringLiteral("--start-time"), QStringLiteral("5678"),
                                                    QStringLiteral("--signal"), QStringLiteral("cont")}));

    const auto run = [](const QStringList &arguments) {
        QProcess cli;
        cli.start(kCli, arguments);
        cli.waitForFinished(30000);
        return std::pair{cli.exitCode(), QString::fromLocal8Bit(cli.readAllStandardError())};
    };
    const QString self = QString::number(QCoreApplication::applicationPid());
    const QString selfStart = QString::number(procState(QCoreApplication::applicationPid()).second);
    auto [code, err] = run({QStringLiteral("signal"), QStringLiteral("--pid"), self, QStringLiteral("--start-time"),
                            QString::number(procState(QCoreApplication::applicationPid()).second + 1), QStringLiteral("--signal"),
                            QStringLiteral("stop")});
    QCOMPARE(code, 3);
    QVERIFY2(err.contains(QStringLiteral("now belongs to another process")), qPrintable(err));
    std::tie(code, err) = run({QStringLiteral("signal"), QStringLiteral("--pid"), self, QStringLiteral("--start-time"), selfStart,
                               QStringLiteral("--signal"), QStringLiteral("term")});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(QStringLiteral("--signal takes stop, cont or kill, not 'term'")), qPrintable(err));
    std::tie(code, err) = run({QStringLiteral("signal"), QStringLiteral("--pid"), QStringLiteral("1"), QStringLiteral("--start-time"),
                               QStringLiteral("0"), QStringLiteral("--signal"), QStringLiteral("kill")});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(QStringLiteral("refusing to signal pid 1")), qPrintable(err));
    std::tie(code, err) = run({QStringLiteral("signal"), QStringLiteral("--pid"), QStringLiteral("999999999"),
                               QStringLiteral("--start-time"), QStringLiteral("1"), QStringLiteral("--signal"), QStringLiteral("kill")});
    QCOMPARE(code, 3);
    QVERIFY2(err.contains(QStringLiteral("no process with pid 999999999")), qPrintable(err));
    std::tie(code, err) = run({QStringLiteral("signal"), QStringLiteral("--pid"), QStringLiteral("abc")});
    QCOMPARE(code, 2);
    std::tie(code, err) = run({QStringLiteral("signal"), QStringLiteral("--pid"), self, QStringLiteral("--signal"), QStringLiteral("stop")});
    QCOMPARE(code, 2);
    QVERIFY2(err.contains(QStringLiteral("--start-time needs")), qPrintable(err));
}

namespace {

// A process this user may not signal: its real and saved user ids are neither our real nor our effective
// id, and it is in another session (kill(2) lets SIGCONT through within a session). Root's first such
// process is preferred; in a container the low pids can be this user's own.
struct ForeignProcess {
    qint64 pid = 0;
    std::uint64_t startTime = 0;
    uint uid = 0;
};

std::optional<ForeignProcess> foreignProcess()
{
    const uid_t ourReal = ::getuid();
    const uid_t ourEffective = ::geteuid();
    const pid_t ourSession = ::getsid(0);
    std::optional<ForeignProcess> best;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        bool numeric = false;
        const qint64 pid = entry.toLongLong(&numeric);
        if (!numeric || pid <= 1)
            continue;
        QFile status(QStringLiteral("/proc/%1/status").arg(pid));
        if (!status.open(QIODevice::ReadOnly))
            continue;
        std::optional<std::pair<uint, uint>> realAndSaved;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (!line.startsWith("Uid:"))
                continue;
            const QList<QByteArray> ids = line.mid(4).simplified().split(' ');
            if (ids.size() >= 3)
                realAndSaved = std::pair{ids[0].toUInt(), ids[2].toUInt()};
        }
        if (!realAndSaved)
            continue;
        const auto [real, saved] = *realAndSaved;
        if (real == ourReal || real == ourEffective || saved == ourReal || saved == ourEffective)
            continue;
        const pid_t session = ::getsid(static_cast<pid_t>(pid));
        if (session < 0 || session == ourSession)
            continue;
        const auto [state, startTime] = procState(pid);
        if (state == '?' || state == 'Z')
            continue;
        if (!best || (real == 0 && best->uid != 0))
            best = ForeignProcess{pid, startTime, real};
        if (best->uid == 0)
            break;
    }
    return best;
}

} // namespace

void TestRowActions::anotherUsersProcessIsNotPermitted()
{
    if (::geteuid() == 0)
        QSKIP("root may signal every process; this checks the refusal a normal user gets");
    const auto target = foreignProcess();
    if (!target)
        QSKIP("no process of another user outside this session is visible here (a pid namespace of our own)");
    const QString pid = QString::number(target->pid);
    qInfo("signalling pid %lld of uid %u", static_cast<long long>(target->pid), target->uid);
    QVERIFY(!ProcessSignaller::canSignalDirectly({static_cast<int>(target->pid), target->startTime, target->uid, QStringLiteral("other")}));
    QProcess cli;
    cli.start(kCli, {QStringLiteral("signal"), QStringLiteral("--pid"), pid, QStringLiteral("--start-time"),
                     QString::number(target->startTime), QStringLiteral("--signal"), QStringLiteral("cont")});
    QVERIFY(cli.waitForFinished(30000));
    const QString err = QString::fromLocal8Bit(cli.readAllStandardError());
    QCOMPARE(cli.exitCode(), 1);
    QVERIFY2(err.contains(QStringLiteral("not permitted to signal pid %1").arg(pid)), qPrintable(err));
}

void TestRowActions::stackRowDrillsDownToHostsAndProcesses()
{
    const QString casePath = m_dir.filePath(QStringLiteral("stack-case.sqlite"));
    const ScanResult scan = scanSelf();
    {
        auto db = store::CaseDatabase::open(casePath.toStdString(), store::OpenMode::CreateNew);
        QVERIFY(db.ok());
        QVERIFY(writeSnapshot(*db, scan, kScannedAt, "alpha").ok());
        QVERIFY(writeSnapshot(*db, scan, kScannedAt + 60, "beta").ok());
    }
    MainWindow window({});
    QSignalSpy settled(window.caseTab(), &CaseTab::settled);
    QVERIFY(window.openCase(casePath).ok());
    QTRY_VERIFY_WITH_TIMEOUT(settled.count() >= 1 && window.caseTab()->runner()->isIdle(), 60000);
    window.selectTab(QStringLiteral("case"));
    window.show();
    QTreeView *stack = window.caseTab()->stackView();
    QTRY_VERIFY_WITH_TIMEOUT(stack->model()->rowCount() > 0, 30000);
    // A module with a hash: the stack counts it on both hosts.
    QModelIndex row;
    for (int r = 0; r < stack->model()->rowCount() && !row.isValid(); ++r)
        if (stack->model()->index(r, StackTableModel::HashColumn).data().toString().size() > 0)
            row = stack->model()->index(r, 0);
    QVERIFY(row.isValid());
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    stack->scrollTo(row);
    QSignalSpy failed(window.caseTab()->runner(), &CaseQueryRunner::failed);
    QSignalSpy doubleClicked(stack, &QAbstractItemView::doubleClicked);
    // A double-click is a press, release and the double-click event on the row.
    const QPoint at = stack->visualRect(row).center();
    QTest::mouseClick(stack->viewport(), Qt::LeftButton, {}, at);
    QTest::mouseDClick(stack->viewport(), Qt::LeftButton, {}, at);
    QCOMPARE(doubleClicked.count(), 1);
    StackDrillDownDialog *dialog = nullptr;
    QTRY_VERIFY2_WITH_TIMEOUT((dialog = window.findChild<StackDrillDownDialog *>()) != nullptr,
                              failed.isEmpty() ? "no dialog" : qPrintable(failed.first().at(2).toString()), 30000);
    QAbstractItemModelTester tester(dialog->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(dialog->view()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY2(dialog->windowTitle().startsWith(QStringLiteral("Who loads ")), qPrintable(dialog->windowTitle()));
    QSet<QString> hosts;
    for (int r = 0; r < dialog->model()->rowCount(); ++r) {
        const analysis::CaseWhoLoadsHit *hit = dialog->model()->hitAt(r);
        hosts.insert(QString::fromStdString(hit->host));
        QCOMPARE(hit->pid, int(::getpid()));
        QVERIFY2(dialog->windowTitle().endsWith(QString::fromStdString(hit->path) + QStringLiteral(" in the case")),
                 qPrintable(dialog->windowTitle()));
    }
    QCOMPARE(hosts, (QSet<QString>{QStringLiteral("alpha"), QStringLiteral("beta")}));
    QCOMPARE(dialog->model()->rowCount(), stack->model()->index(row.row(), StackTableModel::ProcessesColumn).data(StackTableModel::SortRole).toInt());
    if (!qEnvironmentVariableIsEmpty("LOADLENS_SCREENSHOT_DIR"))
        dialog->grab().save(qEnvironmentVariable("LOADLENS_SCREENSHOT_DIR") + QStringLiteral("/stack-drill-down.png"));
}

QTEST_MAIN(TestRowActions)
#include "tst_rowactions.moc"
