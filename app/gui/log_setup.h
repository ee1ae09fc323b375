#pragma once
// Log sinks of the GUI: spdlog's default logger writes to stderr and into a ring buffer that
// the window can show. Core loggers (log::get) share these sinks.
#include <spdlog/common.h>
#include <spdlog/sinks/ringbuffer_sink.h>

#include <memory>

namespace loadlens::gui {

// Installs the default logger and returns the in-memory sink (the last `capacity` lines).
std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> setUpLogging(spdlog::level::level_enum level,
                                                                std::size_t capacity = 2000);

} // namespace loadlens::gui
