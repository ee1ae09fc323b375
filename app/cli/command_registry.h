#pragma once
// loadlens-cli subcommands register themselves here; each lives in its own cmd_<name>.cpp,
// parses its own options (with ArgParser) and returns the exit status.
#include <string>
#include <vector>

namespace loadlens::cli {

struct CommandSpec {
    std::string name;     // "import"
    std::string summary;  // one line for the command list
    std::string usage;    // full help text of the command (options, examples)
    int (*run)(const std::vector<std::string> &args) = nullptr;  // args after the command name
};

// Returns true so it can initialise a namespace-scope variable in the command's file.
bool registerCommand(CommandSpec spec);
const std::vector<CommandSpec> &registeredCommands();

} // namespace loadlens::cli

#define LOADLENS_CLI_CONCAT_INNER(a, b) a##b
#define LOADLENS_CLI_CONCAT(a, b) LOADLENS_CLI_CONCAT_INNER(a, b)
// LOADLENS_CLI_COMMAND({"name", "summary", "usage", &runFunction});
#define LOADLENS_CLI_COMMAND(...)                                                                   \
    namespace {                                                                                    \
    [[maybe_unused]] const bool LOADLENS_CLI_CONCAT(registered_, __LINE__) =                       \
        ::loadlens::cli::registerCommand(::loadlens::cli::CommandSpec __VA_ARGS__);                \
    }
