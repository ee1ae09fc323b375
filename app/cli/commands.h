#pragma once
#include "cli_options.h"

namespace loadlens::cli {

// Each returns the process exit status.
int runScanCommand(const CliOptions &options);
int runWhoLoadsCommand(const CliOptions &options);
int runExplainCommand(const CliOptions &options);

} // namespace loadlens::cli
