#pragma once
#include <string>

namespace loadlens::cli {

// The CLI's sinks: stderr at `level`, plus a rotating file when `file` is set.
void setUpLogging(const std::string &level, const std::string &file);

} // namespace loadlens::cli
