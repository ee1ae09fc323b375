#include "log_setup.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace loadlens::gui {

std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> setUpLogging(spdlog::level::level_enum level, std::size_t capacity)
{
    auto stderrSink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    auto memorySink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(capacity);
    memorySink->set_pattern("%H:%M:%S.%e %-5l [%n] %v");
    auto logger = std::make_shared<spdlog::logger>("loadlens", spdlog::sinks_init_list{stderrSink, memorySink});
    logger->set_level(level);
    spdlog::set_default_logger(logger);
    spdlog::set_level(level);
    return memorySink;
}

} // namespace loadlens::gui
