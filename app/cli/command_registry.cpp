#include "command_registry.h"

#include <algorithm>

namespace loadlens::cli {

namespace {
std::vector<CommandSpec> &registry()
{
    static std::vector<CommandSpec> commands;
    return commands;
}
} // namespace

bool registerCommand(CommandSpec spec)
{
    auto &commands = registry();
    commands.push_back(std::move(spec));
    std::sort(commands.begin(), commands.end(), [](const auto &a, const auto &b) { return a.name < b.name; });
    return true;
}

const std::vector<CommandSpec> &registeredCommands() { return registry(); }

} // namespace loadlens::cli
