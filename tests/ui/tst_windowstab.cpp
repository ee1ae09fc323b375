// The Windows tab, offscreen: its models under QAbstractItemModelTester; the triage of the
// shared Wine tree (as it is, and with a signed program and a planted DLL added) through the
// real worker, the rows compared with the core triage run directly; an unreadable root; a
// second image opened while the first is read; cancellation; File > Open Windows image's path
// through the main window.
#include "shared_data.h"
#include "levelstyle.h"
#include "mainwindow.h"
#include "rowactions.h"
#include "eventstab.h"
#include "verdictdetails.h"
#include "windows/windowsmodels.h"
#include "windows/windowstab.h"
#include "windows/windowstriagecontroller.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QDir>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSemaphore>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTreeView>
#include <QtTest>

#include <atomic>
#include <cerrno>
#include <memory>
#include <thread>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::ui;

namespace {

constexpr auto kTester = QAbstractItemModelTester::FailureReportingMode::QtTest;

bool place(const QString &from, const QString &to, bool link = false)
{
    QDir().mkpath(QFileInfo(to).path());
    return link ? QFile::link(from, to) : QFile::copy(from, to);
}

// The proxy row whose column `column` reads `text`, or an invalid index.
QModelIndex rowWith(const QAbstractItemModel *model, int column, const QString &text)
{
    for (int row = 0; row < model->rowCount(); ++row)
        if (model->index(row, column).data().toString() == text)
            return model->index(row, column);
    return {};
}

wintriage::TriageOptions optionsFor(const char *root)
{
    wintriage::TriageOptions options;
    options.root = root;
    return options;
}

wintriage::TriageResult expectedFor(const QString &root)
{
    wintriage::TriageOptions options;
    options.root = root.toStdString();
    auto result = wintriage::triage(options);
    if (!result)
        qFatal("core triage of %s failed: %s", qPrintable(root), result.error().message.c_str());
    return std::move(*result);
}

} // namespace

class TestWindowsTab : public QObject {
    Q_OBJECT

    QTemporaryDir m_tmp;
    QString m_wine;     // the shared Wine tree, as it is
    QString m_prefix;   // the same with programs and a planted DLL

private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        // The tab remembers its trust store in QSettings: here, in the temporary directory.
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_tmp.filePath(QStringLiteral("settings")));
        QVERIFY(QSettings().fileName().startsWith(m_tmp.path()));
        m_wine = testing::sharedDataPath(QStringLiteral("windows/wine"));
        const QString whois = testing::sharedDataPath(QStringLiteral("pe/signify_whois.exe"));
        const QString unsignedDll = testing::sharedDataPath(QStringLiteral("windows/pe/npm/msal-node-runtime.node"));
        if (m_wine.isEmpty() || whois.isEmpty() || unsignedDll.isEmpty())
            return;  // the tests that need them skip
        // A Wine prefix with a signed Sysinternals program and an unsigned VERSION.dll beside it
        // (the classic side-load), and a second copy of the program without one.
        m_prefix = m_tmp.filePath(QStringLiteral("prefix"));
        QVERIFY(place(m_wine + QStringLiteral("/system.reg"), m_prefix + QStringLiteral("/system.reg"), true));
        QVERIFY(place(m_wine + QStringLiteral("/user.reg"), m_prefix + QStringLiteral("/user.reg"), true));
        for (const char *dll : {"version.dll", "kernel32.dll", "ws2_32.dll", "imm32.dll", "psapi.dll"})
            QVERIFY(place(m_wine + QStringLiteral("/drive_c/windows/system32/") + QLatin1String(dll),
                          m_prefix + QStringLiteral("/drive_c/windows/system32/") + QLatin1String(dll)));
        QVERIFY(place(whois, m_prefix + QStringLiteral("/drive_c/Program Files/Sysinternals/whois.exe")));
        QVERIFY(place(unsignedDll, m_prefix + QStringLiteral("/drive_c/Program Files/Sysinternals/VERSION.dll")));
        QVERIFY(place(whois, m_prefix + QStringLiteral("/drive_c/Program Files/Tools/whois.exe")));
    }

    void modelsAreSound()
    {
        wintriage::Finding high{"dll-side-loading", "high", "VERSION.dll next to a.exe", "C:\\A\\a.exe", "VERSION.dll",
                                "loaded from C:\\A\\VERSION.dll", "T1574.001", "M1044: ..."};
        wintriage::Finding info = high;
        info.code = "phantom-dll";
        info.level = "info";
        info.dll = "USER32.dll";
        wintriage::Finding odd = high;
        odd.level = "unheard-of";  // a level the core does not know shows as info
        odd.executable = "C:\\B\\b.exe";
        wintriage::Finding service{"service-dll", "medium", "service X loads x.dll", "C:\\Windows\\x.dll", "", "", "T1574.001", ""};

        WindowsFindingModel findings;
        QAbstractItemModelTester findingTester(&findings, kTester);
        findings.setFindings({high, info, odd, service});
        QCOMPARE(findings.rowCount(), 4);
        QCOMPARE(findings.columnCount(), int(WindowsFindingModel::ColumnCount));
        QCOMPARE(findings.index(0, WindowsFindingModel::LevelColumn).data().toString(), levelText(Level::High));
        QCOMPARE(findings.index(0, 0).data(WindowsTableModel::LevelRole).toInt(), int(Level::High));
        QCOMPARE(findings.index(2, 0).data(WindowsTableModel::LevelRole).toInt(), int(Level::Info));
        QCOMPARE(findings.index(3, WindowsFindingModel::DllColumn).data().toString(), QStringLiteral("\u2014"));
        QVERIFY(findings.index(0, WindowsFindingModel::LevelColumn).data(Qt::BackgroundRole).isValid());
        QVERIFY(!findings.index(0, WindowsFindingModel::TitleColumn).data(Qt::BackgroundRole).isValid());
        QVERIFY(findings.index(0, 0).data(WindowsTableModel::SortRole).toInt() >
                findings.index(1, 0).data(WindowsTableModel::SortRole).toInt());
        QCOMPARE(findings.findingAt(4), nullptr);
        findings.setFindings({});
        QCOMPARE(findings.rowCount(), 0);

        wintriage::Executable a{"C:\\A\\a.exe", "unsigned", "", 64,
                                {{"VERSION.dll", false, "application-directory", "C:\\A\\VERSION.dll", "", {"C:\\Windows\\System32\\version.dll"}},
                                 {"USER32.dll", true, "not-found", "", "", {}}},
                                "C:\\Windows\\System32\\CatRoot\\x.cat"};
        wintriage::Executable b{"C:\\B\\b.exe", "", "", 32, {}, {}};
        wintriage::Executable c{"C:\\C\\c.exe", "valid", "Someone", 64, {}, {}};
        WindowsExecutableModel executables;
        QAbstractItemModelTester executableTester(&executables, kTester);
        executables.setExecutables({a, b, c}, {high, info, odd, service});
        QCOMPARE(executables.rowCount(), 3);
        QCOMPARE(executables.index(0, WindowsExecutableModel::WorstColumn).data().toString(), levelText(Level::High));
        QCOMPARE(executables.index(1, WindowsExecutableModel::WorstColumn).data().toString(), levelText(Level::Info));
        QCOMPARE(executables.index(2, WindowsExecutableModel::WorstColumn).data().toString(), QStringLiteral("none"));
        QVERIFY(!executables.index(2, 0).data(WindowsTableModel::LevelRole).isValid());
        QCOMPARE(executables.index(1, WindowsExecutableModel::SignatureColumn).data().toString(), QStringLiteral("not checked"));
        QCOMPARE(executables.index(0, WindowsExecutableModel::DllsColumn).data(WindowsTableModel::SortRole).toInt(), 2);
        QCOMPARE(executables.rowOf("C:\\C\\c.exe"), 2);
        QCOMPARE(executables.rowOf(""), -1);

        WindowsResolutionModel resolutions;
        QAbstractItemModelTester resolutionTester(&resolutions, kTester);
        resolutions.setResolutions(a.dlls);
        QCOMPARE(resolutions.rowCount(), 2);
        QCOMPARE(resolutions.index(0, WindowsResolutionModel::AlsoInColumn).data().toString(), QStringLiteral("C:\\Windows\\System32\\version.dll"));
        QCOMPARE(resolutions.index(1, WindowsResolutionModel::DelayedColumn).data().toString(), QStringLiteral("delayed"));
        QCOMPARE(resolutions.index(1, WindowsResolutionModel::PathColumn).data().toString(), QStringLiteral("\u2014"));
        QCOMPARE(resolutions.rowOf("user32.DLL"), 1);
        QCOMPARE(resolutions.rowOf("nope.dll"), -1);

        WindowsPostureModel posture;
        QAbstractItemModelTester postureTester(&posture, kTester);
        posture.setChecks({{"a", "A", "pass", "e", "r"}, {"b", "B", "fail", "e", "r"}, {"c", "C", "unknown", "e", "r"}});
        QCOMPARE(posture.rowCount(), 3);
        QCOMPARE(posture.index(1, 0).data(WindowsTableModel::LevelRole).toInt(), int(Level::High));
        QCOMPARE(posture.index(2, 0).data(WindowsTableModel::LevelRole).toInt(), int(checkStatusLevel("unknown")));
        QVERIFY(posture.index(1, 0).data(WindowsTableModel::SortRole).toInt() > posture.index(2, 0).data(WindowsTableModel::SortRole).toInt());
        QVERIFY(posture.index(2, 0).data(WindowsTableModel::SortRole).toInt() > posture.index(0, 0).data(WindowsTableModel::SortRole).toInt());
    }

    // The shared Wine tree as it is: no executables, the posture checks, and what the triage
    // could not check shown.
    void sharedWineTree()
    {
        if (m_wine.isEmpty())
            QSKIP("shared Wine tree not found (set LOADLENS_SHARED_DATA)");
        const auto expected = expectedFor(m_wine);
        WindowsTab tab;
        tab.show();
        QSignalSpy settled(&tab, &WindowsTab::settled);
        tab.openImage(m_wine);
        QVERIFY(tab.isRunning());
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);
        QVERIFY(tab.result());
        QCOMPARE(tab.postureModel()->rowCount(), int(expected.posture.size()));
        QCOMPARE(tab.findingModel()->rowCount(), int(expected.findings.size()));
        QCOMPARE(tab.executableModel()->rowCount(), int(expected.executables.size()));
        QCOMPARE(tab.result()->executablesSeen, expected.executablesSeen);
        const QString summary = tab.summaryLabel()->text();
        QVERIFY2(summary.contains(QLatin1String("wine-prefix")) && summary.contains(QLatin1String("computer VM")) &&
                     summary.contains(QLatin1String("no executables seen")),
                 qPrintable(summary));
        QVERIFY(!expected.problems.empty());
        QVERIFY(!tab.problemsLabel()->isHidden());
        QVERIFY2(tab.problemsLabel()->text().contains(QString::fromStdString(expected.problems.front()).toHtmlEscaped()),
                 qPrintable(tab.problemsLabel()->text()));
        // The KnownDLLs check fails on Wine (it sets none up), coloured as a failure.
        const QModelIndex knownDlls = rowWith(tab.postureModel(), WindowsPostureModel::TitleColumn, QStringLiteral("KnownDLLs are intact"));
        QVERIFY(knownDlls.isValid());
        QCOMPARE(knownDlls.siblingAtColumn(0).data().toString(), QStringLiteral("fail"));
        QCOMPARE(knownDlls.siblingAtColumn(0).data(Qt::BackgroundRole).value<QColor>(), levelBackground(Level::High));
        tab.postureView()->setCurrentIndex(knownDlls);
        QVERIFY(tab.details()->toPlainText().contains(QLatin1String("restore the default KnownDLLs key")));
        QVERIFY(!tab.cancelButton()->isEnabled());
    }

    // A signed program with an unsigned DLL planted beside it: the finding, the executables,
    // the resolution and the details pane, against the core's own answer.
    void prefixWithPlantedDll()
    {
        if (m_prefix.isEmpty())
            QSKIP("shared Windows samples not found (set LOADLENS_SHARED_DATA)");
        const auto expected = expectedFor(m_prefix);
        QCOMPARE(expected.executables.size(), std::size_t(2));
        WindowsTab tab;
        tab.resize(1280, 800);
        tab.show();
        QAbstractItemModelTester t1(tab.postureModel(), kTester), t2(tab.findingModel(), kTester),
            t3(tab.executableModel(), kTester), t4(tab.resolutionModel(), kTester), t5(tab.findingProxy(), kTester),
            t6(tab.executableProxy(), kTester);
        QSignalSpy settled(&tab, &WindowsTab::settled);
        tab.openImage(m_prefix);
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);
        QCOMPARE(tab.postureModel()->rowCount(), int(expected.posture.size()));
        QCOMPARE(tab.findingModel()->rowCount(), int(expected.findings.size()));
        QCOMPARE(tab.findingProxy()->rowCount(), int(expected.findings.size()));
        QCOMPARE(tab.executableModel()->rowCount(), int(expected.executables.size()));
        QCOMPARE(tab.executableProxy()->rowCount(), int(expected.executables.size()));
        QVERIFY(tab.summaryLabel()->text().contains(QLatin1String("2 executables seen")));

        // The side-load is the first finding shown (worst first) and selected, its details in the pane.
        const QModelIndex first = tab.findingView()->currentIndex();
        QVERIFY(first.isValid());
        QCOMPARE(first.row(), 0);
        QCOMPARE(first.siblingAtColumn(WindowsFindingModel::CodeColumn).data().toString(), QStringLiteral("dll-side-loading"));
        QCOMPARE(first.siblingAtColumn(WindowsFindingModel::DllColumn).data().toString(), QStringLiteral("VERSION.dll"));
        QCOMPARE(first.siblingAtColumn(WindowsFindingModel::LevelColumn).data().toString(), levelText(Level::High));
        QCOMPARE(first.siblingAtColumn(WindowsFindingModel::ExecutableColumn).data().toString(),
                 QStringLiteral("C:\\Program Files\\Sysinternals\\whois.exe"));
        const QString details = tab.details()->toPlainText();
        for (const char *part : {"dll-side-loading", "T1574.001", "M1044", "VERSION.dll next to whois.exe shadows the System32 copy",
                                 "loaded from C:\\Program Files\\Sysinternals\\VERSION.dll (signature: unsigned)"})
            QVERIFY2(details.contains(QLatin1String(part)), qPrintable(details));
        // ... and its executable's imports, the DLL it is about selected.
        QCOMPARE(tab.resolutionView()->currentIndex().data().toString(), QStringLiteral("VERSION.dll"));

        // Selecting the other executable fills the resolution table with its imports.
        const QModelIndex tools = rowWith(tab.executableProxy(), WindowsExecutableModel::PathColumn,
                                          QStringLiteral("C:\\Program Files\\Tools\\whois.exe"));
        QVERIFY(tools.isValid());
        tab.resolutionModel()->setResolutions({});
        tab.executableView()->setCurrentIndex(tools);
        const auto &toolsExe = expected.executables[tab.executableModel()->rowOf("C:\\Program Files\\Tools\\whois.exe")];
        QCOMPARE(tab.resolutionModel()->rowCount(), int(toolsExe.dlls.size()));
        QVERIFY(tab.resolutionModel()->rowCount() > 0);
        const QModelIndex version = rowWith(tab.resolutionModel(), WindowsResolutionModel::DllColumn, QStringLiteral("VERSION.dll"));
        QVERIFY(version.isValid());
        QCOMPARE(version.siblingAtColumn(WindowsResolutionModel::HowColumn).data().toString(), QStringLiteral("system-directory"));
        QVERIFY(tab.details()->toPlainText().contains(QLatin1String("C:\\Program Files\\Tools\\whois.exe")));

        // The filters narrow the tables; the status line says how much is hidden.
        tab.findingFilter()->setText(QStringLiteral("side-loading"));
        QCOMPARE(tab.findingProxy()->rowCount(), 1);
        QVERIFY2(tab.statusText().contains(QStringLiteral("1 of %1 findings shown").arg(expected.findings.size())),
                 qPrintable(tab.statusText()));
        tab.executableFilter()->setText(QStringLiteral("tools"));
        QCOMPARE(tab.executableProxy()->rowCount(), 1);
    }

    // The trust store picked in the tab reaches the worker: the signed whois.exe (Microsoft, in
    // the osslsigncode test CA bundle) is "valid" with it and "signature-valid-chain-unknown"
    // without; the summary names the trust store used; the choice is remembered; a trust store
    // that cannot be read fails the triage with its name.
    void trustStoreMakesChainsValid()
    {
        if (m_prefix.isEmpty())
            QSKIP("shared Windows samples not found (set LOADLENS_SHARED_DATA)");
        LOADLENS_SHARED_DATA_OR_SKIP(bundle, "windows/trust/code_signing_ca.pem");
        const QString whois = QStringLiteral("C:\\Program Files\\Tools\\whois.exe");
        auto signatureOf = [&](WindowsTab &tab) {
            const QModelIndex row = rowWith(tab.executableModel(), WindowsExecutableModel::PathColumn, whois);
            return row.siblingAtColumn(WindowsExecutableModel::SignatureColumn).data().toString();
        };
        {
            WindowsTab tab;
            tab.setTrustStore({});
            QSignalSpy settled(&tab, &WindowsTab::settled);
            tab.openImage(m_prefix);
            QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);
            QVERIFY2(tab.result(), qPrintable(tab.summaryLabel()->text()));
            QCOMPARE(signatureOf(tab), QStringLiteral("signature-valid-chain-unknown"));
            QVERIFY2(tab.summaryLabel()->text().contains(QLatin1String("no trust store: chains unknown")),
                     qPrintable(tab.summaryLabel()->text()));

            tab.trustStoreEdit()->setText(bundle);
            QVERIFY(QMetaObject::invokeMethod(tab.trustStoreEdit(), "editingFinished"));
            tab.openImage(m_prefix);
            QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 2, 60000);
            QVERIFY2(tab.result(), qPrintable(tab.summaryLabel()->text()));
            QCOMPARE(signatureOf(tab), QStringLiteral("valid"));
            QVERIFY2(tab.summaryLabel()->text().contains(QStringLiteral("trust store: ") + bundle),
                     qPrintable(tab.summaryLabel()->text()));
        }
        // Remembered: a new tab (the next start of the program) uses it.
        QCOMPARE(QSettings().value(QStringLiteral("windows/trustStore")).toString(), bundle);
        WindowsTab again;
        QCOMPARE(again.trustStore(), bundle);
        QSignalSpy settled(&again, &WindowsTab::settled);
        again.setTrustStore(m_tmp.filePath(QStringLiteral("no-such.pem")));
        again.openImage(m_prefix);
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);
        QVERIFY(!again.result());
        QVERIFY2(again.summaryLabel()->text().contains(QLatin1String("no-such.pem")), qPrintable(again.summaryLabel()->text()));
        again.setTrustStore({});
        QCOMPARE(QSettings().value(QStringLiteral("windows/trustStore")).toString(), QString());
    }

    // A root that is not there, one that is not a directory, one that may not be read: a clear
    // message in the tab.
    void unreadableRoot()
    {
        WindowsTab tab;
        tab.show();
        QSignalSpy settled(&tab, &WindowsTab::settled);
        tab.openImage(QStringLiteral("/nonexistent/volume"));
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 30000);
        QVERIFY(!tab.result());
        QCOMPARE(tab.findingModel()->rowCount(), 0);
        QCOMPARE(tab.postureModel()->rowCount(), 0);
        QString summary = tab.summaryLabel()->text();
        QVERIFY2(summary.contains(QLatin1String("Could not read the Windows image")) &&
                     summary.contains(QLatin1String("/nonexistent/volume")),
                 qPrintable(summary));
        QVERIFY2(tab.statusText().contains(QLatin1String("/nonexistent/volume")), qPrintable(tab.statusText()));

        QFile file(m_tmp.filePath(QStringLiteral("a-file")));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.close();
        tab.openImage(file.fileName());
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 2, 30000);
        summary = tab.summaryLabel()->text();
        QVERIFY2(summary.contains(QLatin1String("Could not read")) && summary.contains(QLatin1String("a-file")), qPrintable(summary));

        if (::geteuid() == 0)
            return;  // root lists any directory; the unprivileged CI run checks this part
        const QString locked = m_tmp.filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkpath(locked + QStringLiteral("/Windows")));
        QVERIFY(QFile::setPermissions(locked, QFileDevice::Permissions()));
        tab.openImage(locked);
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 3, 30000);
        QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        summary = tab.summaryLabel()->text();
        QVERIFY2(summary.contains(QLatin1String("cannot list")) && summary.contains(QLatin1String("Permission denied")),
                 qPrintable(summary));
        QCOMPARE(tab.postureModel()->rowCount(), 0);
    }

    // Opened one after the other without waiting: only the second image's rows, whichever
    // triage ends first (the small Wine tree is read faster than the prefix with programs).
    void secondRootReplacesFirst_data()
    {
        QTest::addColumn<bool>("slowFirst");
        QTest::newRow("slower first") << true;
        QTest::newRow("faster first") << false;
    }

    void secondRootReplacesFirst()
    {
        QFETCH(bool, slowFirst);
        if (m_prefix.isEmpty())
            QSKIP("shared Windows samples not found (set LOADLENS_SHARED_DATA)");
        const QString firstRoot = slowFirst ? m_prefix : m_wine;
        const QString secondRoot = slowFirst ? m_wine : m_prefix;
        const auto second = expectedFor(secondRoot);
        WindowsTab tab;
        QSignalSpy settled(&tab, &WindowsTab::settled);
        tab.openImage(firstRoot);
        tab.openImage(secondRoot);
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);
        QTest::qWait(300);  // the first job's answer, if it comes now, must not show
        QCOMPARE(settled.count(), 1);
        QVERIFY(tab.result());
        QCOMPARE(QString::fromStdString(tab.result()->root), secondRoot);
        QCOMPARE(tab.executableModel()->rowCount(), int(second.executables.size()));
        QCOMPARE(tab.findingModel()->rowCount(), int(second.findings.size()));
        QVERIFY(tab.summaryLabel()->text().contains(secondRoot));
        QVERIFY(!tab.summaryLabel()->text().contains(firstRoot + QLatin1Char(' ')));
    }

    // The controller: a job still running when the next starts is cancelled, and its result is
    // dropped when it arrives while the next one runs; Cancel ends a job with failed().
    void controllerDropsStaleAndCancels()
    {
        QSemaphore firstMayEnd, secondMayEnd;
        std::atomic<bool> firstSawCancel{false};
        std::atomic<bool> firstEnded{false};
        WindowsTriageController controller([&](const wintriage::TriageOptions &options) -> Result<wintriage::TriageResult> {
            if (options.root == "first") {
                firstMayEnd.acquire();
                firstSawCancel = options.cancel && options.cancel->cancelled();
                firstEnded = true;
            } else if (options.root == "second") {
                secondMayEnd.acquire();
            } else if (options.root == "endless") {
                while (!options.cancel->cancelled())
                    std::this_thread::sleep_for(std::chrono::milliseconds(5));
                return Error{ECANCELED, "cancelled"};
            }
            options.progress(1, 0, "C:\\x.exe");
            wintriage::TriageResult result;
            result.root = options.root;
            return result;
        });
        controller.setProgressInterval(0);
        QSignalSpy finished(&controller, &WindowsTriageController::finished);
        QSignalSpy failed(&controller, &WindowsTriageController::failed);
        QSignalSpy progress(&controller, &WindowsTriageController::progress);
        const quint64 first = controller.start(optionsFor("first"));
        const quint64 second = controller.start(optionsFor("second"));
        QVERIFY(second > first);
        firstMayEnd.release();  // the first ends while the second still runs: nothing for it
        QTRY_VERIFY(firstEnded);
        QTest::qWait(200);
        QCOMPARE(finished.count() + failed.count(), 0);
        QVERIFY(controller.isRunning());
        secondMayEnd.release();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QTest::qWait(100);
        QCOMPARE(failed.count(), 0);
        QVERIFY(firstSawCancel);
        QCOMPARE(finished.first().at(0).toULongLong(), second);
        const auto result = finished.first().at(1).value<std::shared_ptr<const wintriage::TriageResult>>();
        QCOMPARE(QString::fromStdString(result->root), QStringLiteral("second"));
        for (const auto &signal : progress)
            QCOMPARE(signal.at(0).toULongLong(), second);  // none of the stale job's progress

        controller.start(optionsFor("endless"));
        QVERIFY(controller.isRunning());
        controller.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 10000);
        QVERIFY(failed.first().at(1).toString().contains(QLatin1String("cancelled")));
        QVERIFY(!controller.isRunning());
    }

    // The real triage cancelled from the tab: Cancel is enabled while it runs; afterwards the
    // tab says it was cancelled and shows no rows.
    void cancelFromTheTab()
    {
        if (m_prefix.isEmpty())
            QSKIP("shared Windows samples not found (set LOADLENS_SHARED_DATA)");
        WindowsTab tab;
        QSignalSpy settled(&tab, &WindowsTab::settled);
        tab.openImage(m_prefix);
        QVERIFY(tab.cancelButton()->isEnabled());
        tab.cancelButton()->click();
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);
        QVERIFY(!tab.cancelButton()->isEnabled());
        // The triage may have been done before the click reached it; if not, it says so.
        if (!tab.result()) {
            QVERIFY2(tab.summaryLabel()->text().contains(QLatin1String("cancelled")), qPrintable(tab.summaryLabel()->text()));
            QCOMPARE(tab.findingModel()->rowCount(), 0);
        }
    }

    // File > Open Windows image's path: the Windows tab comes forward and the status line
    // speaks of the image.
    void throughTheMainWindow()
    {
        if (m_wine.isEmpty())
            QSKIP("shared Wine tree not found (set LOADLENS_SHARED_DATA)");
        MainWindow window({});
        QVERIFY(MainWindow::tabNames().contains(QStringLiteral("windows")));
        QCOMPARE(MainWindow::tabNames().size(), window.tabs()->count());
        QSignalSpy settled(window.windowsTab(), &WindowsTab::settled);
        window.openWindowsImage(m_wine);
        QCOMPARE(window.tabs()->currentWidget(), window.windowsTab());
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);
        QTRY_VERIFY2(window.statusText().startsWith(QStringLiteral("Windows image ") + m_wine), qPrintable(window.statusText()));

        // The row actions every table has: on a finding, the planted DLL's Windows path, the
        // row as the CLI's JSON, the same details; Show in Events looks for that path.
        if (m_prefix.isEmpty())
            return;
        window.openWindowsImage(m_prefix);
        QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 2, 60000);
        WindowsTab *tab = window.windowsTab();
        QVERIFY(tab->selectFirstFinding());
        const auto target = window.rowActions()->currentTarget(tab->findingView());
        QVERIFY(target);
        QCOMPARE(target->path, QStringLiteral("C:\\Program Files\\Sysinternals\\VERSION.dll"));
        QVERIFY2(target->json.contains("\"code\":\"dll-side-loading\""), target->json.constData());
        QVERIFY(target->detailsHtml.contains(QLatin1String("T1574.001")));
        QVERIFY(!window.rowActions()->action(tab->findingView(), RowAction::OpenFolder)->isEnabled());
        QSignalSpy showInEvents(window.rowActions(), &RowActions::showInEventsRequested);
        window.rowActions()->action(tab->findingView(), RowAction::ShowInEvents)->trigger();
        QCOMPARE(showInEvents.count(), 1);
        QCOMPARE(window.tabs()->currentWidget(), static_cast<QWidget *>(window.eventsTab()));
        tab->executableView()->setCurrentIndex(tab->executableProxy()->index(0, 0));
        const auto exeTarget = window.rowActions()->currentTarget(tab->executableView());
        QVERIFY(exeTarget && exeTarget->path.endsWith(QLatin1String("whois.exe")));
        QVERIFY(exeTarget->json.contains("\"dlls\""));
    }
};

QTEST_MAIN(TestWindowsTab)
#include "tst_windowstab.moc"
