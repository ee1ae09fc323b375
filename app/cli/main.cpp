// loadlens-cli: the headless entry point. Argument parsing and log sinks live here; all the
// work is in core/.
#include "cli_options.h"
#include "commands.h"
#include "log_setup.h"

#include <iostream>

int main(int argc, char **argv)
{
    using namespace loadlens::cli;
    std::vector<std::string> args(argv + 1, argv + argc);
    auto parsed = parseCommandLine(args);
    if (!parsed) {
        std::cerr << "loadlens-cli: " << parsed.error().message << "\n";
        return 2;
    }
    const CliOptions &o = *parsed;
    setUpLogging(o.logLevel, o.logFile);
    switch (o.command) {
    case Command::Help:
        std::cout << usageText();
        return 0;
    case Command::Version:
        std::cout << "loadlens-cli " LOADLENS_VERSION "\n";
        return 0;
    case Command::Scan:
        return runScanCommand(o);
    case Command::WhoLoads:
        return runWhoLoadsCommand(o);
    case Command::Explain:
        return runExplainCommand(o);
    }
    return 0;
}
