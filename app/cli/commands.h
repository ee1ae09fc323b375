#pragma once
#include "cli_options.h"
#include "scan/scanner.h"

namespace loadlens::cli {

// What a live scan of these options looks at (wholeHost: ignore --pid, for who-loads).
scan::ScanOptions scanOptionsFor(const CliOptions &options, bool wholeHost);

// Each returns the process exit status.
int runScanCommand(const CliOptions &options);
// scan --json --stream (scan_stream.cpp).
int runScanStreamCommand(const CliOptions &options);
int runWhoLoadsCommand(const CliOptions &options);
int runExplainCommand(const CliOptions &options);

} // namespace loadlens::cli
