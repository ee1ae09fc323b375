#include "log_setup.h"

#include <spdlog/sinks/rotating_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace loadlens::cli {

void setUpLogging(const std::string &level, const std::string &file)
{
    std::vector<spdlog::sink_ptr> sinks;
    auto console = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
    console->set_level(spdlog::level::from_str(level));
    sinks.push_back(console);
    if (!file.empty()) {
        try {
            auto rotating = std::make_shared<spdlog::sinks::rotating_file_sink_mt>(file, 5u << 20, 3);
            rotating->set_level(spdlog::level::debug);
            sinks.push_back(rotating);
        } catch (const spdlog::spdlog_ex &e) {
            console->log(spdlog::details::log_msg("cli", spdlog::level::err,
                                                  std::string("cannot open log file: ") + e.what()));
        }
    }
    auto logger = std::make_shared<spdlog::logger>("cli", sinks.begin(), sinks.end());
    logger->set_level(file.empty() ? spdlog::level::from_str(level) : spdlog::level::debug);
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %n %l: %v");
    spdlog::set_default_logger(logger);
}

} // namespace loadlens::cli
