// loadlens: the GUI entry point. Argument parsing and log sinks live here; the window is in ui/.
#include "log_setup.h"
#include "mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QPixmap>
#include <QTimer>

#include <spdlog/spdlog.h>

#include <cstdio>

namespace {

void printError(const QString &message)
{
    std::fprintf(stderr, "loadlens: %s\n", message.toLocal8Bit().constData());
}

// Saves the window once the first scan is shown, then quits: for documentation and for
// checking the GUI on machines without a display (QT_QPA_PLATFORM=offscreen).
void arrangeScreenshot(QApplication &app, loadlens::ui::MainWindow &window, const QString &file)
{
    QObject::connect(&window, &loadlens::ui::MainWindow::resultApplied, &app, [&app, &window, file] {
        window.selectFirstInteresting();
        // One turn of the event loop lets the views lay out the new rows before grabbing.
        QTimer::singleShot(200, &app, [&app, &window, file] {
            const QPixmap pixmap = window.grab();
            if (pixmap.isNull() || !pixmap.save(file)) {
                printError(QStringLiteral("could not save the screenshot to %1 (is the directory writable and the suffix an image format such as .png?)").arg(file));
                app.exit(1);
                return;
            }
            app.exit(0);
        });
    });
    QObject::connect(&window, &loadlens::ui::MainWindow::scanFailed, &app, [&app](const QString &message) {
        printError(QStringLiteral("no screenshot: %1").arg(message));
        app.exit(1);
    });
}

} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("loadlens"));
    QApplication::setApplicationDisplayName(QStringLiteral("LoadLens"));
    QApplication::setApplicationVersion(QStringLiteral(LOADLENS_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("What code is loaded into each process, and should it be?"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption pidOption(QStringLiteral("pid"), QStringLiteral("Scan only process <pid>."), QStringLiteral("pid"));
    const QCommandLineOption screenshotOption(
        QStringLiteral("screenshot"),
        QStringLiteral("Save the window as <file> (PNG) after the first scan and exit."), QStringLiteral("file"));
    const QCommandLineOption logLevelOption(
        QStringLiteral("log-level"), QStringLiteral("trace, debug, info, warn, error or off (default: info)."),
        QStringLiteral("level"), QStringLiteral("info"));
    parser.addOptions({pidOption, screenshotOption, logLevelOption});
    parser.process(app);

    const auto level = spdlog::level::from_str(parser.value(logLevelOption).toStdString());
    if (level == spdlog::level::off && parser.value(logLevelOption) != QStringLiteral("off")) {
        printError(QStringLiteral("unknown log level \"%1\"").arg(parser.value(logLevelOption)));
        return 2;
    }
    const auto memoryLog = loadlens::gui::setUpLogging(level);

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

    loadlens::ui::MainWindow window(options);
    window.setLogSource([memoryLog] {
        QStringList lines;
        for (const auto &line : memoryLog->last_formatted())
            lines << QString::fromStdString(line).trimmed();
        return lines;
    });
    if (parser.isSet(screenshotOption))
        arrangeScreenshot(app, window, parser.value(screenshotOption));
    window.show();
    window.refresh();
    return app.exec();
}
