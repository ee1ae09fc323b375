#pragma once
// Named loggers for core ("core.proc", "core.pkg", ...). Core never chooses sinks: a logger
// created here shares the sinks of spdlog's default logger, which app/ configures.
#include <memory>
#include <spdlog/spdlog.h>
#include <string>

namespace loadlens::log {

std::shared_ptr<spdlog::logger> get(const std::string &name);

} // namespace loadlens::log
