#pragma once
// Log sinks of the GUI: spdlog's default logger writes to stderr and into a ring buffer that
// the window can show. Core loggers (log::get) share these sinks.
#include <spdlog/common.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <memory>

namespace loadlens::gui {

// Installs the default logger and returns the in-memory sink (the last `capacity` lines).
// Qt's own messages go through the same logger: Qt's chatter about the platform and the
// session (categories "qt.*", "QStandardPaths: XDG_RUNTIME_DIR not set", "This plugin does
// not support propagateSizeHints()", ...) is logged at debug level, so it reaches the log
// window and --log-level debug but not a normal run's terminal. Call it before QApplication
// is built: the platform plugin talks while it starts. setLogLevel changes the level later.
std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> setUpLogging(spdlog::level::level_enum level,
                                                                std::size_t capacity = 2000);
void setLogLevel(spdlog::level::level_enum level);

// The level a Qt message is logged at (exposed for tests).
spdlog::level::level_enum levelForQtMessage(int qtMsgType, const char *category, const char *message);

} // namespace loadlens::gui
