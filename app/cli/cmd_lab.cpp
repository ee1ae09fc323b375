// loadlens-cli lab: the trainer lab's hijack scenarios (core/lab), one command each.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "lab/lab_catalog.h"
#include "lab/lab_runner.h"

#include <iostream>
#include <unistd.h>
#include <nlohmann/json.hpp>

namespace loadlens::cli {

namespace {

void printScenario(const lab::Scenario &s, const std::string &scenarioDir, const std::string &binDir)
{
    std::cout << s.name << ": " << s.title << "\n\n"
              << s.story << "\n\n"
              << "Technique:  " << s.technique << "\n"
              << "Prevented by: " << s.measure << "\n\nCommands:\n";
    for (const auto &c : s.commands)
        std::cout << "  " << lab::substitute(c, scenarioDir, binDir) << "\n";
    std::cout << "\nExpected verdicts:\n";
    for (const auto &e : s.expected) {
        std::cout << "  " << lab::substitute(e.module[0] == '/' ? e.module : "$LAB/" + e.module, scenarioDir, binDir)
                  << ":";
        for (const auto &r : e.reasons)
            std::cout << " " << r;
        std::cout << "\n";
    }
    std::cout << "\nMitigation: " << s.mitigation << "\n";
    if (!s.mitigationCommands.empty()) {
        std::cout << "\nApplied in the lab by `loadlens-cli lab mitigate " << s.name << "`, which then runs the attack again:\n";
        for (const auto &c : s.mitigationCommands)
            std::cout << "  " << lab::substitute(c, scenarioDir, binDir) << "\n";
    }
}

nlohmann::json scenarioJson(const lab::Scenario &s)
{
    nlohmann::json expected = nlohmann::json::array();
    for (const auto &e : s.expected)
        expected.push_back({{"module", e.module}, {"reasons", e.reasons}});
    return {{"name", s.name},         {"title", s.title},       {"story", s.story},
            {"technique", s.technique}, {"measure", s.measure}, {"commands", s.commands},
            {"expected", expected},   {"mitigation", s.mitigation}};
}

int runLab(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--lab-dir").flag("--all").flag("--json");
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    const auto &pos = parser.positional();
    if (pos.empty())
        return failWith("lab needs an action: list, show NAME, start NAME, mitigate NAME, status or stop NAME|--all", 2);
    const std::string action = pos[0];
    const std::string name = pos.size() > 1 ? pos[1] : std::string();
    if (pos.size() > 2)
        return failWith("lab " + action + " takes one scenario name, not '" + pos[2] + "'", 2);
    lab::LabOptions options;
    options.labDir = parser.value("--lab-dir").value_or("");
    lab::Runner runner(options);

    if (action == "list") {
        if (parser.has("--json")) {
            nlohmann::json all = nlohmann::json::array();
            for (const auto &s : lab::catalogue())
                all.push_back(scenarioJson(s));
            std::cout << all.dump(1) << "\n";
            return 0;
        }
        for (const auto &s : lab::catalogue())
            std::cout << s.name << std::string(s.name.size() < 20 ? 20 - s.name.size() : 1, ' ') << s.title << "\n";
        return 0;
    }
    if (action == "show") {
        const auto *s = lab::findScenario(name);
        if (!s)
            return failWith("no lab scenario named '" + name + "' (see `loadlens-cli lab list`)", 2);
        const auto bin = lab::labBinaryDirectory();
        printScenario(*s, runner.labDirectory() + "/" + s->name, bin ? *bin : std::string("$BIN"));
        return 0;
    }
    if (action == "start") {
        if (!lab::findScenario(name))
            return failWith("no lab scenario named '" + name + "' (see `loadlens-cli lab list`)", 2);
        auto started = runner.start(name);
        if (!started)
            return failWith(started.error().message, 1);
        const auto bin = lab::labBinaryDirectory();
        printScenario(*lab::findScenario(name), started->directory, bin ? *bin : std::string("$BIN"));
        std::cout << "\nStarted: pid " << started->pid << " in " << started->directory << "\n"
                  << "Look:    loadlens-cli scan --pid " << started->pid << "\n"
                  << "Stop:    loadlens-cli lab stop " << name << "\n";
        return 0;
    }
    if (action == "mitigate") {
        if (!lab::findScenario(name))
            return failWith("no lab scenario named '" + name + "' (see `loadlens-cli lab list`)", 2);
        auto again = runner.mitigate(name);
        if (!again)
            return failWith(again.error().message, 1);
        std::cout << "Mitigation applied; the attack ran again: pid " << again->pid << " in " << again->directory << "\n"
                  << "Look:    loadlens-cli scan --pid " << again->pid << "\n";
        if (::geteuid() != 0 && name != "preload-file")
            std::cout << "Note:    as a normal user the lab's directories stay yours after chmod 0755, so LoadLens still "
                         "reports them writable by a non-root user (you); run the lab as root to see them root-owned.\n";
        return 0;
    }
    if (action == "status") {
        auto running = runner.status();
        if (!running)
            return failWith(running.error().message, 1);
        if (parser.has("--json")) {
            nlohmann::json all = nlohmann::json::array();
            for (const auto &i : *running)
                all.push_back({{"scenario", i.scenario}, {"pid", i.pid}, {"directory", i.directory},
                               {"started_at", i.startedAt}, {"owner_pid", i.ownerPid}});
            std::cout << all.dump(1) << "\n";
            return 0;
        }
        if (running->empty())
            std::cout << "no lab scenario is running (lab directory " << runner.labDirectory() << ")\n";
        for (const auto &i : *running)
            std::cout << i.scenario << "\tpid " << i.pid << "\t" << i.directory << "\n";
        return 0;
    }
    if (action == "stop") {
        if (parser.has("--all") == !name.empty())
            return failWith("lab stop takes a scenario name or --all", 2);
        const Status stopped = parser.has("--all") ? runner.stopAll() : runner.stop(name);
        if (!stopped)
            return failWith(stopped.error().message, 1);
        return 0;
    }
    return failWith("unknown lab action '" + action + "': list, show, start, mitigate, status or stop", 2);
}

} // namespace

LOADLENS_CLI_COMMAND({"lab", "the trainer lab: start and stop library-hijacking scenarios",
                      R"(Usage: loadlens-cli lab list [--json]
       loadlens-cli lab show NAME
       loadlens-cli lab start NAME [--lab-dir DIR]
       loadlens-cli lab mitigate NAME [--lab-dir DIR]
       loadlens-cli lab status [--json] [--lab-dir DIR]
       loadlens-cli lab stop NAME|--all [--lab-dir DIR]

Runs real, harmless library-hijacking scenarios for demonstrations: each starts a victim
program of the lab with a payload library that only writes a line to the lab log. Every file
a scenario creates is under the lab directory; the /etc/ld.so.preload scenario runs in a
private mount namespace and never touches the host's file. `lab stop --all` kills the
scenarios' processes and removes their files. A scenario whose process has died is cleaned
up at the next lab command. `lab mitigate NAME` applies the scenario's M1044 measure inside
the lab (removes a writable permission, a planted library, the namespace's preload entry)
and runs the attack again, to show that it now fails or is flagged less.

Options:
  --lab-dir DIR          where scenarios live (default: $LOADLENS_LAB_DIR, else the data
                         directory's lab/)
  --all                  with stop: every scenario
  --json                 with list and status: JSON

Examples:
  loadlens-cli lab start preload-env
  loadlens-cli lab status
  loadlens-cli scan --pid PID --min-level medium
  loadlens-cli lab mitigate preload-env
  loadlens-cli lab stop --all
)",
                      &runLab});

} // namespace loadlens::cli
