// loadlens-cli lab: the trainer lab's hijack scenarios (core/lab), one command each.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "lab/lab_catalog.h"
#include "common/atomic_file.h"
#include "lab/lab_runner.h"
#include "pkg/hash_cache.h"
#include "report/json_scan_writer.h"
#include "scan/scanner.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace loadlens::cli {

namespace {

void printScenario(const lab::Scenario &s, const std::string &scenarioDir, const std::string &binDir,
                   std::ostream &out = std::cout)
{
    out << s.name << ": " << s.title << "\n\n"
              << s.story << "\n\n"
              << "Technique:  " << s.technique << "\n"
              << "Prevented by: " << s.measure << "\n\nCommands:\n";
    for (const auto &c : s.commands)
        out << "  " << lab::substitute(c, scenarioDir, binDir) << "\n";
    out << "\nExpected verdicts:\n";
    for (const auto &e : s.expected) {
        out << "  " << lab::substitute(e.module[0] == '/' ? e.module : "$LAB/" + e.module, scenarioDir, binDir)
                  << ":";
        for (const auto &r : e.reasons)
            out << " " << r;
        out << "\n";
    }
    out << "\nMitigation: " << s.mitigation << "\n";
    if (!s.mitigationCommands.empty()) {
        out << "\nApplied in the lab by `loadlens-cli lab mitigate " << s.name << "`, which then runs the attack again:\n";
        for (const auto &c : s.mitigationCommands)
            out << "  " << lab::substitute(c, scenarioDir, binDir) << "\n";
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

// --record DIR: what a trainer puts on slides.
Status recordScan(const std::string &file)
{
    scan::ScanOptions options;
    options.hashCachePath = pkg::defaultHashCachePath();
    const ScanResult result = scan::runScan(options);
    std::string json;
    report::writeScanJson(json, result);
    return io::writeFileAtomically(file, json);
}

// The desktop program renders the victim's live view offscreen: the loadlens beside this
// loadlens-cli (installed) or in the build tree. Empty when it is not there.
std::string guiProgram()
{
    std::error_code ec;
    const auto self = std::filesystem::read_symlink("/proc/self/exe", ec).parent_path();
    for (const auto &candidate : {self / "loadlens", self.parent_path() / "gui" / "loadlens"})
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
    return {};
}

Status recordScreenshot(int pid, const std::string &file)
{
    const std::string gui = guiProgram();
    if (gui.empty())
        return Error{ENOENT, "no screenshot: the desktop program loadlens is not installed beside loadlens-cli"};
    std::vector<std::string> env;
    for (char **e = environ; *e; ++e)
        if (std::string_view(*e).rfind("QT_QPA_PLATFORM=", 0) != 0)
            env.emplace_back(*e);
    env.emplace_back("QT_QPA_PLATFORM=offscreen");
    std::vector<std::string> args{gui, "--pid", std::to_string(pid), "--screenshot", file};
    std::vector<char *> argv, envp;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto &e : env)
        envp.push_back(e.data());
    envp.push_back(nullptr);
    const pid_t child = ::fork();
    if (child < 0)
        return Error::fromErrno(errno, "cannot start " + gui);
    if (child == 0) {
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    int status = 0;
    if (::waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return Error{EIO, "no screenshot: " + gui + " --screenshot failed"};
    return Ok{};
}

// Writes the scenario, its commands, the scan after and the screenshot into `dir`;
// problems are reported and counted, the scenario keeps running.
int recordAfter(const std::string &dir, const lab::Scenario &s, const lab::Instance &instance, const std::string &suffix)
{
    int failures = 0;
    auto report = [&](const Status &st) {
        if (!st) {
            std::cerr << "loadlens-cli: " << st.error().message << "\n";
            ++failures;
        }
    };
    const auto bin = lab::labBinaryDirectory();
    std::ostringstream text;
    printScenario(s, instance.directory, bin ? *bin : std::string("$BIN"), text);
    std::string commands = "# " + s.title + "\n# The commands the lab ran (it runs them itself; shown for the slides).\n";
    for (const auto &c : instance.commands)
        commands += c + "\n";
    if (suffix.empty()) {
        report(io::writeFileAtomically(dir + "/scenario.txt", text.str()));
        report(io::writeFileAtomically(dir + "/commands.sh", commands));
    } else {
        std::string mitigation = "# The mitigation the lab applied, then it ran the attack again.\n";
        for (const auto &c : s.mitigationCommands)
            mitigation += lab::substitute(c, instance.directory, bin ? *bin : std::string("$BIN")) + "\n";
        report(io::writeFileAtomically(dir + "/mitigation.sh", mitigation));
    }
    report(recordScan(dir + "/scan-after" + suffix + ".json"));
    report(recordScreenshot(instance.pid, dir + "/flagged-modules" + suffix + ".png"));
    return failures;
}

Status prepareRecordDirectory(const std::string &dir)
{
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        return Error{ec.value(), "cannot create the record directory " + dir + ": " + ec.message()};
    return io::checkWritableAtomically(dir + "/scenario.txt");
}

int runLab(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--lab-dir").option("--record").flag("--all").flag("--json");
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
        const std::string record = parser.value("--record").value_or("");
        if (!record.empty()) {
            if (auto st = prepareRecordDirectory(record); !st)
                return failWith(st.error().message, 1);
            if (auto st = recordScan(record + "/scan-before.json"); !st)
                return failWith(st.error().message, 1);
        }
        auto started = runner.start(name);
        if (!started)
            return failWith(started.error().message, 1);
        const int recordFailures = record.empty() ? 0 : recordAfter(record, *lab::findScenario(name), *started, "");
        const auto bin = lab::labBinaryDirectory();
        printScenario(*lab::findScenario(name), started->directory, bin ? *bin : std::string("$BIN"));
        std::cout << "\nStarted: pid " << started->pid << " in " << started->directory << "\n"
                  << "Look:    loadlens-cli scan --pid " << started->pid << "\n"
                  << "Stop:    loadlens-cli lab stop " << name << "\n";
        if (!record.empty())
            std::cout << "Recorded in " << record << "\n";
        return recordFailures ? 1 : 0;
    }
    if (action == "mitigate") {
        if (!lab::findScenario(name))
            return failWith("no lab scenario named '" + name + "' (see `loadlens-cli lab list`)", 2);
        const std::string record = parser.value("--record").value_or("");
        if (!record.empty())
            if (auto st = prepareRecordDirectory(record); !st)
                return failWith(st.error().message, 1);
        auto again = runner.mitigate(name);
        if (!again)
            return failWith(again.error().message, 1);
        const int recordFailures = record.empty() ? 0 : recordAfter(record, *lab::findScenario(name), *again, "-mitigated");
        std::cout << "Mitigation applied; the attack ran again: pid " << again->pid << " in " << again->directory << "\n"
                  << "Look:    loadlens-cli scan --pid " << again->pid << "\n";
        if (::geteuid() != 0 && name != "preload-file")
            std::cout << "Note:    as a normal user the lab's directories stay yours after chmod 0755, so LoadLens still "
                         "reports them writable by a non-root user (you); run the lab as root to see them root-owned.\n";
        return recordFailures ? 1 : 0;
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
       loadlens-cli lab start NAME [--record DIR] [--lab-dir DIR]
       loadlens-cli lab mitigate NAME [--record DIR] [--lab-dir DIR]
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
  --record DIR           with start: save scenario.txt, commands.sh, scan-before.json (the
                         host before the attack), scan-after.json and flagged-modules.png
                         (the desktop program's live view of the victim, rendered offscreen)
                         into DIR; with mitigate: mitigation.sh, scan-after-mitigated.json
                         and flagged-modules-mitigated.png
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
