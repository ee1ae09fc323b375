// The GUI's log sinks: View > Log shows the lines of a run even when the terminal shows none,
// core's named loggers included, whatever --log-level says for the terminal.
#include <QtTest>

#include "common/log.h"
#include "log_setup.h"

class TestGuiLog : public QObject {
    Q_OBJECT
private:
    static bool holds(const std::vector<std::string> &lines, const char *text)
    {
        for (const auto &line : lines)
            if (line.find(text) != std::string::npos)
                return true;
        return false;
    }

private slots:
    void cleanup() { qInstallMessageHandler(nullptr); }

    void windowLogKeepsDebugLinesAtInfoLevel()
    {
        const auto memory = loadlens::gui::setUpLogging(spdlog::level::info);
        spdlog::info("an info line");
        loadlens::log::get("test.core-logger")->debug("verdicts for 3 processes");
        qDebug("a qt note");
        const auto lines = memory->last_formatted();
        QVERIFY(holds(lines, "an info line"));
        QVERIFY2(holds(lines, "verdicts for 3 processes"), "core's debug line is missing from the window log");
        QVERIFY(holds(lines, "a qt note"));
        QVERIFY(holds(lines, "[test.core-logger]"));
    }

    void terminalLevelDoesNotEmptyTheWindowLog()
    {
        const auto memory = loadlens::gui::setUpLogging(spdlog::level::info);
        loadlens::gui::setLogLevel(spdlog::level::warn);
        loadlens::log::get("test.later")->debug("a debug line after --log-level warn");
        QVERIFY(holds(memory->last_formatted(), "a debug line after --log-level warn"));
        loadlens::gui::setLogLevel(spdlog::level::trace);
        spdlog::trace("a trace line");
        QVERIFY(holds(memory->last_formatted(), "a trace line"));
    }
};

QTEST_GUILESS_MAIN(TestGuiLog)
#include "tst_gui_log.moc"
