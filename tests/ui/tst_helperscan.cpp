// The administrator scan without polkit: the window's helper launcher runs the real
// loadlens-cli (as the same user) through its test hook instead of pkexec. Streamed processes
// land in the same models as an in-process scan; Cancel kills the helper; a helper that fails,
// is refused or prints garbage is explained and the previous view stays as it was.
#include "helperscan.h"
#include "mainwindow.h"
#include "moduletablemodel.h"
#include "model_lookup.h"
#include "processtreemodel.h"
#include "scan_builders.h"

#include <QAction>
#include <QCoreApplication>
#include <QMenuBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <cerrno>
#include <csignal>
#include <sys/types.h>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::testing;
using namespace loadlens::ui;

namespace {

const QString kCli = QStringLiteral(LOADLENS_CLI);

std::shared_ptr<const ScanResult> previousScan()
{
    auto result = std::make_shared<ScanResult>();
    result->host.hostname = "previous-host";
    result->host.bootId = "boot-previous";
    auto init = makeProcess(1, 0, "systemd");
    init.modules = {makeModule("/usr/lib/systemd/systemd", 1)};
    auto web = makeProcess(60, 1, "web");
    web.modules = {makeModule("/usr/sbin/web", 3), makeModule("/dev/shm/libhook.so", 4, Level::High)};
    result->processes = {init, web};
    for (const auto &process : result->processes)
        for (const auto &module : process.modules)
            result->files[module.file] = makeFacts(module, 8192, "pkg");
    return result;
}

bool processGone(qint64 pid)
{
    return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

} // namespace

class TestHelperScan : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void defaultCommandIsPkexecWithTheFixedHelper()
    {
        const HelperCommand command = HelperScanLauncher::defaultCommand();
        QCOMPARE(command.program, QStringLiteral("/usr/bin/pkexec"));
        QCOMPARE(command.arguments.size(), 5);
        QCOMPARE(command.arguments.at(0), QStringLiteral("--disable-internal-agent"));
        const QString helper = command.arguments.at(1);
        QVERIFY2(helper.startsWith(QLatin1Char('/')) && helper.endsWith(QStringLiteral("/bin/loadlens-cli")), qPrintable(helper));
        QCOMPARE(command.arguments.mid(2), QStringList({QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream")}));
    }

    void scanMenuOffersTheAdministratorScan()
    {
        MainWindow window({});
        QStringList texts;
        for (QAction *menu : window.menuBar()->actions())
            if (menu->text() == QStringLiteral("&Scan"))
                for (QAction *action : menu->menu()->actions())
                    texts << action->text();
        QVERIFY2(texts.contains(QStringLiteral("Scan all processes (&administrator)\u2026")), qPrintable(texts.join(u'|')));
    }

    void streamedProcessesLandInTheModels()
    {
        const int self = static_cast<int>(QCoreApplication::applicationPid());
        scan::ScanOptions options;
        options.pid = self;
        MainWindow window(options);
        window.show();
        // First the in-process scan of this process, as the window starts.
        QSignalSpy applied(&window, &MainWindow::resultApplied);
        QSignalSpy failed(&window, &MainWindow::scanFailed);
        window.refresh();
        QTRY_COMPARE_WITH_TIMEOUT(applied.count() + failed.count(), 1, 240000);
        QCOMPARE(failed.count(), 0);
        QVERIFY(findPid(window.processView()->model(), self).isValid());
        QCOMPARE(window.lastResult()->processes.size(), std::size_t(1));

        // Then every process through the helper: the same host, so merged, not reset.
        HelperScanLauncher *helper = window.helperLauncher();
        helper->setCommand({kCli,
                            {QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream"),
                             QStringLiteral("--hash-cache"), m_dir.filePath(QStringLiteral("hash-cache.sqlite"))}});
        QSignalSpy received(helper, &HelperScanLauncher::processesReceived);
        QSignalSpy progress(helper, &HelperScanLauncher::progress);
        QSignalSpy resets(window.processView()->model(), &QAbstractItemModel::modelReset);
        int receivedBeforeApplied = -1;
        connect(&window, &MainWindow::resultApplied, this, [&] { receivedBeforeApplied = int(received.count()); });
        window.scanAsAdministrator();
        QVERIFY(helper->isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(applied.count() + failed.count(), 2, 240000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));

        QVERIFY(!helper->isRunning());
        QVERIFY(progress.count() > 0);
        // Processes arrived one line at a time, before the result was shown.
        const std::size_t streamed = window.lastResult()->processes.size();
        QVERIFY(streamed > 1);
        QCOMPARE(receivedBeforeApplied, int(streamed));
        QCOMPARE(received.last().at(1).toInt(), int(streamed));
        QCOMPARE(resets.count(), 0);

        const QModelIndex row = findPid(window.processView()->model(), self);
        QVERIFY2(row.isValid(), qPrintable(window.statusText()));
        QVERIFY(row.data(ProcessTreeModel::ModuleCountRole).toInt() > 0);
        QVERIFY(findPid(window.processView()->model(), 1).isValid() || ::geteuid() != 0);
        window.processView()->setCurrentIndex(row);
        QVERIFY(window.moduleView()->model()->rowCount() > 0);
        QVERIFY(window.statusText().startsWith(QStringLiteral("As administrator: ")));
        QVERIFY(!window.statusText().contains(QStringLiteral("Scan all processes (administrator) reads them")));
    }

    void cancelKillsTheHelper()
    {
        MainWindow window({});
        window.applyResult(previousScan());
        const auto before = window.lastResult();
        HelperScanLauncher *helper = window.helperLauncher();
        // The real helper streams this process; the shell then becomes a helper that never ends.
        helper->setCommand({QStringLiteral("/bin/sh"),
                            {QStringLiteral("-c"),
                             QStringLiteral("\"$0\" scan --json --stream --no-hash-cache --pid \"$1\"; exec sleep 600"), kCli,
                             QString::number(QCoreApplication::applicationPid())}});
        QSignalSpy received(helper, &HelperScanLauncher::processesReceived);
        QSignalSpy failed(&window, &MainWindow::scanFailed);
        window.scanAsAdministrator();
        QTRY_VERIFY_WITH_TIMEOUT(received.count() > 0, 120000);
        const qint64 pid = helper->helperPid();
        QVERIFY(pid > 0);
        QVERIFY(!processGone(pid));

        window.cancelScan();
        QCOMPARE(failed.count(), 1);
        QCOMPARE(failed.first().first().toString(), QStringLiteral("Scan cancelled"));
        QVERIFY(!helper->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(processGone(pid), 10000);
        // What was streamed before Cancel is not shown: the previous scan stays.
        QCOMPARE(window.lastResult(), before);
        QVERIFY(findPid(window.processView()->model(), 60).isValid());
        QVERIFY(!findPid(window.processView()->model(), int(QCoreApplication::applicationPid())).isValid());
        QVERIFY(window.statusText().contains(QStringLiteral("showing the previous scan")));
    }

    void failuresAreExplainedAndKeepThePreviousView_data()
    {
        QTest::addColumn<QString>("program");
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<QStringList>("expected");
        const QString sh = QStringLiteral("/bin/sh");
        const QString c = QStringLiteral("-c");
        QTest::addRow("helper refuses its arguments")
            << kCli << QStringList{QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream"), QStringLiteral("--frobnicate")}
            << QStringList{QStringLiteral("helper failed (exit code 2)"), QStringLiteral("unknown option '--frobnicate'")};
        QTest::addRow("helper reports an error")
            << kCli
            << QStringList{QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream"), QStringLiteral("--no-hash-cache"),
                           QStringLiteral("--pid"), QStringLiteral("999999999")}
            << QStringList{QStringLiteral("The administrator scan failed: no process with pid 999999999")};
        QTest::addRow("whole document instead of lines")
            << kCli
            << QStringList{QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--no-hash-cache"), QStringLiteral("--pid"),
                           QString::number(QCoreApplication::applicationPid())}
            << QStringList{QStringLiteral("not a LoadLens scan stream"), QStringLiteral("line 1"), QStringLiteral("\"type\" is missing")};
        QTest::addRow("text") << sh << QStringList{c, QStringLiteral("echo 'Permission denied'")}
                              << QStringList{QStringLiteral("not a LoadLens scan stream"), QStringLiteral("not JSON")};
        QTest::addRow("garbage after good lines")
            << sh
            << QStringList{c, QStringLiteral("\"$0\" scan --json --stream --no-hash-cache --pid \"$1\" | head -n 1; echo '{\"type\":'"),
                           kCli, QString::number(QCoreApplication::applicationPid())}
            << QStringList{QStringLiteral("not a LoadLens scan stream"), QStringLiteral("line 2")};
        QTest::addRow("ends without a summary") << sh << QStringList{c, QStringLiteral("exit 0")}
                                                << QStringList{QStringLiteral("before the scan was complete")};
        QTest::addRow("authentication dismissed (126)") << sh << QStringList{c, QStringLiteral("exit 126")}
                                                        << QStringList{QStringLiteral("dismissed or declined")};
        QTest::addRow("not authorized (127)")
            << sh << QStringList{c, QStringLiteral("echo 'Error executing command as another user: Not authorized' >&2; exit 127")}
            << QStringList{QStringLiteral("Not authorized to scan as administrator"), QStringLiteral("Not authorized")};
        QTest::addRow("killed") << sh << QStringList{c, QStringLiteral("kill -KILL $$")}
                                << QStringList{QStringLiteral("stopped unexpectedly")};
        QTest::addRow("cannot start") << m_dir.filePath(QStringLiteral("no-such-helper")) << QStringList{}
                                      << QStringList{QStringLiteral("Could not start the administrator scan helper")};
    }
    void failuresAreExplainedAndKeepThePreviousView()
    {
        QFETCH(QString, program);
        QFETCH(QStringList, arguments);
        QFETCH(QStringList, expected);
        MainWindow window({});
        window.applyResult(previousScan());
        window.processView()->setCurrentIndex(findPid(window.processView()->model(), 60));
        const auto before = window.lastResult();
        const QString statusBefore = window.statusText();
        window.helperLauncher()->setCommand({program, arguments});
        QSignalSpy failed(&window, &MainWindow::scanFailed);
        QSignalSpy applied(&window, &MainWindow::resultApplied);
        window.scanAsAdministrator();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 120000);
        const QString message = failed.first().first().toString();
        for (const QString &part : expected)
            QVERIFY2(message.contains(part), qPrintable(message));
        QTest::qWait(50);  // nothing else arrives for this job
        QCOMPARE(failed.count(), 1);
        QCOMPARE(applied.count(), 0);
        QVERIFY(!window.helperLauncher()->isRunning());
        QCOMPARE(window.lastResult(), before);
        QCOMPARE(window.processView()->currentIndex().data(ProcessTreeModel::PidRole).toInt(), 60);
        QCOMPARE(window.moduleView()->model()->rowCount(), 2);
        QVERIFY(window.statusText().startsWith(message));
        QVERIFY(window.statusText().endsWith(statusBefore));
    }

    void missingPkexecIsExplained()
    {
        if (QFileInfo::exists(QStringLiteral("/usr/bin/pkexec")))
            QSKIP("pkexec is installed here; this checks the message for hosts without it");
        MainWindow window({});
        window.applyResult(previousScan());
        QSignalSpy failed(&window, &MainWindow::scanFailed);
        window.scanAsAdministrator();  // the default command: /usr/bin/pkexec
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        const QString message = failed.first().first().toString();
        QVERIFY2(message.contains(QStringLiteral("pkexec is not installed")), qPrintable(message));
        QVERIFY(findPid(window.processView()->model(), 60).isValid());
    }

    // A refresh while the helper runs replaces the administrator scan without a word from it.
    void refreshAbandonsTheHelper()
    {
        MainWindow window({});
        HelperScanLauncher *helper = window.helperLauncher();
        helper->setCommand({QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("exec sleep 600")}});
        QSignalSpy helperFailed(helper, &HelperScanLauncher::failed);
        QSignalSpy helperFinished(helper, &HelperScanLauncher::finished);
        window.scanAsAdministrator();
        QTRY_VERIFY_WITH_TIMEOUT(helper->helperPid() > 0, 10000);
        const qint64 pid = helper->helperPid();
        window.refresh();
        QVERIFY(!helper->isRunning());
        QTRY_VERIFY_WITH_TIMEOUT(processGone(pid), 10000);
        window.cancelScan();
        QTest::qWait(50);
        QCOMPARE(helperFailed.count(), 0);
        QCOMPARE(helperFinished.count(), 0);
    }
};

QTEST_MAIN(TestHelperScan)
#include "tst_helperscan.moc"
