// loadlens: the GUI entry point. Argument parsing and log sinks live here; the window is in ui/.
#include "casetab.h"
#include "eventstab.h"
#include "loadlens_version.h"
#include "helperscan.h"
#include "log_setup.h"
#include "mainwindow.h"
#include "posturetab.h"
#include "qtstrings.h"
#include "store/case_database.h"
#include "windows/windowstab.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <unistd.h>
#include <openssl/crypto.h>

namespace {

void printError(const QString &message)
{
    std::fprintf(stderr, "loadlens: %s\n", message.toLocal8Bit().constData());
}

void saveScreenshot(QApplication &app, QWidget &window, const QString &file)
{
    // One turn of the event loop lets the views lay out the new rows before grabbing.
    QTimer::singleShot(300, &app, [&app, &window, file] {
        const QPixmap pixmap = window.grab();
        if (pixmap.isNull() || !pixmap.save(file)) {
            printError(QStringLiteral("could not save the screenshot to %1 (is the directory writable and the suffix an image format such as .png?)").arg(file));
            app.exit(1);
            return;
        }
        app.exit(0);
    });
}

// Saves the window once the chosen tab shows its data, then quits: for documentation and for
// checking the GUI on machines without a display (QT_QPA_PLATFORM=offscreen).
void arrangeScreenshot(QApplication &app, loadlens::ui::MainWindow &window, const QString &file, const QString &tab,
                       bool elevated, bool windowsRoot)
{
    using loadlens::ui::MainWindow;
    QTimer::singleShot(180000, &app, [&app] {
        printError(QStringLiteral("no screenshot: the tab did not finish loading within 3 minutes"));
        app.exit(1);
    });
    if (elevated && tab == QStringLiteral("processes")) {
        // After the administrator scan: its result, or the view it left with the reason it failed.
        auto applied = std::make_shared<int>(0);
        QObject::connect(&window, &MainWindow::resultApplied, &app, [&app, &window, file, applied] {
            if (++*applied < 2)
                return;  // the user's own scan, before the helper's
            window.selectFirstInteresting();
            saveScreenshot(app, window, file);
        });
        QObject::connect(window.helperLauncher(), &loadlens::ui::HelperScanLauncher::failed, &app,
                         [&app, &window, file] { saveScreenshot(app, window, file); });
        return;
    }
    QObject::connect(&window, &MainWindow::scanFailed, &app, [&app](const QString &message) {
        printError(QStringLiteral("no screenshot: %1").arg(message));
        app.exit(1);
    });
    if (tab == QStringLiteral("processes")) {
        QObject::connect(&window, &MainWindow::resultApplied, &app, [&app, &window, file] {
            window.selectFirstInteresting();
            saveScreenshot(app, window, file);
        });
    } else if (tab == QStringLiteral("case")) {
        auto *caseTab = window.caseTab();
        auto diffAsked = std::make_shared<bool>(false);
        QObject::connect(caseTab, &loadlens::ui::CaseTab::settled, &app, [&app, &window, caseTab, file, diffAsked] {
            if (!*diffAsked) {
                *diffAsked = true;
                if (caseTab->selectNewestPair())
                    return;  // settles again once the diff is in
            }
            saveScreenshot(app, window, file);
        });
    } else if (tab == QStringLiteral("events")) {
        auto *eventsTab = window.eventsTab();
        QObject::connect(eventsTab, &loadlens::ui::EventsTab::settled, &app, [&app, &window, eventsTab, file] {
            eventsTab->selectMostSevereEvent();
            saveScreenshot(app, window, file);
        });
    } else if (tab == QStringLiteral("windows") && windowsRoot) {
        // Once the triage of --windows-root is in (or has failed, which the tab then says).
        auto *windowsTab = window.windowsTab();
        QObject::connect(windowsTab, &loadlens::ui::WindowsTab::settled, &app, [&app, &window, windowsTab, file] {
            window.selectTab(QStringLiteral("windows"));
            windowsTab->selectFirstFinding();
            saveScreenshot(app, window, file);
        });
    } else if (tab == QStringLiteral("lab") || tab == QStringLiteral("windows")) {
        // The scenarios list (or the empty Windows tab) needs no data: after the first scan.
        QObject::connect(&window, &MainWindow::resultApplied, &app, [&app, &window, file, tab] {
            window.selectTab(tab);
            saveScreenshot(app, window, file);
        });
    } else {
        // With the live scan, as a user who looks at posture after the first scan would see it.
        auto *postureTab = window.postureTab();
        QObject::connect(&window, &MainWindow::resultApplied, &app, [&window, tab] { window.selectTab(tab); });
        QObject::connect(postureTab, &loadlens::ui::PostureTab::settled, &app,
                         [&app, &window, file] { saveScreenshot(app, window, file); });
    }
}

// A Qt GUI running as root is a large attack surface with root's rights (Wireshark and GParted
// moved away from it): LoadLens runs as the invoking user and reads what only root may read
// through its helper (Scan > Scan all processes (administrator), --elevated). Rendering
// offscreen (--screenshot, QT_QPA_PLATFORM=offscreen or minimal: scripts/run.sh on a fresh
// machine, CI) shows nobody a window and is allowed; LOADLENS_ALLOW_ROOT_GUI=1 overrides.
// Returns the reason to refuse, empty when the window may open.
QString refuseRoot(bool screenshot)
{
    if (::geteuid() != 0)
        return {};
    const QString platform = QGuiApplication::platformName();
    const bool offscreen = platform == QStringLiteral("offscreen") || platform == QStringLiteral("minimal");
    if (offscreen || screenshot) {
        spdlog::debug("running as root ({} platform{}): the window is not interactive, so it is allowed", platform.toStdString(),
                     screenshot ? ", --screenshot" : "");
        return {};
    }
    if (qEnvironmentVariable("LOADLENS_ALLOW_ROOT_GUI") == QStringLiteral("1")) {
        spdlog::warn("running the GUI as root because LOADLENS_ALLOW_ROOT_GUI=1");
        return {};
    }
    return QStringLiteral(
        "refusing to open the window as root: a Qt program running as root is a needless risk.\n"
        "Start loadlens as your own user and use Scan > Scan all processes (administrator)... or\n"
        "`loadlens --elevated`: only the scan helper runs as root, through pkexec.\n"
        "(To render offscreen as root use --screenshot or QT_QPA_PLATFORM=offscreen; to override\n"
        "for a test machine, set LOADLENS_ALLOW_ROOT_GUI=1.)");
}

struct GuiOptions {
    QCommandLineOption pid{QStringLiteral("pid"), QStringLiteral("Scan only process <pid>."), QStringLiteral("pid")};
    QCommandLineOption screenshot{QStringLiteral("screenshot"),
                                  QStringLiteral("Save the window as <file> (PNG) after the first scan and exit."),
                                  QStringLiteral("file")};
    QCommandLineOption logLevel{QStringLiteral("log-level"),
                                QStringLiteral("trace, debug, info, warn, error or off (default: info)."),
                                QStringLiteral("level"), QStringLiteral("info")};
    QCommandLineOption caseFile{QStringLiteral("case"),
                                QStringLiteral("Open case <file> (created when absent; default: %1), or a ClickHouse "
                                               "case: clickhouse://HOST:PORT/DATABASE.")
                                    .arg(loadlens::ui::toQString(loadlens::store::defaultCasePath())),
                                QStringLiteral("file")};
    QCommandLineOption tab{QStringLiteral("tab"),
                           QStringLiteral("Start on tab <name>: processes, case, events, posture, lab or windows "
                                          "(default: processes; windows with --windows-root)."),
                           QStringLiteral("name"), QStringLiteral("processes")};
    QCommandLineOption windowsRoot{QStringLiteral("windows-root"),
                                   QStringLiteral("Open the Windows image in <dir> (a mounted volume, a triage "
                                                  "collection or a Wine prefix) in the Windows tab: its DLL hijacking "
                                                  "triage runs at start."),
                                   QStringLiteral("dir")};
    QCommandLineOption elevated{QStringLiteral("elevated"),
                                QStringLiteral("Scan all processes through the administrator helper (pkexec asks for a "
                                               "password); the window itself keeps running as you.")};

    void describe(QCommandLineParser &parser) const
    {
        parser.setApplicationDescription(QStringLiteral("What code is loaded into each process, and should it be?"));
        parser.addHelpOption();
        parser.addVersionOption();
        parser.addOptions({pid, screenshot, logLevel, caseFile, tab, windowsRoot, elevated});
    }
};

// --help and --version only print text: they must work without a display (over ssh, in a
// package check), where QApplication would abort looking for a platform.
bool asksOnlyForText(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg(argv[i]);
        if (arg == "--")
            break;
        if (arg == "-h" || arg == "-?" || arg == "--help" || arg == "--help-all" || arg == "-v" || arg == "--version")
            return true;
    }
    return false;
}

} // namespace

int main(int argc, char **argv)
{
    // OpenSSL reads no configuration: OPENSSL_CONF must not load modules into the workbench.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
    QCoreApplication::setApplicationName(QStringLiteral("loadlens"));
    QCoreApplication::setOrganizationName(QStringLiteral("loadlens"));
    QCoreApplication::setApplicationVersion(QStringLiteral(LOADLENS_VERSION_STRING));
    const GuiOptions cli;
    if (asksOnlyForText(argc, argv)) {
        QCoreApplication textOnly(argc, argv);
        QCommandLineParser parser;
        cli.describe(parser);
        parser.process(textOnly);  // prints the help or the version and exits
        return 0;
    }

    // Before QApplication: the platform plugin's chatter is routed into the log from the start.
    const auto memoryLog = loadlens::gui::setUpLogging(spdlog::level::info);
    QApplication app(argc, argv);
    QApplication::setApplicationDisplayName(QStringLiteral("LoadLens"));
    QGuiApplication::setDesktopFileName(QStringLiteral(LOADLENS_APP_ID));  // the installed .desktop entry

    QCommandLineParser parser;
    cli.describe(parser);
    parser.process(app);
    const QCommandLineOption &pidOption = cli.pid;
    const QCommandLineOption &screenshotOption = cli.screenshot;
    const QCommandLineOption &logLevelOption = cli.logLevel;
    const QCommandLineOption &caseOption = cli.caseFile;
    const QCommandLineOption &tabOption = cli.tab;
    const QCommandLineOption &elevatedOption = cli.elevated;
    const QCommandLineOption &windowsRootOption = cli.windowsRoot;

    const auto level = spdlog::level::from_str(parser.value(logLevelOption).toStdString());
    if (level == spdlog::level::off && parser.value(logLevelOption) != QStringLiteral("off")) {
        printError(QStringLiteral("unknown log level \"%1\"").arg(parser.value(logLevelOption)));
        return 2;
    }
    loadlens::gui::setLogLevel(level);
    if (const QString refusal = refuseRoot(parser.isSet(screenshotOption)); !refusal.isEmpty()) {
        printError(refusal);
        return 1;
    }
    if (parser.isSet(elevatedOption) && parser.isSet(pidOption)) {
        printError(QStringLiteral("--elevated scans every process; it does not go with --pid"));
        return 2;
    }

    loadlens::scan::ScanOptions options;
    if (parser.isSet(pidOption)) {
        bool ok = false;
        const int pid = parser.value(pidOption).toInt(&ok);
        if (!ok || pid <= 0) {
            printError(QStringLiteral("--pid needs a positive process id, not \"%1\"").arg(parser.value(pidOption)));
            return 2;
        }
        options.pid = pid;
    }

    const bool windowsRoot = parser.isSet(windowsRootOption);
    if (windowsRoot && parser.value(windowsRootOption).isEmpty()) {
        printError(QStringLiteral("--windows-root needs a directory"));
        return 2;
    }
    // --windows-root without --tab starts where its triage shows.
    const QString tab = windowsRoot && !parser.isSet(tabOption) ? QStringLiteral("windows") : parser.value(tabOption).toLower();
    if (!loadlens::ui::MainWindow::tabNames().contains(tab)) {
        printError(QStringLiteral("unknown tab \"%1\" (processes, case, events, posture, lab or windows)").arg(parser.value(tabOption)));
        return 2;
    }

    loadlens::ui::MainWindow window(options);
    window.setLogSource([memoryLog] {
        QStringList lines;
        for (const auto &line : memoryLog->last_formatted())
            lines << QString::fromStdString(line).trimmed();
        return lines;
    });
    if (parser.isSet(screenshotOption))
        arrangeScreenshot(app, window, parser.value(screenshotOption), tab, parser.isSet(elevatedOption), windowsRoot);
    const QString casePath = parser.isSet(caseOption) ? parser.value(caseOption)
                                                      : loadlens::ui::toQString(loadlens::store::defaultCasePath());
    if (auto opened = window.openCase(casePath); !opened) {
        printError(loadlens::ui::toQString(opened.error().message));
        if (parser.isSet(caseOption))
            return 1;  // asked for by name: do not carry on without it
    }
    if (windowsRoot)
        window.openWindowsImage(parser.value(windowsRootOption));
    if (tab != QStringLiteral("posture") || !parser.isSet(screenshotOption))
        window.selectTab(tab);
    window.show();
    if (parser.isSet(elevatedOption)) {
        // What this user can read first, so that a declined password or a missing pkexec
        // leaves a view, with the reason in the status bar; then every process.
        auto once = std::make_shared<QMetaObject::Connection>();
        *once = QObject::connect(&window, &loadlens::ui::MainWindow::resultApplied, &window, [&window, once] {
            QObject::disconnect(*once);
            window.scanAsAdministrator();
        });
    }
    window.refresh();
    return app.exec();
}
