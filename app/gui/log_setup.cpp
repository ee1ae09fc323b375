#include "log_setup.h"

#include <QString>
#include <QtGlobal>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstring>

namespace loadlens::gui {

namespace {

// Messages Qt prints under the "default" category that say nothing a LoadLens user can act on.
constexpr const char *kQtChatter[] = {
    "QStandardPaths:",                       // XDG_RUNTIME_DIR not set / wrong permissions
    "This plugin does not support",          // offscreen/minimal platform: propagateSizeHints() etc.
    "qt.qpa.",                               // platform plugin notes printed without a category
    "Could not connect to any X display",    // handled by our own "no display" message
    "QSocketNotifier: Can only be used with threads started with QThread",
};

void qtMessageToLog(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray text = message.toLocal8Bit();
    const auto level = levelForQtMessage(type, context.category, text.constData());
    spdlog::log(level, "[qt{}{}] {}", context.category && std::strcmp(context.category, "default") != 0 ? " " : "",
                context.category && std::strcmp(context.category, "default") != 0 ? context.category : "",
                text.constData());
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

spdlog::level::level_enum levelForQtMessage(int qtMsgType, const char *category, const char *message)
{
    if (qtMsgType == QtFatalMsg || qtMsgType == QtCriticalMsg)
        return spdlog::level::err;
    if (qtMsgType == QtDebugMsg || qtMsgType == QtInfoMsg)
        return spdlog::level::debug;
    // Warnings: Qt's own categories and its known chatter are notes, not problems of ours.
    if (category && std::strncmp(category, "qt.", 3) == 0)
        return spdlog::level::debug;
    for (const char *chatter : kQtChatter)
        if (message && std::strncmp(message, chatter, std::strlen(chatter)) == 0)
            return spdlog::level::debug;
    return spdlog::level::warn;
}

namespace {

// The terminal shows what --log-level asks for; the in-window log always keeps debug and up,
// so View > Log has something to say about a run that printed nothing (a normal run logs
// almost everything at debug).
constexpr auto kWindowLogLevel = spdlog::level::debug;

std::shared_ptr<spdlog::sinks::sink> &terminalSink()
{
    static std::shared_ptr<spdlog::sinks::sink> sink;
    return sink;
}

void applyLevel(spdlog::logger &logger, spdlog::level::level_enum level)
{
    logger.set_level(std::min(level, kWindowLogLevel));
}

} // namespace

void setLogLevel(spdlog::level::level_enum level)
{
    if (auto &sink = terminalSink())
        sink->set_level(level);
    const auto effective = std::min(level, kWindowLogLevel);
    spdlog::set_level(effective);  // every registered logger, the core ones included
    if (auto logger = spdlog::default_logger())
        applyLevel(*logger, level);
}

std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> setUpLogging(spdlog::level::level_enum level, std::size_t capacity)
{
    auto stderrSink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    auto memorySink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(capacity);
    memorySink->set_pattern("%H:%M:%S.%e %-5l [%n] %v");
    memorySink->set_level(spdlog::level::trace);  // bounded by the logger's level
    terminalSink() = stderrSink;
    auto logger = std::make_shared<spdlog::logger>("loadlens", spdlog::sinks_init_list{stderrSink, memorySink});
    spdlog::set_default_logger(logger);
    setLogLevel(level);
    qInstallMessageHandler(qtMessageToLog);
    return memorySink;
}

} // namespace loadlens::gui
