// loadlens-cli: the headless entry point. Argument parsing and log sinks live here; all the
// work is in core/. scan, who-loads and explain are parsed by cli_options; every other
// subcommand registers itself from its cmd_<name>.cpp.
#include "cli_options.h"
#include "command_registry.h"
#include "commands.h"
#include "loadlens_version.h"
#include "log_setup.h"
#include "scan/collector.h"

#include <iostream>
#include <openssl/crypto.h>

namespace {

// --log-level and --log-file apply to every command; take them out before the command parses.
std::vector<std::string> takeLoggingOptions(std::vector<std::string> args, std::string &level, std::string &file)
{
    std::vector<std::string> rest;
    for (std::size_t i = 0; i < args.size(); ++i) {
        if ((args[i] == "--log-level" || args[i] == "--log-file") && i + 1 < args.size()) {
            (args[i] == "--log-level" ? level : file) = args[i + 1];
            ++i;
        } else {
            rest.push_back(args[i]);
        }
    }
    return rest;
}

void printHelp()
{
    std::cout << loadlens::cli::usageText();
    const auto &extra = loadlens::cli::registeredCommands();
    if (!extra.empty()) {
        std::cout << "\nMore commands (loadlens-cli COMMAND --help for their options):\n";
        for (const auto &c : extra) {
            std::string name = "  " + c.name;
            name.resize(std::max<std::size_t>(name.size() + 1, 25), ' ');
            std::cout << name << c.summary << "\n";
        }
    }
}

} // namespace

int main(int argc, char **argv)
{
    using namespace loadlens::cli;
    // Before anything else: how this program was started (static or dynamic, under which preload).
    if (const std::string warning = loadlens::scan::collectorWarning(loadlens::scan::collectorInfo()); !warning.empty())
        std::cerr << "loadlens-cli: " << warning << "\n";
    // OpenSSL reads no configuration: OPENSSL_CONF would otherwise let the environment load
    // provider or engine modules into the collector.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, nullptr);
    std::string logLevel = "warn";
    std::string logFile;
    std::vector<std::string> args = takeLoggingOptions({argv + 1, argv + argc}, logLevel, logFile);

    if (!args.empty()) {
        for (const auto &c : registeredCommands()) {
            if (c.name != args.front())
                continue;
            std::vector<std::string> rest(args.begin() + 1, args.end());
            for (const auto &a : rest)
                if (a == "--help" || a == "-h") {
                    std::cout << c.usage;
                    return 0;
                }
            setUpLogging(logLevel, logFile);
            return c.run(rest);
        }
    }

    if (logLevel != "warn")
        args.insert(args.end(), {"--log-level", logLevel});
    auto parsed = parseCommandLine(args);
    if (!parsed) {
        std::cerr << "loadlens-cli: " << parsed.error().message << "\n";
        return 2;
    }
    const CliOptions &o = *parsed;
    setUpLogging(o.logLevel, logFile);
    switch (o.command) {
    case Command::Help:
        printHelp();
        return 0;
    case Command::Version:
        std::cout << "loadlens-cli " LOADLENS_VERSION_STRING "\n";
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
